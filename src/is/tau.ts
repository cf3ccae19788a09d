// τ: the variance reduction of importance sampling as an equivalent batch-size increase
// (paper Eq. 26-29; docs/method.md §3), and the table's threshold (docs/method.md §5).
// Plain arithmetic, no tfjs: the catalogue imports this module.
//
// The reduction of sampling with q. Over a set of n samples whose gradient norms are the
// scores s_i (the paper's proxy), one draw I ~ q weighted 1/(n·q_I) estimates the set's mean
// gradient with second moment M_q = (1/n²) Σ_i s_i²/q_i; a uniform draw has M_u = (1/n) Σ_i s_i².
// Neglecting the squared mean gradient next to these (as the paper does), the variance
// falls by M_u / M_q, and
//     τ_q = sqrt(M_u / M_q) = sqrt(n·Σ s_i² / Σ s_i²/q_i).
// With q = s/Σs (the optimum) Σ s_i²/q_i = (Σs)², which gives the paper's sqrt(n·Σs²)/Σs.

/** Throws unless c is a finite number ≥ 0. */
function checkSmoothing(where: string, c: number): void {
  if (!Number.isFinite(c) || c < 0) {
    throw new RangeError(`${where}: smoothing ${c} must be a finite number ≥ 0 (0 = off)`);
  }
}

/**
 * τ of sampling a set ∝ its scores with additive smoothing c: q_i = (s_i + c·s̄) / Σ_j (s_j + c·s̄),
 * as samplingProbabilities (sampler.ts) and the presample draw use. This is τ_q above for
 * that q: the reduction the draw achieves, not that of the unsmoothed optimum.
 *
 * c = 0 (the default) is the paper's τ = 1 / sqrt(1 − ‖g − u‖² / ‖g‖²) with g = s / Σs and
 * u = 1/n. Since Σg = 1, ‖g − u‖² = ‖g‖² − 1/n, so τ = sqrt(n·‖g‖²) = sqrt(n·Σs²) / Σs;
 * this form has no cancellation. For c > 0, with S = Σs and s̄ = S/n,
 *     Σ s_i²/q_i = (1 + c)·S·Σ s_i²/(s_i + c·s̄),
 * computed on s / max(s) so that no square overflows. All-zero scores mean q = u, τ = 1.
 */
export function tauFromScores(scores: ArrayLike<number>, smoothing = 0): number {
  checkSmoothing('tauFromScores', smoothing);
  const n = scores.length;
  if (smoothing > 0) return smoothedTau(scores, smoothing);
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

function smoothedTau(scores: ArrayLike<number>, c: number): number {
  const n = scores.length;
  let max = 0;
  for (let i = 0; i < n; i++) if (scores[i] > max) max = scores[i];
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += scores[i] / max;
  const shift = (c * sum) / n;
  let sumSq = 0;
  let spread = 0; // Σ s²/(s + c·s̄), on the scaled scores
  for (let i = 0; i < n; i++) {
    const s = scores[i] / max;
    sumSq += s * s;
    if (s > 0) spread += (s * s) / (s + shift);
  }
  // τ_q ≥ 1 for this q (it puts more mass where s is larger); clamp rounding below it.
  return Math.max(1, Math.sqrt((n * sumSq) / ((1 + c) * sum * spread)));
}

/**
 * τ_q = sqrt(n·Σ s_i² / Σ s_i²/q_i): the reduction achieved by drawing from `probabilities` q
 * (over the same n samples, normalised here) when the scores s are the gradient norms. It is
 * 1 for uniform q and below 1 where q puts less mass than uniform on the large scores: then
 * sampling by q costs variance. Samples with s_i = 0 add nothing whatever their q_i. All-zero
 * scores give 1. Throws where q_i = 0 but s_i > 0: such a draw never sees a sample that
 * moves the weights, so its weighted mean is biased and τ means nothing.
 */
export function tauForSampling(scores: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  const n = scores.length;
  if (probabilities.length !== n) {
    throw new RangeError(`tauForSampling: ${n} scores but ${probabilities.length} probabilities; pass one per sample`);
  }
  let max = 0;
  let qSum = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    const q = probabilities[i];
    if (!Number.isFinite(s) || s < 0) throw new RangeError(`tauForSampling: score ${i} is ${s}; scores must be finite and ≥ 0`);
    if (!Number.isFinite(q) || q < 0) throw new RangeError(`tauForSampling: probability ${i} is ${q}; pass finite numbers ≥ 0`);
    if (s > max) max = s;
    qSum += q;
  }
  if (!(max > 0)) return 1;
  let sumSq = 0;
  let spread = 0; // Σ s²/q on s / max, q normalised
  for (let i = 0; i < n; i++) {
    const s = scores[i] / max;
    if (s === 0) continue;
    const q = probabilities[i] / qSum;
    if (!(q > 0)) {
      throw new RangeError(
        `tauForSampling: sample ${i} has score ${scores[i]} but probability 0; a sampler must give p > 0 ` +
          'to every sample whose gradient may be non-zero',
      );
    }
    sumSq += s * s;
    spread += (s * s) / q;
  }
  return Math.sqrt((n * sumSq) / spread);
}

