// τ: the variance reduction of importance sampling as an equivalent batch-size increase
// (paper Eq. 26-29).

/**
 * τ = 1 / sqrt(1 − ‖g − u‖² / ‖g‖²) with g = s / Σs and u = 1/B. Since Σg = 1,
 * ‖g − u‖² = ‖g‖² − 1/B, so τ = sqrt(B·‖g‖²) = sqrt(B·Σs²) / Σs; this form has no
 * cancellation. All-zero scores mean g = u, τ = 1.
 */
export function tauFromScores(scores: ArrayLike<number>): number {
  const n = scores.length;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    sum += scores[i];
    sumSq += scores[i] * scores[i];
  }
  if (!(sum > 0) || !Number.isFinite(sumSq)) return 1;
  // Rounding can put the ratio a hair below 1; τ ≥ 1 by Cauchy–Schwarz.
  return Math.max(1, Math.sqrt(n * sumSq) / sum);
}

/** The cost model's threshold τ_th = (B + 3b) / (3b): scoring B costs about B/3 training steps of one sample. */
export function tauThresholdFor(presampleSize: number, batchSize: number): number {
  return (presampleSize + 3 * batchSize) / (3 * batchSize);
}

/** Exponential moving average of τ, starting at 0 as in the paper. */
export class TauEstimator {
  private value = 0;

  constructor(public momentum = 0.9) {}

  get smoothed(): number {
    return this.value;
  }

  update(tau: number): number {
    this.value = this.momentum * this.value + (1 - this.momentum) * tau;
    return this.value;
  }

  reset(): void {
    this.value = 0;
  }
}
