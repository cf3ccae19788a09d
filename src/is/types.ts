// Public types of the importance-sampling library. Vocabulary follows the paper and the
// authors' Keras library: presample, score, τ, τ_th, reweighting.
import type * as tf from '@tensorflow/tfjs';
import type { ImportanceMode, OptimizerName, SamplerKind, ScoreKind } from './catalogue';
import type { SamplerSettingValues } from './samplers/metas';

// The names of modes, scores (docs/method.md §1), samplers (§2, §5) and optimizers, with
// their explanations, are the catalogue's (catalogue.ts).
export type { ImportanceMode, OptimizerName, SamplerKind, ScoreKind } from './catalogue';

/** A seeded source of uniform numbers in [0, 1). The only randomness the library uses. */
export interface Rng {
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** A 31-bit integer, e.g. to seed a tfjs initializer. */
  seed31(): number;
}

/** A model whose `apply` returns logits [n, classes]. See `asLogitsModel`. */
export interface LogitsModel {
  /** Logits for a batch; must not dispose its input. */
  logits(x: tf.Tensor, training: boolean): tf.Tensor2D;
  trainableWeights(): tf.Variable[];
  /** Number of classes (logits per sample), when known; used to check label shapes. */
  readonly classes?: number;
}

/**
 * The trainer's settings: these, and every built-in sampler's own settings (SamplerSettingValues:
 * `smoothing` of the presample, `tableSmoothing` of the score table, …; each sampler folder's
 * meta.ts declares them with their ranges and defaults).
 */
export interface TrainerSettings extends SamplerSettingValues {
  mode: ImportanceMode;
  sampler: SamplerKind;
  score: ScoreKind;
  /** b */
  batchSize: number;
  /** B / b (> 1) */
  presampleFactor: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  /** τ_th; null = the cost model (B + 3b) / (3b). */
  tauThreshold: number | null;
  /** EMA momentum a_τ of τ. */
  tauMomentum: number;
}

export interface ScoreSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** What one `step()` did. Arrays are CPU copies, safe to keep. */
export interface StepReport {
  step: number;
  mode: ImportanceMode;
  sampler: SamplerKind;
  /** True when this step trained on importance-sampled, reweighted samples. */
  importanceActive: boolean;
  /** Weighted mean loss of the trained batch, before the update. */
  batchLoss: number;
  tauRaw: number;
  tauSmoothed: number;
  tauThreshold: number;
  /** Indices into the training set of the b drawn samples (with repetitions). */
  indices: Int32Array;
  weights: Float32Array;
  scores: Float32Array;
  /** Scores of the presample (or of the training batch in uniform steps). */
  presampleScores: Float32Array;
  presampleSummary: ScoreSummary;
  /** Time spent scoring and training, ms (wall clock around the awaited work). */
  scoreMs: number;
  trainMs: number;
}
