// What a sampler is to the trainer (docs/method.md §2, §4, §5). The trainer runs Algorithm 1:
// it asks the condition (../condition.ts) whether this step samples by importance, asks the
// sampler for a batch, trains on it with the batch's weights, and hands the batch's scores
// back to the sampler, which answers τ. A sampler owns no tensors beyond one draw.
import type * as tf from '@tensorflow/tfjs';
import type { SamplerCapabilities, SamplerInfo, SamplerSizes } from '../catalogue';
import type { ScoreTable } from './table/scoreTable';
import type { LogitsModel, Rng, TrainerSettings } from '../types';

/** What a sampler may use; given once, when the trainer first needs the sampler. */
export interface SamplerContext {
  /** Training-set size N. */
  readonly n: number;
  readonly model: LogitsModel;
  /** Training inputs [N, ...] and one-hot labels [N, C]; not owned (the trainer's caller disposes them). */
  readonly x: tf.Tensor;
  readonly y: tf.Tensor2D;
  /** The run's only source of randomness. */
  readonly rng: Rng;
  /** The settings in force when the sampler is created; later ones come through draw() and settingsChanged(). */
  readonly settings: Readonly<TrainerSettings>;
}

/**
 * A drawn batch, ready to train on. Drawing never reads from the device: a sampler that scores
 * a presample keeps the scores there and draws there (../deviceDraw.ts). Every tensor in it
 * belongs to the trainer once draw() returns (it disposes them after the block's read).
 */
export interface BatchDraw {
  /** Indices into the training set of the b samples (repetitions allowed): drawn on the CPU, or an int32 tensor drawn on the device. */
  readonly indices: Int32Array | tf.Tensor1D;
  /** Per-sample loss weights (../reweighting.ts); null: an unweighted batch (every weight 1). */
  readonly weights: Float32Array | tf.Tensor1D | null;
  /** Scores of the whole scored set (the B presampled), read back with the block for τ and the histograms. */
  readonly presampleScores?: tf.Tensor1D;
  /**
   * Scores of the b drawn samples when the draw already has them (a presample's gnorm pass):
   * the trainer then does not score the batch again. Otherwise they come from the training pass.
   */
  readonly scores?: tf.Tensor1D;
}

/** Where training stands when a batch is drawn (for samplers that anneal or schedule). */
export interface DrawPosition {
  /** Steps trained before this one (0 for the first), counting the block's earlier draws. */
  readonly step: number;
  /** Samples trained before this batch (Σ b over those steps). */
  readonly samplesSeen: number;
  /** samplesSeen / N: the epochs behind this batch (steps × b / N while b stays the same). */
  readonly epoch: number;
}

/** A trained batch as read back at the end of its block: CPU copies, safe to keep. */
export interface SettledBatch {
  readonly indices: Int32Array;
  readonly weights: Float32Array;
  /** The batch's scores (before the update). */
  readonly scores: Float32Array;
  /** The presample's scores, when the sampler scored one. */
  readonly presampleScores: Float32Array | null;
}

export interface Sampler {
  /**
   * The next batch, synchronously and without reading from the device, so that a block of
   * steps runs with no stall (docs/method.md §7). `active`: the condition switched
   * importance sampling on; when false, a sampler draws uniformly (and may still learn from
   * the batch in observe()). `at`: where training stands (step, samples seen, epoch). N, the
   * rng and the model are the context's; b is settings.batchSize, and the sampler's own
   * settings (its meta.ts) are in `settings` too.
   */
  draw(settings: Readonly<TrainerSettings>, active: boolean, at: DrawPosition): BatchDraw;
  /**
   * The trained batch, read back at the end of its block (steps are observed in order): its
   * indices, weights and fresh scores (from the training pass, before the update). Returns this
   * step's τ, before smoothing (docs/method.md §3), from the scores this sampler's distribution
   * is built on.
   */
  observe(batch: SettledBatch): number;
  /** Settings changed between blocks (e.g. the smoothing c). */
  settingsChanged?(next: Readonly<TrainerSettings>, previous: Readonly<TrainerSettings>): void;
  /**
   * How far τ̄ must clear τ_th before Algorithm 1 switches this sampler on: the error of a τ
   * that the sampler measures rather than computes (the score table: TAU_MARGIN_STANDARD_ERRORS
   * standard errors of its meter). Absent: 0, τ is exact for the scores it samples by.
   */
  tauMargin?(): number;
  /**
   * The probabilities (up to a common factor) this sampler's importance draw would give these
   * samples now, whose fresh scores are `scores`: what the variance lab (docs/method.md §8)
   * compares with uniform and with the optimum. Absent: ∝ score with the presample's smoothing.
   */
  samplingProbabilities?(indices: Int32Array, scores: Float64Array, settings: Readonly<TrainerSettings>): Float64Array;
  /** Samplers with capability keepsTable: their table of per-sample scores. */
  readonly scoreTable?: ScoreTable;
  dispose(): void;
}

export type SamplerFactory = (context: SamplerContext) => Sampler;

/** A built-in sampler's implementation: the name its meta gives it and its factory (implementationList.ts lists them). */
export interface SamplerImplementation<Name extends string = string> {
  readonly name: Name;
  readonly create: SamplerFactory;
}

/** What a folder's sampler.ts exports: `export const <name>Sampler = implementSampler(<name>Meta, (context) => …)`. */
export function implementSampler<const Name extends string>(meta: { readonly name: Name }, create: SamplerFactory): SamplerImplementation<Name> {
  return Object.freeze({ name: meta.name, create });
}

/**
 * A sampler to register: its catalogue entry and its implementation. Capabilities default to
 * none, and τ_th to the cost model those capabilities imply (defaultTauThreshold).
 */
export interface SamplerRegistration extends Omit<SamplerInfo, 'capabilities' | 'tauThreshold' | 'settings'> {
  readonly capabilities?: Partial<SamplerCapabilities>;
  tauThreshold?(sizes: SamplerSizes): number;
  readonly create: SamplerFactory;
}
