// Online batch selection (Loshchilov & Hutter, 2015; docs/method.md §9): every sample is ranked
// by its last known score, highest first, and drawn with a probability that decays
// exponentially with its rank,
//     q_r = λ^r · (1 − λ) / (1 − λ^N),   λ = s^(−1/N),   r = 0 … N − 1,
// so the top-ranked sample is s times as likely as the last (s, the selection pressure, ≥ 1;
// s = 1 is uniform). Draws are by the inverse CDF in closed form, O(1) each:
//     P(rank ≤ r) = (1 − λ^(r+1)) / (1 − 1/s)  ⇒  r = ⌊−N · log1p(−u·(1 − 1/s)) / ln s⌋.
// The ranking is redone from the scores on demand (rerank, O(N log N)): the sampler does it
// once per block of steps, not per step. Plain TypeScript, no tfjs.
import type { Rng } from '../../types';
import { MAX_SELECTION_PRESSURE } from './meta';

export { MAX_SELECTION_PRESSURE };

export class RankedSelection {
  readonly size: number;
  private s = 1;
  private logS = 0;
  /** order[r]: the sample at rank r (0 = highest score). */
  private readonly order: Int32Array;
  /** rankOf[i]: sample i's rank. */
  private readonly rankOf: Int32Array;

  constructor(size: number, pressure: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`RankedSelection: size ${size} must be a positive integer (the number of training samples)`);
    this.size = size;
    this.order = Int32Array.from({ length: size }, (_, i) => i);
    this.rankOf = Int32Array.from({ length: size }, (_, i) => i);
    this.setPressure(pressure);
  }

  get pressure(): number {
    return this.s;
  }

  /** The selection pressure s = q_top / q_last, in [1, MAX_SELECTION_PRESSURE]. */
  setPressure(s: number): void {
    if (!(s >= 1 && s <= MAX_SELECTION_PRESSURE)) {
      throw new RangeError(`RankedSelection: selection pressure ${s} must be a number in [1, ${MAX_SELECTION_PRESSURE}] (1 = uniform)`);
    }
    this.s = s;
    this.logS = Math.log(s);
  }

  /**
   * Ranks every sample by `scoreOf(i)`, highest first; equal scores by `tieOrder` (a position per
   * sample, e.g. a seeded permutation, so that ties, such as every sample before any is scored,
   * are not ranked by index), else by index. Reproducible either way. O(N log N).
   */
  rerank(scoreOf: (i: number) => number, tieOrder?: ArrayLike<number>): void {
    const n = this.size;
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = scoreOf(i);
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`RankedSelection.rerank: score of sample ${i} is ${v}; scores must be finite and ≥ 0`);
      scores[i] = v;
    }
    if (tieOrder && tieOrder.length !== n) throw new RangeError(`RankedSelection.rerank: ${tieOrder.length} tie positions for ${n} samples`);
    const tie = tieOrder ?? null;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || (tie ? tie[a] - tie[b] : 0) || a - b);
    for (let r = 0; r < n; r++) {
      this.order[r] = order[r];
      this.rankOf[order[r]] = r;
    }
  }

  /** Rank of sample i (0 = highest score at the last rerank). */
  rank(i: number): number {
    return this.rankOf[i];
  }

  /** q_r, the probability of drawing the sample at rank r. */
  rankProbability(r: number): number {
    const n = this.size;
    if (this.s === 1) return 1 / n;
    // λ^r (1 − λ) / (1 − 1/s) with λ = exp(−ln s / N), through expm1 for the small 1 − λ.
    return (Math.exp((-this.logS * r) / n) * -Math.expm1(-this.logS / n)) / (1 - 1 / this.s);
  }

  /** q of sample i under the current ranking. */
  probability(i: number): number {
    return this.rankProbability(this.rankOf[i]);
  }

  /** b draws with replacement by rank: the samples and their probabilities q. O(b). */
  draw(b: number, rng: Rng): { indices: Int32Array; probabilities: Float64Array } {
    if (!Number.isInteger(b) || b < 1) throw new RangeError(`RankedSelection.draw: batch size ${b} must be a positive integer`);
    const n = this.size;
    const indices = new Int32Array(b);
    const probabilities = new Float64Array(b);
    const mass = 1 - 1 / this.s;
    for (let k = 0; k < b; k++) {
      const u = rng.next();
      let r = this.s === 1 ? Math.floor(u * n) : Math.floor((-n * Math.log1p(-u * mass)) / this.logS);
      if (r >= n) r = n - 1;
      if (r < 0) r = 0;
      indices[k] = this.order[r];
      probabilities[k] = this.rankProbability(r);
    }
    return { indices, probabilities };
  }
}
