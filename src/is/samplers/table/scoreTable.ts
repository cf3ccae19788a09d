// The score table (docs/method.md §5): every training sample's last score, kept from the
// forward pass it was trained in, and a sampler over the whole training set ∝ those scores.
// Pure TypeScript; the table sampler (sampler.ts beside it) turns draws into weights 1/(N·p_i).
//
// Distribution. For sample i with table score e_i and mean μ = mean(raw scores):
//     p_i = (e_i + c·μ) / Σ_j (e_j + c·μ)
// and the draws come from q_i = (1 − ε)·p_i + ε/N, ε the floor: a share ε of the draws is
// uniform, so every sample keeps q_i ≥ ε/N and every weight 1/(N·q_i) ≤ 1/ε, whatever
// the table holds (docs/method.md §5). Without it, a sample stored with score 0 would have
// p_i = 0, never be drawn, never be rescored, and drop out of the weighted mean for good.
// - Scored ("seen") samples: e_i is the last score passed to update().
// - Unscored samples: e_i = the prior m = running maximum of every score ever passed to
//   update(), so they stay at least as likely as any scored sample until visited.
// - μ is the mean of the table's scores (s_i for seen samples, m for unseen).
// - When μ = 0 (nothing scored yet, or every score so far is 0) the table is uniform.
//
// Cost. Seen samples live in a two-channel SumTree (per leaf: s and 1, so a node holds the sum
// of its scores and their count, and its weight is Σ s + c·μ·count); unseen ones in a
// swap-remove list (they all share the weight m + c·μ, so m can rise in O(1)). A draw is one
// O(log N) descent by that weight (or an O(1) pick among the unseen, or, for the floor's share,
// an O(1) uniform pick), an update is O(log N). All sums are tree sums recomputed from children
// (no accumulated deltas, no drift).
//
// τ. observeBatch() measures τ on the trained batches against the q each was drawn from
// (BatchTauMeter, tau.ts), pooling about TABLE_TAU_POOL_SAMPLES samples: the fresh scores of the
// batches show whether sampling by the table still beats uniform, and tauMargin says how far
// that measurement may be off. (What the table's own, possibly stale, scores would predict is
// no measure of that: docs/method.md §5.)
import { PooledTauMeter, TABLE_TAU_POOL_SAMPLES } from '../../tau';
import type { Rng } from '../../types';
import { SumTree } from './sumTree';
import { TopK } from './topK';
import { checkFloor, checkSmoothing, uniform53 } from './scoreTableChecks';

/** Tree channels per leaf: the score, and 1 (so a node counts its seen samples). */
const CH_S = 0;
const CH_C = 1;
const CHANNELS = 2;

/**
 * The default floor ε (docs/method.md §5): a tenth of the draws uniform. It bounds every
 * weight by 1/ε = 10 (the smoothing c = 0.2 that trained stably with SGD bounds them by
 * (1 + c)/c = 6; unbounded weights diverged), costs at most a factor sqrt(1 − ε) ≈ 0.95 of τ
 * when the table is exact (Σ s²/q ≤ Σ s²/((1 − ε)·p)), and revisits a sample stored as 0
 * within N/(ε·b) steps on average.
 */
export const DEFAULT_TABLE_FLOOR = 0.1;

export interface ScoreTableOptions {
  /** Additive smoothing c ≥ 0: p ∝ s + c·mean(s). Default 0. */
  smoothing?: number;
  /**
   * Floor ε in [0, 1): the share of draws made uniformly, q = (1 − ε)·p + ε/N, so every q_i ≥ ε/N
   * and every weight ≤ 1/ε. Default DEFAULT_TABLE_FLOOR; 0 turns it off (a sample stored with
   * score 0 is then never drawn again unless c > 0).
   */
  floor?: number;
  /**
   * Samples observeBatch's τ meter pools (BatchTauMeter, tau.ts), at most: the pool is
   * min(this, N/2), and the meter's momentum 1 − b/pool for batches of b (within [0.9, 0.995]).
   * Default TABLE_TAU_POOL_SAMPLES.
   */
  tauPoolSamples?: number;
}

