// What a sampler is to the trainer (docs/method.md §2, §4, §5). The trainer runs Algorithm 1:
// it asks the condition (../condition.ts) whether this step samples by importance, asks the
// sampler for a batch, trains on it with the batch's weights, and hands the batch's scores
// back to the sampler, which answers τ. A sampler owns no tensors beyond one step.
import type * as tf from '@tensorflow/tfjs';
import type { SamplerCapabilities, SamplerInfo, SamplerSizes } from '../catalogue';
import type { ScoreTable } from '../scoreTable';
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
  /** Ageing rate of a score table (see ScoreTable), if the trainer was given one. */
  readonly tableAgeing?: number;
}

/** A batch that the sampler scored before training (the presample's forward pass). */
export interface PrescoredBatch {
  /** Scores of the b drawn samples. */
  readonly scores: Float32Array;
  /** Their per-sample losses, from the same pass. */
  readonly losses: Float32Array;
  /** Scores of the whole scored set (the B presampled). */
  readonly presampleScores: Float32Array;
}

export interface BatchDraw {
  /** Indices into the training set of the b samples to train on (repetitions allowed). */
  readonly indices: Int32Array;
  /** Per-sample loss weights (../reweighting.ts); null: an unweighted batch (every weight 1). */
  readonly weights: Float32Array | null;
  /**
   * Set when the sampler scored the batch before training: the trainer then takes the batch
   * loss from these losses and trains without reading anything back. Otherwise the trainer
   * reads the loss and the scores from the training pass.
   */
  readonly prescored?: PrescoredBatch | null;
}

export interface Sampler {
  /**
   * The next batch. `active`: the condition switched importance sampling on for this step;
   * when false, a sampler draws uniformly (and may still learn from the batch in observe()).
   */
  draw(settings: Readonly<TrainerSettings>, active: boolean): Promise<BatchDraw>;
  /**
   * The trained batch's scores (from the training pass, or the drawn ones of a prescored
   * batch), one per index of `batch`. Returns this step's τ, before smoothing
   * (docs/method.md §3), from the scores this sampler's distribution is built on.
   */
  observe(batch: BatchDraw, scores: Float32Array): number;
  /** Settings changed between steps (e.g. the smoothing c). */
  settingsChanged?(next: Readonly<TrainerSettings>, previous: Readonly<TrainerSettings>): void;
  /** Samplers with capability keepsTable: their table of per-sample scores. */
  readonly scoreTable?: ScoreTable;
  dispose(): void;
}

export type SamplerFactory = (context: SamplerContext) => Sampler;

/**
 * A sampler to register: its catalogue entry and its implementation. Capabilities default to
 * none, and τ_th to the cost model those capabilities imply (defaultTauThreshold).
 */
export interface SamplerRegistration extends Omit<SamplerInfo, 'capabilities' | 'tauThreshold'> {
  readonly capabilities?: Partial<SamplerCapabilities>;
  tauThreshold?(sizes: SamplerSizes): number;
  readonly create: SamplerFactory;
}
