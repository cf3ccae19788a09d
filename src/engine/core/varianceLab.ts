// The variance lab (docs/method.md §8; the paper's RQ4, live): how much the chosen score
// actually reduces the variance of the batch gradient, measured on a probe presample of the
// current model, against what τ predicts from the scores alone and against the best any
// sampling distribution over that presample could do.
//
// The estimator. Over a presample P of B samples with per-sample gradient vectors g_i (all
// trainable weights) and mean ḡ = (1/B) Σ g_i, a batch of b draws I_1..I_b with replacement
// from p, each weighted 1/(B·p_I), gives ĝ = (1/b) Σ_k g_{I_k} / (B·p_{I_k}), unbiased for ḡ
// (docs/method.md §2). Its total variance (trace of the covariance) is, in closed form,
//     Var_p = E‖ĝ − ḡ‖² = (1/b) · ( Σ_i ‖g_i‖² / (B²·p_i) − ‖ḡ‖² ).
// This needs the vectors only through ‖g_i‖² and ‖ḡ‖², so the lab keeps the squared norms
// and the running sum Σ g_i, never the B×P matrix of gradients (bench/variance.ts keeps
// it, for its Monte-Carlo check; the closed form is the same). ‖ḡ‖² is kept, not neglected
// as τ's derivation does (docs/method.md §3): it is the reason the measured reduction can
// fall short of τ², and it is what the lab is here to show.
//   uniform   p_i = 1/B:             Var_u = (1/b)((1/B) Σ ‖g_i‖² − ‖ḡ‖²)
//   score     the importance run's own sampler's p over the probe: ∝ s + c·s̄ for the
//             presample (samplingProbabilities), the table's q from its stored scores, with
//             its smoothing and floor, for the score table (Sampler.samplingProbabilities)
//   optimum   p ∝ ‖g_i‖:             Var_* = (1/b)((1/B²)(Σ ‖g_i‖)² − ‖ḡ‖²)
// Var_* ≤ Var_p for every p (Cauchy–Schwarz: (Σ‖g_i‖)² ≤ Σ(‖g_i‖²/p_i)·Σp_i), so the optimum
// is below both others; the score may be above or below uniform.
import * as tf from '@tensorflow/tfjs';
import type { DeviceData } from '../../data';
import {
  createRng,
  deriveSeed,
  perSampleLoss,
  presampleSize,
  samplingProbabilities,
  scoresFromLogits,
  tauForSampling,
  tauFromScores,
  uniformIndices,
  type LogitsModel,
  type Rng,
  type ScoreKind,
} from '../../is';
import type { VarianceLabPoint } from '../../contract/protocol';
import type { Settings } from '../../contract/settings';

/** Largest probe presample the engine uses: the exact gradients cost one backward pass per sample. */
export const VARIANCE_LAB_MAX_PRESAMPLE = 64;

export interface VarianceLabResult {
  /** Var_u: total variance of the b-draw batch gradient under uniform sampling of the probe. */
  uniformVariance: number;
  /** Var_p for p ∝ the chosen score (with smoothing), weights 1/(B·p). */
  scoreVariance: number;
  /** Var_* for p ∝ the exact per-sample gradient norms: the least any p achieves. */
  optimalVariance: number;
  /** τ the sampler would compute from these scores (tauFromScores with the smoothing). */
  predictedTau: number;
  /** Var_u / Var_p: the reduction sampling by the score actually achieves (compare with τ²). */
  measuredReduction: number;
  /** B and b the variances refer to. */
  presampleSize: number;
  batchSize: number;
}

/** What the closed forms need, in float64: per-sample ‖g_i‖², ‖ḡ‖² and the scores. */
export interface GradientMoments {
  /** ‖g_i‖² for the B probe samples. */
  squaredNorms: ArrayLike<number>;
  /** ‖ḡ‖², ḡ the probe's mean gradient. */
  meanGradientSquaredNorm: number;
  /** The chosen score of each probe sample. */
  scores: ArrayLike<number>;
  /**
   * The probabilities (up to a factor) the importance run's sampler gives the probe samples
   * (Sampler.samplingProbabilities). Absent: ∝ score with the smoothing passed beside.
   */
  scoreProbabilities?: ArrayLike<number>;
}

