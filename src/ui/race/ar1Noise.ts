// The noise of a least-squares line under AR(1) errors: what the readout needs to turn the
// scatter of a run's recent evaluations into the uncertainty of its trend.
//
// Model: y_i = trend_i + ε_i, ε stationary AR(1) with variance σ² and correlation ρ^|i−j|
// between evaluations i and j (counted in evaluations: a run evaluates every evalInterval of
// its own steps, so consecutive evaluations are equally far apart in training). A line is
// fitted through the n points of a window (x_i = ln t_i); its residuals e = M·y, M = I − H
// the residual maker. Their expected sum of squares and lag-1 sum are, exactly,
//
//   E[Σ e_i²]        = σ² · tr(S),            S = M R M, R_ij = ρ^|i−j|,
//   E[Σ e_i e_{i+1}] = σ² · Σ_i S_{i,i+1},
//
// so ρ is found by matching their ratio to the observed one (the plain lag-1 autocorrelation
// of residuals is biased low by about (1 + 4ρ)/n, which on a window of a few evaluations hides
// most of the correlation), σ² = Σ e² / tr(S), and the line's value at x₀, ŷ = c·y, has
// variance σ²·cᵀRc. Every sum is O(n): H has rank 2 (H = v₁v₁ᵀ + v₂v₂ᵀ with v₁ = 1/√n, v₂ =
// (x − x̄)/√Sxx) and R·v is two sweeps of the AR recursion.

/** R·v for R_ij = ρ^|i−j|: v plus a forward and a backward geometric sweep. */
export function arTimes(v: Float64Array, rho: number): Float64Array {
  const n = v.length;
  const out = Float64Array.from(v);
  let f = 0;
  for (let i = 1; i < n; i++) {
    f = rho * (f + v[i - 1]);
    out[i] += f;
  }
  let b = 0;
  for (let i = n - 2; i >= 0; i--) {
    b = rho * (b + v[i + 1]);
    out[i] += b;
  }
  return out;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** The line fit's residual structure for one window: the two orthonormal columns of H. */
export class LineNoise {
  private readonly v1: Float64Array;
  private readonly v2: Float64Array;
  private readonly n: number;

  /** `x`: the window's abscissae (ln t), not all equal. */
  constructor(x: ArrayLike<number>) {
    const n = x.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i];
    mean /= n;
    let sxx = 0;
    for (let i = 0; i < n; i++) sxx += (x[i] - mean) ** 2;
    this.n = n;
    this.v1 = new Float64Array(n).fill(1 / Math.sqrt(n));
    this.v2 = Float64Array.from({ length: n }, (_, i) => (x[i] - mean) / Math.sqrt(sxx));
  }

  /** tr(S) and Σ S_{i,i+1} at correlation ρ: the expected residual sum of squares and lag-1 sum, per unit σ². */
  residualMoments(rho: number): { trace: number; lag: number } {
    const { n, v1, v2 } = this;
    const w1 = arTimes(v1, rho);
    const w2 = arTimes(v2, rho);
    const g11 = dot(v1, w1);
    const g12 = dot(v1, w2);
    const g22 = dot(v2, w2);
    // S_ij = R_ij − Σ_k (v_k[i] w_k[j] + w_k[i] v_k[j]) + Σ_kl v_k[i] G_kl v_l[j]; v1 is constant.
    const c1 = v1[0];
    let trace = 0;
    let lag = 0;
    for (let i = 0; i < n; i++) {
      const hi = c1 * g11 * c1 + 2 * c1 * g12 * v2[i] + v2[i] * g22 * v2[i];
      trace += 1 - 2 * (c1 * w1[i] + v2[i] * w2[i]) + hi;
      if (i + 1 < n) {
        const j = i + 1;
        const cross = c1 * w1[j] + w1[i] * c1 + v2[i] * w2[j] + w2[i] * v2[j];
        const h = c1 * g11 * c1 + c1 * g12 * (v2[i] + v2[j]) + v2[i] * g22 * v2[j];
        lag += rho - cross + h;
      }
    }
    return { trace, lag };
  }

  /**
   * ρ in [0, maxRho] whose expected lag-1/sum-of-squares ratio of the residuals matches
   * `observed` (bisection: the expected ratio grows with ρ). 0 when even ρ = 0 expects more.
   */
  matchRho(observed: number, maxRho: number): number {
    const ratio = (rho: number) => {
      const m = this.residualMoments(rho);
      return m.lag / m.trace;
    };
    if (!(observed > ratio(0))) return 0;
    if (observed >= ratio(maxRho)) return maxRho;
    let lo = 0;
    let hi = maxRho;
    // 16 halvings: ρ to within 2e-5, far below what the residuals can tell.
    for (let k = 0; k < 16; k++) {
      const mid = (lo + hi) / 2;
      if (ratio(mid) < observed) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /** cᵀRc: the variance, per unit σ², of the fitted line's value at x₀, for the weights c of that value. */
  predictionFactor(c: Float64Array, rho: number): number {
    return dot(c, arTimes(c, rho));
  }
}