/**
 * τ_q measured on trained batches (docs/method.md §5), for a sampler whose q is not built from
 * the scores of the batch it trains on (the score table: its q comes from stale scores).
 *
 * For each trained sample k: its fresh score s_k (from the training pass), the weight it was
 * drawn with, w_k = 1/(N·r_k) (r the distribution the batch was drawn from; 1 for a uniform
 * batch), and v_k = 1/(N·q_k), the weight the sampler's q gave it WHEN THE BATCH WAS DRAWN
 * (a table updated by earlier batches of the same block would give a sample rescored there a
 * weight that already matches its fresh score, and read τ too high). Then
 *     (1/b) Σ_k w_k·s_k²       estimates M_u = (1/N) Σ_i s_i²            (unbiased),
 *     (1/b) Σ_k w_k·v_k·s_k²   estimates M_q = (1/N²) Σ_i s_i²/q_i       (unbiased),
 * whatever r was, and τ = sqrt(M_u / M_q). Both sums are exponential moving averages over the
 * batches (momentum m, from 0), and τ is the ratio of the averages, not an average of
 * per-batch ratios: a batch drawn from q rarely holds the few samples that q underrates,
 * which dominate M_q, so a ratio taken over few samples is biased upward exactly when q is
 * stale. The bias and the scatter both shrink with the number of samples pooled, so the
 * table pools by samples (poolMomentum), not by batches.
 *
 * The meter also tracks its own standard error (standardError, by the delta method over the
 * pooled batches), so that a switch can ask τ to clear its threshold by more than the
 * meter's error (ScoreTable.tauMargin).
 *
 * τ can fall below 1: that is when sampling by q would do worse than uniform on the current
 * scores, and Algorithm 1 then trains uniformly.
 */
export class BatchTauMeter {
  private num = 0;
  private den = 0;
  // Σ_j a_j²·n_j², Σ_j a_j²·d_j², Σ_j a_j²·n_j·d_j over the pooled batches, a_j = (1 − m)·m^age_j
  // the weight batch j has in the averages, n_j and d_j its two means: the delta method's terms.
  private nn = 0;
  private dd = 0;
  private nd = 0;

  constructor(public momentum = 0.9) {
    checkMomentum('BatchTauMeter', momentum);
  }

  /** τ over the batches so far (1 before any batch with a non-zero score). */
  get value(): number {
    return this.den > 0 && this.num > 0 ? Math.sqrt(this.num / this.den) : 1;
  }

  /**
   * Standard error of `value` (0 before any batch with a non-zero score). With R = num/den the
   * pooled ratio, Var(R) ≈ Σ_j a_j²·(n_j − R·d_j)² / den² (delta method, batches independent
   * given their draws), and τ = √R has se(τ) = se(R) / (2τ). It understates the error when the
   * rare, heavily weighted samples have not been drawn yet (heavy tails): in simulations of
   * stale tables τ − 2·se stood above the exact τ in 2-13 % of readings, not the 2.3 % of a
   * normal error (tests/unit/is/scoretable-stale.test.ts).
   */
  get standardError(): number {
    if (!(this.den > 0 && this.num > 0)) return 0;
    const r = this.num / this.den;
    const variance = (this.nn - 2 * r * this.nd + r * r * this.dd) / (this.den * this.den);
    return Math.sqrt(Math.max(0, variance)) / (2 * Math.sqrt(r));
  }

  /**
   * Adds one trained batch and returns τ. `drawWeights`: w_k (null: a uniform batch, all 1);
   * `sampleWeights`: v_k. Throws, adding nothing, on lengths that differ or values that are
   * not finite (scores ≥ 0, weights > 0).
   */
  add(scores: ArrayLike<number>, drawWeights: ArrayLike<number> | null, sampleWeights: ArrayLike<number>): number {
    checkMomentum('BatchTauMeter', this.momentum);
    const b = scores.length;
    if (sampleWeights.length !== b || (drawWeights !== null && drawWeights.length !== b)) {
      throw new RangeError(
        `BatchTauMeter.add: ${b} scores, ${drawWeights?.length ?? b} draw weights and ${sampleWeights.length} ` +
          'sample weights; pass one of each per trained sample',
      );
    }
    let num = 0;
    let den = 0;
    for (let k = 0; k < b; k++) {
      const s = scores[k];
      const w = drawWeights === null ? 1 : drawWeights[k];
      const v = sampleWeights[k];
      if (!Number.isFinite(s) || s < 0) throw new RangeError(`BatchTauMeter.add: score ${k} is ${s}; scores must be finite and ≥ 0`);
      if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`BatchTauMeter.add: draw weight ${k} is ${w}; weights must be finite and > 0`);
      if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`BatchTauMeter.add: sample weight ${k} is ${v}; weights must be finite and > 0`);
      num += w * s * s;
      den += w * v * s * s;
    }
    if (b > 0) {
      const m = this.momentum;
      const n = num / b;
      const d = den / b;
      this.num = m * this.num + (1 - m) * n;
      this.den = m * this.den + (1 - m) * d;
      const a2 = (1 - m) * (1 - m);
      const m2 = m * m;
      this.nn = m2 * this.nn + a2 * n * n;
      this.dd = m2 * this.dd + a2 * d * d;
      this.nd = m2 * this.nd + a2 * n * d;
    }
    return this.value;
  }

  reset(): void {
    this.num = 0;
    this.den = 0;
    this.nn = 0;
    this.dd = 0;
    this.nd = 0;
  }
}