export class ScoreTable {
  readonly size: number;
  private c: number;
  private eps: number;
  private readonly meter: PooledTauMeter;
  private readonly tree: SumTree;
  /** Last score of each sample (0 while unseen). */
  private readonly raw: Float64Array;
  /** Samples perm[0..unseen) are unscored; pos[i] is i's position in perm. */
  private readonly perm: Int32Array;
  private readonly pos: Int32Array;
  private unseen: number;
  private maxScore = 0;
  private clock = 0;
  private extraOps = 0;
  private readonly leaf = new Float64Array(CHANNELS);
  /** Each channel's coefficient in a leaf's weight e_i + c·μ: (1, c·μ), set by normalizer(). */
  private readonly coeffs = new Float64Array(CHANNELS);

  constructor(size: number, options: ScoreTableOptions = {}) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new RangeError(`ScoreTable: size ${size} must be a positive integer (the number of training samples)`);
    }
    const c = options.smoothing ?? 0;
    const eps = options.floor ?? DEFAULT_TABLE_FLOOR;
    checkSmoothing('ScoreTable', c);
    checkFloor('ScoreTable', eps);
    const pool = options.tauPoolSamples ?? TABLE_TAU_POOL_SAMPLES;
    if (!(pool >= 1) || !Number.isFinite(pool)) {
      throw new RangeError(`ScoreTable: tauPoolSamples ${pool} must be a finite number ≥ 1 (samples the τ meter pools)`);
    }
    this.meter = new PooledTauMeter(size, pool);
    this.size = size;
    this.c = c;
    this.eps = eps;
    this.tree = new SumTree(size, CHANNELS);
    this.raw = new Float64Array(size);
    this.perm = new Int32Array(size);
    this.pos = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      this.perm[i] = i;
      this.pos[i] = i;
    }
    this.unseen = size;
  }

  /** Smoothing c. */
  get smoothing(): number {
    return this.c;
  }

  /** Floor ε: the uniform share of the draws. */
  get floor(): number {
    return this.eps;
  }

  /**
   * An upper bound of the weight 1/(N·q_i) of any sample now: 1/(ε + (1 − ε)·c·μ·N/Σ_j (e_j + c·μ)),
   * since every e_i ≥ 0. With ε > 0 at most 1/ε; with c > 0 at most (1 + c)/c;
   * Infinity when ε = c = 0 (no bound). 1 while the table is uniform. O(1). Weights rounded to
   * float32 for training may exceed it by the rounding (a relative 2^-24).
   */
  get maxWeight(): number {
    const mu = this.meanScore();
    const z = this.normalizer(mu);
    if (!(mu > 0) || !(z > 0)) return 1;
    return 1 / (this.eps + ((1 - this.eps) * this.c * mu * this.size) / z);
  }

  /** τ measured by observeBatch() so far (1 before any batch). */
  get measuredTau(): number {
    return this.meter.value;
  }

  /** Standard error of measuredTau (BatchTauMeter.standardError; 0 before any batch). */
  get measuredTauError(): number {
    return this.meter.standardError;
  }

  /**
   * How far the measured τ must clear τ_th before Algorithm 1 trusts it: TAU_MARGIN_STANDARD_ERRORS
   * standard errors of the meter (docs/method.md §5).
   */
  get tauMargin(): number {
    return this.meter.margin;
  }

  /** update() calls so far (one per trained batch). */
  get step(): number {
    return this.clock;
  }

  /** Samples scored at least once. */
  get seenCount(): number {
    return this.size - this.unseen;
  }

  /** The score unscored samples get: running maximum of all scores seen (0 before any). */
  get prior(): number {
    return this.maxScore;
  }

  /** Tree nodes visited plus O(1) picks and O(N) work (top): a cost measure for tests. */
  get operations(): number {
    return this.tree.operations + this.extraOps;
  }

  setSmoothing(c: number): void {
    checkSmoothing('ScoreTable.setSmoothing', c);
    this.c = c;
  }

  setFloor(eps: number): void {
    checkFloor('ScoreTable.setFloor', eps);
    this.eps = eps;
  }


  /** mean(s) over the table: the scores of seen samples, the prior for unseen ones. */
  meanScore(): number {
    return (this.tree.total(CH_S) + this.unseen * this.maxScore) / this.size;
  }

  /** Whether sample i has been scored. */
  seen(i: number): boolean {
    this.checkIndex('ScoreTable.seen', i);
    return this.pos[i] >= this.unseen;
  }

  /** Sample i's table score e_i (the prior when unscored). O(1). */
  score(i: number): number {
    this.checkIndex('ScoreTable.score', i);
    return this.pos[i] < this.unseen ? this.maxScore : this.raw[i];
  }

  /** q_i of the current distribution, the probability a draw has of returning i (floor included). O(1). */
  probability(i: number): number {
    this.checkIndex('ScoreTable.probability', i);
    const mu = this.meanScore();
    const z = this.normalizer(mu);
    if (!(mu > 0) || !(z > 0)) return 1 / this.size;
    return this.drawProbability(i, mu, z);
  }

  /** The weights 1/(N·q_i) that a draw of each of these samples would get now. O(b). */
  sampleWeights(indices: ArrayLike<number>): Float64Array {
    const out = new Float64Array(indices.length);
    const mu = this.meanScore();
    const z = this.normalizer(mu);
    const uniform = !(mu > 0) || !(z > 0);
    for (let k = 0; k < indices.length; k++) {
      this.checkIndex('ScoreTable.sampleWeights', indices[k]);
      out[k] = uniform ? 1 : 1 / (this.size * this.drawProbability(indices[k], mu, z));
    }
    return out;
  }

  /** Draws b indices with replacement ∝ p; returns indices and their probabilities p_i. O(b log N). */
  draw(b: number, rng: Rng): { indices: Int32Array; probabilities: Float64Array } {
    if (!Number.isInteger(b) || b <= 0) {
      throw new RangeError(`ScoreTable.draw: batch size ${b} must be a positive integer`);
    }
    const indices = new Int32Array(b);
    const probabilities = new Float64Array(b);
    const n = this.size;
    const mu = this.meanScore();
    const z = this.normalizer(mu); // also sets this.coeffs
    if (!(mu > 0) || !(z > 0)) {
      // All scores equal (zero): uniform.
      for (let k = 0; k < b; k++) {
        indices[k] = rng.int(n);
        probabilities[k] = 1 / n;
      }
      this.extraOps += b;
      return { indices, probabilities };
    }
    const coeffs = this.coeffs;
    const treeMass = Math.max(0, this.tree.totalOf(coeffs));
    const unseenWeight = this.maxScore + this.c * mu;
    // One u over [0, z + floorMass): below z it picks by the table (p), above it uniformly
    // (the floor's share ε = floorMass / (z + floorMass)). ε = 0 draws exactly as without a floor.
    const floorMass = this.eps > 0 ? (this.eps / (1 - this.eps)) * z : 0;
    for (let k = 0; k < b; k++) {
      let idx = -1;
      let w = 0;
      // Rounding in the descent can, very rarely, land on a leaf of weight ≤ 0 (a leaf whose
      // true weight is ~0); such a draw is redrawn.
      for (let attempt = 0; attempt < 64 && !(w > 0); attempt++) {
        const u = uniform53(rng) * (z + floorMass);
        if (u >= z && floorMass > 0) {
          let j = Math.floor(((u - z) / floorMass) * n);
          if (j >= n) j = n - 1;
          idx = j;
          w = 1; // any positive value: a floor draw is always kept
          this.extraOps++;
        } else if (this.unseen === 0 || (u < treeMass && treeMass > 0)) {
          idx = this.tree.sampleLinear(u, coeffs);
          w = this.tree.weightOf(idx, coeffs);
        } else {
          let j = Math.floor((u - treeMass) / unseenWeight);
          if (j < 0) j = 0;
          if (j >= this.unseen) j = this.unseen - 1;
          idx = this.perm[j];
          w = unseenWeight;
          this.extraOps++;
        }
      }
      if (!(w > 0)) throw new Error('ScoreTable.draw: internal error, no sample with positive weight found');
      indices[k] = idx;
      probabilities[k] = this.drawProbability(idx, mu, z);
    }
    return { indices, probabilities };
  }

  /**
   * Replaces the scores of these samples (last write wins for repeated indices); one step.
   * Validates everything before writing. O(b log N).
   */
  update(indices: ArrayLike<number>, scores: ArrayLike<number>): void {
    this.checkBatch('ScoreTable.update', indices, scores);
    this.clock++;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const s = scores[k];
      if (s > this.maxScore) this.maxScore = s;
      const p = this.pos[i];
      if (p < this.unseen) {
        // Swap i out of the unseen block.
        const last = this.unseen - 1;
        const other = this.perm[last];
        this.perm[p] = other;
        this.pos[other] = p;
        this.perm[last] = i;
        this.pos[i] = last;
        this.unseen = last;
      }
      this.raw[i] = s;
      this.leaf[CH_S] = s;
      this.leaf[CH_C] = 1;
      this.tree.setLeaf(i, this.leaf);
    }
  }

  /**
   * Records a trained batch (docs/method.md §5): measures τ on it (BatchTauMeter: its fresh
   * scores, the weights it was drawn with, and the weights v = 1/(N·q) the table's q gave its
   * samples when it was drawn), then update()s the table with its scores. Returns the measured
   * τ, pooled over about tauPoolSamples samples; it falls below 1 where the table's q does
   * worse than uniform on the current scores. `drawWeights`: the batch's weights w_k =
   * 1/(N·r_k) for the distribution r it was drawn from; null for a uniform batch.
   * `sampleWeights`: v at the draw (sampleWeights(indices) taken before any later update); when
   * omitted, the weights the table gives now, right only if nothing was written since the draw.
   * Validates everything before changing anything. O(b log N).
   */
  observeBatch(
    indices: ArrayLike<number>,
    scores: ArrayLike<number>,
    drawWeights: ArrayLike<number> | null,
    sampleWeights?: ArrayLike<number>,
  ): number {
    this.checkBatch('ScoreTable.observeBatch', indices, scores);
    for (const [name, w] of [['draw weights', drawWeights], ['sample weights', sampleWeights ?? null]] as const) {
      if (w !== null && w.length !== indices.length) {
        throw new RangeError(
          `ScoreTable.observeBatch: ${indices.length} indices but ${w.length} ${name}; ` +
            'pass one per trained sample (draw weights: null for a uniform batch)',
        );
      }
    }
    // About half an epoch, at most tauPoolSamples: a small set is pooled over no more than it holds.
    const tau = this.meter.add(scores, drawWeights, sampleWeights ?? this.sampleWeights(indices));
    this.update(indices, scores);
    return tau;
  }

  /**
   * The k highest-scored samples (table scores e_i), highest first, ties to the lower index. Only scored samples count; fewer than k come back
   * while fewer are scored. O(N log k): for the UI, not per step.
   */
  top(k: number): { indices: Int32Array; scores: Float64Array } {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`ScoreTable.top: k = ${k} must be an integer ≥ 0`);
    const best = new TopK(Math.min(k, this.seenCount));
    for (let j = this.unseen; j < this.size; j++) best.offer(this.perm[j], this.raw[this.perm[j]]);
    this.extraOps += this.size;
    return best.take();
  }

  // ---- internals ----

  private checkIndex(where: string, i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new RangeError(`${where}: sample index ${i} is out of range; use an integer with 0 ≤ index < ${this.size}`);
    }
  }

  private checkBatch(where: string, indices: ArrayLike<number>, scores: ArrayLike<number>): void {
    if (indices.length !== scores.length) {
      throw new RangeError(`${where}: ${indices.length} indices but ${scores.length} scores; pass one score per index`);
    }
    for (let k = 0; k < indices.length; k++) {
      this.checkIndex(where, indices[k]);
      const s = scores[k];
      if (!Number.isFinite(s) || s < 0) {
        throw new RangeError(
          `${where}: score ${s} for sample ${indices[k]} is not a finite number ≥ 0; ` +
            'pass scores such as the upper bound ‖softmax(z) − y‖ or the loss',
        );
      }
    }
  }

  /** q_i = (1 − ε)·(e_i + c·μ)/z + ε/N, for mean mu and z = normalizer(mu) (which set this.coeffs). */
  private drawProbability(i: number, mu: number, z: number): number {
    const w = this.pos[i] < this.unseen ? this.maxScore + this.c * mu : this.tree.weightOf(i, this.coeffs);
    const p = Math.max(0, w) / z;
    return this.eps > 0 ? (1 - this.eps) * p + this.eps / this.size : p;
  }

  /** Sets this.coeffs = (1, c·μ) for mean mu (a leaf's weight e_i + c·μ) and returns Σ_i (e_i + c·μ). */
  private normalizer(mu: number): number {
    const co = this.coeffs;
    co[CH_S] = 1;
    co[CH_C] = this.c * mu;
    return Math.max(0, this.tree.totalOf(co)) + this.unseen * (this.maxScore + this.c * mu);
  }
}