/**
 * E‖ĝ − ḡ‖² of b draws with replacement from p (normalised here), weighted 1/(B·p):
 * (1/b)(Σ_i ‖g_i‖²/(B²p_i) − ‖ḡ‖²). A sample with p_i = 0 is never drawn and is skipped, as
 * the sampler skips it: p_i = 0 happens only for a score of exactly 0 without smoothing,
 * i.e. a prediction that is one-hot in float32, whose gradient is zero up to rounding
 * (docs/method.md §1). Clamped at 0: rounding of the two terms may leave a hair below it.
 */
export function importanceMeanVariance(squaredNorms: ArrayLike<number>, meanGradientSquaredNorm: number, p: ArrayLike<number>, b: number): number {
  const B = squaredNorms.length;
  if (p.length !== B) throw new RangeError(`importanceMeanVariance: ${B} squared norms but ${p.length} probabilities; pass one per sample`);
  checkBatchSize(b);
  let pSum = 0;
  for (let i = 0; i < B; i++) pSum += p[i];
  if (!(pSum > 0)) throw new RangeError('importanceMeanVariance: the probabilities sum to 0; pass a distribution');
  let second = 0;
  for (let i = 0; i < B; i++) {
    const q = p[i] / pSum;
    if (q > 0) second += squaredNorms[i] / q;
  }
  return Math.max(0, (second / (B * B) - meanGradientSquaredNorm) / b);
}

/** The lab's figures from the gradient moments of a probe (plain float64 arithmetic). */
export function varianceLabFromMoments(m: GradientMoments, batchSize: number, smoothing: number): VarianceLabResult {
  const B = m.squaredNorms.length;
  if (m.scores.length !== B) throw new RangeError(`varianceLabFromMoments: ${B} squared norms but ${m.scores.length} scores; pass one per sample`);
  const uniform = new Float64Array(B).fill(1 / B);
  const norms = Float64Array.from(m.squaredNorms, (v) => Math.sqrt(Math.max(0, v)));
  const uniformVariance = importanceMeanVariance(m.squaredNorms, m.meanGradientSquaredNorm, uniform, batchSize);
  if (m.scoreProbabilities && m.scoreProbabilities.length !== B) {
    throw new RangeError(`varianceLabFromMoments: ${B} squared norms but ${m.scoreProbabilities.length} sampler probabilities; pass one per sample`);
  }
  const p = m.scoreProbabilities ?? samplingProbabilities(m.scores, smoothing);
  const scoreVariance = importanceMeanVariance(m.squaredNorms, m.meanGradientSquaredNorm, p, batchSize);
  // p ∝ ‖g_i‖; all-zero gradients give uniform p and zero variance everywhere.
  const optimalVariance = importanceMeanVariance(m.squaredNorms, m.meanGradientSquaredNorm, samplingProbabilities(norms), batchSize);
  return {
    uniformVariance,
    scoreVariance,
    optimalVariance,
    // τ_q of sampling by p on these scores (tau.ts); for p ∝ s + c·s̄ it is tauFromScores(s, c).
    predictedTau: m.scoreProbabilities ? tauForSampling(m.scores, m.scoreProbabilities) : tauFromScores(m.scores, smoothing),
    // 0/0 (every gradient equal, or zero): no reduction either way.
    measuredReduction: scoreVariance > 0 ? uniformVariance / scoreVariance : uniformVariance > 0 ? Infinity : 1,
    presampleSize: B,
    batchSize,
  };
}

export interface VarianceLabOptions {
  /** Read only: the lab computes gradients but never updates the weights. */
  model: LogitsModel;
  /** The resident training data the probe is drawn from. */
  data: DeviceData;
  /** Draws the probe presample (B distinct training indices, uniformly). */
  rng: Rng;
  /** B, the probe's size: 1 ≤ B ≤ N; the engine keeps it ≤ VARIANCE_LAB_MAX_PRESAMPLE. */
  presampleSize: number;
  /** b, the batch whose gradient's variance is reported (all three variances scale as 1/b). */
  batchSize: number;
  score: ScoreKind;
  /** Additive smoothing c of the sampler (p ∝ s + c·s̄), where `probabilities` is absent. */
  smoothing: number;
  /** The importance run's sampler's probabilities for the probe samples (Sampler.samplingProbabilities). */
  probabilities?: (indices: Int32Array, scores: Float64Array) => Float64Array;
}