/**
 * Samples the score table's τ meter pools (docs/method.md §5): about half an epoch of MNIST's
 * 8,000. Measured on simulated stale tables (N = 8,000, b = 64): pooling 19 batches (momentum
 * 0.9, the old meter) read τ 2-3 % high on average with 5-95 % of readings at 0.83-1.21× the
 * exact τ; pooling 4,096 samples (momentum 0.984) 0.3 % high, 0.92-1.09×. It still follows a
 * table that goes stale within a few hundred steps (the tests).
 */
export const TABLE_TAU_POOL_SAMPLES = 4096;

/** The meter's momentum that pools about `poolSamples` samples in batches of `batchSize`: 1 − b/pool, within [0.9, 0.995]. */
export function poolMomentum(batchSize: number, poolSamples = TABLE_TAU_POOL_SAMPLES): number {
  return Math.min(0.995, Math.max(0.9, 1 - batchSize / poolSamples));
}

/**
 * How many standard errors of its meter a measured τ must clear τ_th by before Algorithm 1
 * trusts it (docs/method.md §5): one-sided, 2.3 % of readings of a meter whose error is normal
 * would still clear it by chance; 2-13 % in the stale-table simulations, whose errors have a
 * heavier upper tail. There, τ̄ stood above the τ_th in force in 1.7 % of the blocks where the
 * exact τ was below 1 (26 % with the old meter and a fixed τ_th of 1.05).
 */
export const TAU_MARGIN_STANDARD_ERRORS = 2;

/**
 * The τ meter of a sampler that keeps scores over the training set (the score table, online
 * batch selection, InfoBatch): a BatchTauMeter pooling about half an epoch, at most
 * `poolSamples` samples (its momentum set per batch by poolMomentum), with the margin τ̄ must
 * clear τ_th by (TAU_MARGIN_STANDARD_ERRORS standard errors; docs/method.md §5).
 */
export class PooledTauMeter {
  private readonly meter: BatchTauMeter;

  /** `n`: the training-set size. */
  constructor(
    private readonly n: number,
    private readonly poolSamples = TABLE_TAU_POOL_SAMPLES,
  ) {
    this.meter = new BatchTauMeter(poolMomentum(1, poolSamples));
  }

  /** Pools one trained batch (BatchTauMeter.add) and returns τ so far. */
  add(scores: ArrayLike<number>, drawWeights: ArrayLike<number> | null, sampleWeights: ArrayLike<number>): number {
    this.meter.momentum = poolMomentum(scores.length, Math.min(this.poolSamples, this.n / 2));
    return this.meter.add(scores, drawWeights, sampleWeights);
  }

  /** τ so far (1 before any batch). */
  get value(): number {
    return this.meter.value;
  }

  /** Its standard error (0 before any batch). */
  get standardError(): number {
    return this.meter.standardError;
  }

  /** How far τ̄ must clear τ_th before Algorithm 1 trusts it. */
  get margin(): number {
    return TAU_MARGIN_STANDARD_ERRORS * this.meter.standardError;
  }
}

/** τ of one batch alone (BatchTauMeter with momentum 0): see BatchTauMeter. */
export function tauOfBatch(
  scores: ArrayLike<number>,
  drawWeights: ArrayLike<number> | null,
  sampleWeights: ArrayLike<number>,
): number {
  return new BatchTauMeter(0).add(scores, drawWeights, sampleWeights);
}

function checkMomentum(where: string, m: number): void {
  if (!(m >= 0 && m < 1)) throw new RangeError(`${where}: momentum ${m} must be a number in [0, 1)`);
}

/** The cost model's threshold τ_th = (B + 3b) / (3b): scoring B costs about B/3 training steps of one sample. */
export function tauThresholdFor(presampleSize: number, batchSize: number): number {
  return (presampleSize + 3 * batchSize) / (3 * batchSize);
}

/**
 * The score table's cost-model τ_th (docs/method.md §5): what its upkeep costs beside a
 * training step. The table adds no forward pass; its own work (a draw and an update, O(b log N)
 * on the CPU) measured 1.00-1.01× a uniform step on the CPU backend (BENCHMARKS.md §6) and
 * weighs more beside a faster step (wasm, a GPU): 2 % covers it there; `measured` mode times it
 * instead. The meter's own error is not priced here: the trainer adds the table's margin
 * (TAU_MARGIN_STANDARD_ERRORS standard errors of the measured τ) to whatever τ_th is in force.
 */
export const TABLE_TAU_THRESHOLD = 1.02;

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
