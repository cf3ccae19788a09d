// InfoBatch (Qin et al., ICLR 2024; docs/method.md §9): epochs over a randomly pruned training
// set. At the start of each epoch every sample whose last known score is below the mean of the
// scores is dropped with probability r, and the kept ones among them are weighted 1/(1 − r);
// every other sample is kept with weight 1. The epoch is the kept samples in a seeded random
// order, taken b at a time (a batch that runs past the end continues in the next epoch).
// Over an epoch the weighted sum of any per-sample quantity g is unbiased for Σ_i g_i:
//     E[Σ_kept w_i·g_i] = Σ_high g_i + Σ_low (1 − r)·g_i / (1 − r) = Σ_i g_i,
// with fewer samples (and steps) per epoch. While annealing (the last part of a run), epochs
// hold every sample, weight 1. Samples never scored are kept (nothing is known about them).
// Plain TypeScript, no tfjs.
import type { Rng } from '../../types';

/** What an epoch's pruning needs to know of each sample. */
export interface PruneScores {
  /** The last known score of sample i, or null when it was never scored. */
  scoreOf(i: number): number | null;
}

export interface EpochStats {
  /** Samples in the epoch being drawn. */
  kept: number;
  /** Samples with a score below the epoch's mean (the candidates for pruning). */
  lowScore: number;
  /** Epochs started so far. */
  epochs: number;
}

export class PrunedEpochs {
  readonly size: number;
  private list = new Int32Array(0);
  private weights = new Float32Array(0);
  private next = 0;
  private stats: EpochStats = { kept: 0, lowScore: 0, epochs: 0 };
  /** Per sample: 1 when it scored below the current epoch's mean (a candidate for pruning). */
  private low = new Uint8Array(0);
  /** The current epoch's prune ratio (0 while annealing or before the first epoch). */
  private ratio = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`PrunedEpochs: size ${size} must be a positive integer (the number of training samples)`);
    this.size = size;
    this.low = new Uint8Array(size);
  }

  /** The current epoch's figures. */
  get epoch(): Readonly<EpochStats> {
    return this.stats;
  }

  /**
   * The chance sample i had of being kept in the current epoch: 1 − r for a sample below the
   * epoch's mean, else 1 (1 for every sample before the first epoch). Kept samples are drawn
   * once each, so over an epoch sample i is drawn in proportion to this.
   */
  keepProbability(i: number): number {
    return this.low[i] ? 1 - this.ratio : 1;
  }

  /** Σ_i keepProbability(i): the expected size of the current epoch. */
  get expectedKept(): number {
    return this.size - this.stats.lowScore * this.ratio;
  }

  /**
   * The next b samples and their weights. An epoch that runs out starts the next one, pruned
   * with ratio r (full when `anneal`) from `scores` as they are then. O(b), plus O(N) per epoch.
   */
  nextBatch(b: number, scores: PruneScores, ratio: number, anneal: boolean, rng: Rng): { indices: Int32Array; weights: Float32Array } {
    if (!Number.isInteger(b) || b < 1) throw new RangeError(`PrunedEpochs.nextBatch: batch size ${b} must be a positive integer`);
    if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`PrunedEpochs.nextBatch: prune ratio ${ratio} must be in [0, 1)`);
    const indices = new Int32Array(b);
    const weights = new Float32Array(b);
    for (let k = 0; k < b; k++) {
      if (this.next >= this.list.length) this.startEpoch(scores, anneal ? 0 : ratio, rng);
      indices[k] = this.list[this.next];
      weights[k] = this.weights[this.next];
      this.next++;
    }
    return { indices, weights };
  }

  private startEpoch(scores: PruneScores, ratio: number, rng: Rng): void {
    const n = this.size;
    const known = new Float64Array(n);
    const seen = new Uint8Array(n);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const s = scores.scoreOf(i);
      if (s === null) continue;
      if (!Number.isFinite(s) || s < 0) throw new RangeError(`PrunedEpochs: score of sample ${i} is ${s}; scores must be finite and ≥ 0`);
      known[i] = s;
      seen[i] = 1;
      sum += s;
      count++;
    }
    const mean = count ? sum / count : 0;
    const list: number[] = [];
    const w: number[] = [];
    const lowFlags = new Uint8Array(n);
    let low = 0;
    const lowWeight = 1 / (1 - ratio);
    for (let i = 0; i < n; i++) {
      if (!seen[i] || !(known[i] < mean)) {
        list.push(i);
        w.push(1);
        continue;
      }
      low++;
      lowFlags[i] = 1;
      if (ratio > 0 && rng.next() < ratio) continue; // pruned this epoch
      list.push(i);
      w.push(lowWeight);
    }
    // A seeded Fisher-Yates shuffle of the kept samples (with their weights).
    for (let j = list.length - 1; j > 0; j--) {
      const t = rng.int(j + 1);
      [list[j], list[t]] = [list[t], list[j]];
      [w[j], w[t]] = [w[t], w[j]];
    }
    // Never an empty epoch: ratio < 1 keeps every high-score sample, and some sample is at or
    // above the mean; with nothing scored every sample is kept.
    this.list = Int32Array.from(list);
    this.weights = Float32Array.from(w);
    this.low = lowFlags;
    this.ratio = ratio;
    this.next = 0;
    this.stats = { kept: list.length, lowScore: low, epochs: this.stats.epochs + 1 };
  }
}