/**
 * Measures the lab's figures on a fresh probe presample. Costs one forward pass over the
 * probe (the score) and one backward pass per probe sample (the exact gradients: tfjs has no
 * per-sample gradients in one pass). Memory stays bounded whatever B: the samples are taken
 * one at a time, each in its own scope that keeps only its ‖g_i‖² (a scalar) and the new
 * running sum Σ g (one tensor per weight); the B passes are queued with no read between
 * them. Ends with one awaited read of everything (B squared norms, B scores, ‖Σ g‖²), so the
 * device queue is empty when it returns; every tensor it made is disposed, on error too.
 * The same measurement in one piece as VarianceLabMeasurement, which the page runs in pieces.
 */
export async function measureVarianceLab(o: VarianceLabOptions): Promise<VarianceLabResult> {
  const measurement = new VarianceLabMeasurement(o);
  try {
    measurement.step(Infinity);
    return await measurement.result();
  } finally {
    measurement.dispose();
  }
}

/**
 * A variance-lab measurement in pieces (the page's engine runs one piece per turn of its
 * command chain, so that Pause and Reset get in between: on the CPU one backward pass of a
 * small CNN takes half a second, and a probe of 64 of them half a minute). Each piece queues the
 * backward passes of the next few probe samples, in order, into the same running sums, so the
 * figures are those of measureVarianceLab whatever the pieces. The model must not train until
 * result() or dispose().
 *
 * Tensor ownership: the probe's samples, each ‖g_i‖² and the running sum Σ g are owned here and
 * freed by result() or dispose().
 */
export class VarianceLabMeasurement {
  private readonly indices: Int32Array;
  private readonly vars: tf.Variable[];
  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor;
  private readonly squared: tf.Scalar[] = [];
  /** Σ g_i per weight over the samples done so far; null before the first. */
  private sum: tf.Tensor[] | null = null;
  private finished = false;

  constructor(private readonly o: VarianceLabOptions) {
    const B = o.presampleSize;
    const n = o.data.train.count;
    if (!Number.isInteger(B) || B < 1 || B > n) {
      throw new RangeError(`measureVarianceLab: presampleSize ${B} must be a whole number in [1, ${n}] (the training samples)`);
    }
    checkBatchSize(o.batchSize);
    this.indices = uniformIndices(n, B, o.rng);
    this.vars = o.model.trainableWeights();
    const { x, y } = o.data.gather(this.indices, 'train');
    this.x = x;
    this.y = y;
  }

  /** True once every probe sample's backward pass is queued: result() next. */
  get done(): boolean {
    return this.squared.length >= this.o.presampleSize;
  }

  /** Queues the backward passes of the next `samples` probe samples (at least one; Infinity: all that are left). */
  step(samples: number): void {
    const end = Math.min(this.o.presampleSize, this.squared.length + Math.max(1, samples));
    for (let i = this.squared.length; i < end; i++) {
      const prev: tf.Tensor[] | null = this.sum;
      const { sq, next } = tf.tidy((): { sq: tf.Scalar; next: tf.Tensor[] } => {
        const xi = tf.slice(this.x, i, 1);
        const yi = tf.slice(this.y, i, 1) as tf.Tensor2D;
        const { value, grads } = tf.variableGrads(() => tf.sum(perSampleLoss(this.o.model.logits(xi, false), yi)) as tf.Scalar, this.vars);
        value.dispose();
        // A weight the loss does not reach has no gradient: it adds 0 to every norm.
        const gs = this.vars.map((v) => grads[v.name]).filter((g): g is tf.Tensor => g !== undefined);
        const sq = tf.addN(gs.map((g) => tf.sum(tf.square(g)))) as tf.Scalar;
        return { sq, next: prev ? gs.map((g, k) => tf.add(prev[k], g)) : gs };
      });
      this.squared.push(sq);
      this.sum = next;
      if (prev) tf.dispose(prev);
    }
  }

  /** After the last piece: the one read, and the lab's figures. Frees everything it holds. */
  async result(): Promise<VarianceLabResult> {
    if (!this.done) throw new Error('internal: a variance-lab probe was read before its last piece');
    const o = this.o;
    const B = o.presampleSize;
    const sum = this.sum;
    const packed = tf.tidy(() => {
      const sqNorms = tf.stack(this.squared) as tf.Tensor1D;
      const scores = o.score === 'gnorm' ? tf.sqrt(sqNorms) : scoresFromLogits(o.model.logits(this.x, false), this.y as tf.Tensor2D, o.score).scores;
      const total = sum ? tf.addN(sum.map((g) => tf.sum(tf.square(g)))) : tf.scalar(0);
      return tf.concat([sqNorms, scores, tf.reshape(total, [1])]);
    });
    try {
      const v = await packed.data();
      const sumSq = v[2 * B];
      const scores = Float64Array.from(v.subarray(B, 2 * B));
      return varianceLabFromMoments(
        {
          squaredNorms: Float64Array.from(v.subarray(0, B)),
          scores,
          meanGradientSquaredNorm: sumSq / (B * B),
          scoreProbabilities: o.probabilities?.(this.indices, scores),
        },
        o.batchSize,
        o.smoothing,
      );
    } finally {
      packed.dispose();
      this.dispose();
    }
  }

  /** Frees what it holds (also a probe dropped half-way: a reset, a new race). */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    tf.dispose([this.x, this.y, ...this.squared, ...(this.sum ?? [])]);
    this.squared.length = 0;
    this.sum = null;
  }
}

function checkBatchSize(b: number): void {
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`variance lab: batchSize ${b} must be a whole number ≥ 1`);
}

/** True when a block of k steps that ended at `step` crossed a multiple of `interval` (0 = off). */
export function crossedMultiple(step: number, k: number, interval: number): boolean {
  return interval > 0 && k > 0 && Math.floor(step / interval) > Math.floor((step - k) / interval);
}

/** What a probe needs of a run (run.ts's Run fits). */
export interface ProbedRun {
  readonly step: number;
  readonly logits: LogitsModel;
  /** Device reads awaited for the run: a probe's one read is counted here. */
  deviceReads: number;
  /** The run's sampler, for its probabilities over the probe (absent: ∝ score with the smoothing). */
  readonly trainer?: { samplingProbabilities?(indices: Int32Array, scores: Float64Array): Float64Array };
}

/** The settings a probe reads. */
export type VarianceLabSettings = Pick<Settings, 'seed' | 'batchSize' | 'presampleFactor' | 'score' | 'smoothing' | 'varianceLabInterval'>;

/**
 * The engine's probes: after a block that crossed a multiple of varianceLabInterval, one
 * measurement on the run's current model, buffered per run until the next metrics message.
 * The caller runs it off every clock (between blocks), in pieces or in one. B is the training
 * presample's size, capped at VARIANCE_LAB_MAX_PRESAMPLE and at N; the probe's presample comes
 * from a seed of its own (the settings' seed and the step), so probing draws nothing from the
 * training streams and the same seed gives the same probes.
 */
export class VarianceLabProbes {
  // Keyed by the run object: a rebuilt run starts with no buffer, nothing to reset.
  private readonly buffers = new WeakMap<ProbedRun, VarianceLabPoint[]>();

  /**
   * The probe due after a block of k steps that just ended, when it crossed a multiple of the
   * interval (null otherwise): the measurement, to be run in pieces or in one, and `record`,
   * which buffers its point once it is read.
   */
  probeAfterBlock(run: ProbedRun, k: number, s: VarianceLabSettings, data: DeviceData): { measurement: VarianceLabMeasurement; record: (r: VarianceLabResult) => void } | null {
    if (!crossedMultiple(run.step, k, s.varianceLabInterval)) return null;
    const measurement = new VarianceLabMeasurement({
      model: run.logits,
      data,
      rng: createRng(deriveSeed(s.seed, `engine.varianceLab.${run.step}`)),
      presampleSize: Math.min(presampleSize(s), VARIANCE_LAB_MAX_PRESAMPLE, data.train.count),
      batchSize: s.batchSize,
      score: s.score,
      smoothing: s.smoothing,
      // The sampler in force when the probe is read (a live change of sampler between its pieces: the new one's).
      probabilities: run.trainer?.samplingProbabilities ? (idx, sc) => run.trainer!.samplingProbabilities!(idx, sc) : undefined,
    });
    const step = run.step;
    const record = (r: VarianceLabResult): void => {
      run.deviceReads++;
      const point: VarianceLabPoint = { step, ...r };
      const buffer = this.buffers.get(run);
      if (buffer) buffer.push(point);
      else this.buffers.set(run, [point]);
    };
    return { measurement, record };
  }

  /** The points buffered for a run since the last call, or null when there are none. */
  take(run: ProbedRun): VarianceLabPoint[] | null {
    const buffer = this.buffers.get(run);
    if (!buffer?.length) return null;
    this.buffers.delete(run);
    return buffer;
  }
}
