// Algorithm 1 of the paper (docs/method.md §4) as a loop over three parts: the condition
// that switches importance sampling on (condition.ts, one per mode), the sampler that draws
// each batch and its weights (samplers/, chosen by name), and the optimizer. Samplers are
// created on first use and kept for the trainer's life, so switching back to the score table
// finds it as it was left.
import type * as tf from '@tensorflow/tfjs';
import { trainAndReadScores, trainBatch, weightedMeanLoss, type TrainingData } from './batchTraining';
import { conditionFor } from './condition';
import { createOptimizer, disposeOptimizer, setLearningRate } from './optimizer';
import { createSampler } from './samplers/registry';
import type { BatchDraw, PrescoredBatch, Sampler } from './samplers/types';
import type { ScoreTable } from './scoreTable';
import { DEFAULT_SETTINGS, tauThresholdOf } from './settings';
import { summarize } from './summary';
import { TauEstimator } from './tau';
import type { LogitsModel, Rng, SamplerKind, StepReport, TrainerSettings } from './types';
import { checkSettingKeys, validateSettings, validateTrainingData } from './validate';

export interface TrainerOptions {
  model: LogitsModel;
  /** Training inputs [N, ...], on the device. Not owned: the caller disposes them. */
  x: tf.Tensor;
  /** One-hot labels [N, C], on the device. Not owned. */
  y: tf.Tensor2D;
  /** The only source of randomness (presamples, draws). */
  rng: Rng;
  settings?: Partial<TrainerSettings>;
  /**
   * Use this optimizer as it is (e.g. a compiled model's). The optimizer, learningRate and
   * momentum settings are then not applied, and the trainer does not dispose it.
   */
  optimizer?: tf.Optimizer;
  /**
   * Awaited after the update in steps whose batch the sampler scored before training (the
   * presample sampler's importance steps), whose one read comes before training, so that
   * trainMs covers the device work (e.g. a WebGPU queue fence). Without it trainMs of those
   * steps is the dispatch time and the rest shows up in the next step's read.
   */
  awaitDevice?: () => Promise<void>;
  /** Ageing of the score table (see ScoreTable). */
  tableAgeing?: number;
}

/** What training a drawn batch hands back to step(). */
interface StepResult {
  /** Weighted mean loss of the batch, before the update. */
  loss: number;
  /** The batch's scores, one per drawn sample. */
  scores: Float32Array;
  /** Scoring time outside the draw (the gnorm pass), ms. */
  scoreMs: number;
  trainMs: number;
}

const now = (): number => performance.now();

/** Drops keys whose value is undefined, so that `{ mode: undefined }` keeps the current mode. */
function defined(partial: Partial<TrainerSettings> = {}): Partial<TrainerSettings> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
}

export class ImportanceTrainer {
  /** Training-set size. */
  readonly n: number;
  private readonly data: TrainingData;
  private readonly rng: Rng;
  private readonly awaitDevice?: () => Promise<void>;
  private readonly tableAgeing?: number;
  private readonly ownsOptimizer: boolean;
  private current: TrainerSettings;
  private optimizer: tf.Optimizer;
  private readonly tau: TauEstimator;
  /** Every sampler used so far, by name; each keeps its state (e.g. its score table). */
  private readonly samplers = new Map<SamplerKind, Sampler>();
  private stepCount = 0;
  private running = false;
  private pending: Partial<TrainerSettings> | null = null;
  private disposed = false;

  constructor(options: TrainerOptions) {
    const { model, x, y } = options;
    validateTrainingData(x, y, model.classes);
    this.n = x.shape[0];
    const settings = { ...DEFAULT_SETTINGS, ...defined(options.settings) };
    checkSettingKeys(settings);
    validateSettings(settings, this.n);
    this.data = { model, x, y };
    this.rng = options.rng;
    this.awaitDevice = options.awaitDevice;
    this.tableAgeing = options.tableAgeing;
    this.current = settings;
    this.ownsOptimizer = options.optimizer == null;
    this.optimizer = options.optimizer ?? createOptimizer(settings.optimizer, settings.learningRate, settings.momentum);
    this.tau = new TauEstimator(settings.tauMomentum);
  }

  get settings(): Readonly<TrainerSettings> {
    return { ...this.current };
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.stepCount;
  }

  get tauSmoothed(): number {
    return this.tau.smoothed;
  }

  /** τ_th in force for the current settings. */
  get tauThreshold(): number {
    return tauThresholdOf(this.current);
  }

  /** The score table, once a sampler that keeps one (capability keepsTable) has been used (e.g. for `top(k)` in a UI). */
  get scoreTable(): ScoreTable | null {
    for (const sampler of this.samplers.values()) if (sampler.scoreTable) return sampler.scoreTable;
    return null;
  }

  /**
   * Changes settings; they take effect from the next step (a step in progress finishes with
   * the old ones). Throws, changing nothing, if the result is invalid.
   */
  updateSettings(partial: Partial<TrainerSettings>): void {
    checkSettingKeys(partial);
    partial = defined(partial);
    const merged = { ...this.current, ...this.pending, ...partial };
    validateSettings(merged, this.n);
    if (this.running) {
      this.pending = { ...this.pending, ...partial };
      return;
    }
    this.apply(merged);
  }

  private apply(next: TrainerSettings): void {
    const prev = this.current;
    this.current = next;
    this.tau.momentum = next.tauMomentum;
    for (const sampler of this.samplers.values()) sampler.settingsChanged?.(next, prev);
    if (!this.ownsOptimizer) return;
    // tfjs's MomentumOptimizer.setMomentum does not reach its update, so a new momentum
    // needs a new optimizer (its velocity starts again from zero).
    const rebuild = next.optimizer !== prev.optimizer || (next.optimizer === 'sgd' && next.momentum !== prev.momentum);
    if (rebuild) {
      disposeOptimizer(this.optimizer);
      this.optimizer = createOptimizer(next.optimizer, next.learningRate, next.momentum);
    } else if (next.learningRate !== prev.learningRate) {
      setLearningRate(this.optimizer, next.learningRate);
    }
  }

  /** One step of Algorithm 1. Do not call again before the returned promise settles. */
  async step(): Promise<StepReport> {
    if (this.disposed) throw new Error('step() on a disposed ImportanceTrainer');
    if (this.running) throw new Error('step() called while another step is running: await the previous step first');
    this.running = true;
    try {
      const s = this.current;
      const threshold = tauThresholdOf(s);
      const active = conditionFor(s.mode).isMet({ smoothed: this.tau.smoothed, threshold });
      const sampler = this.samplerFor(s);
      const t0 = now();
      const batch = await sampler.draw(s, active);
      const drawMs = now() - t0;
      const trained = batch.prescored ? await this.trainPrescored(batch, batch.prescored) : await this.trainAndRead(s, batch);
      const t1 = now();
      const tauRaw = sampler.observe(batch, trained.scores);
      const observeMs = now() - t1;
      if (!Number.isFinite(trained.loss)) {
        throw new Error(
          `training diverged at step ${this.stepCount}: the batch loss is ${trained.loss}; ` +
            `lower learningRate (now ${s.learningRate})`,
        );
      }
      const presampleScores = batch.prescored?.presampleScores ?? trained.scores;
      const report: StepReport = {
        step: this.stepCount,
        mode: s.mode,
        sampler: s.sampler,
        importanceActive: active,
        batchLoss: trained.loss,
        tauRaw,
        tauSmoothed: this.tau.update(tauRaw),
        tauThreshold: threshold,
        indices: batch.indices,
        weights: batch.weights ?? new Float32Array(batch.indices.length).fill(1),
        scores: trained.scores,
        presampleScores,
        presampleSummary: summarize(presampleScores),
        scoreMs: drawMs + trained.scoreMs + observeMs,
        trainMs: trained.trainMs,
      };
      this.stepCount++;
      return report;
    } finally {
      this.running = false;
      if (this.pending) {
        const merged = { ...this.current, ...this.pending };
        this.pending = null;
        this.apply(merged);
      }
    }
  }

  /** Frees the optimizer it created and the samplers. The model and data belong to the caller. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const sampler of this.samplers.values()) sampler.dispose();
    if (this.ownsOptimizer) disposeOptimizer(this.optimizer);
  }

  private samplerFor(s: TrainerSettings): Sampler {
    let sampler = this.samplers.get(s.sampler);
    if (!sampler) {
      sampler = createSampler(s.sampler, {
        n: this.n,
        model: this.data.model,
        x: this.data.x,
        y: this.data.y,
        rng: this.rng,
        settings: s,
        tableAgeing: this.tableAgeing,
      });
      this.samplers.set(s.sampler, sampler);
    }
    return sampler;
  }

  /**
   * A batch the sampler scored already: its loss is the weighted mean of the losses read with
   * the scores, and the step reads nothing back. Awaits the device (if given) so that trainMs
   * covers the device work.
   */
  private async trainPrescored(batch: BatchDraw, prescored: PrescoredBatch): Promise<StepResult> {
    const t0 = now();
    const { cost } = trainBatch(this.data, this.optimizer, batch.indices, batch.weights, null);
    cost.dispose();
    if (this.awaitDevice) await this.awaitDevice();
    const trainMs = now() - t0;
    return { loss: weightedMeanLoss(prescored.losses, batch.weights), scores: prescored.scores, scoreMs: 0, trainMs };
  }

  /** Trains on the batch and reads its loss and scores from the training pass. */
  private trainAndRead(s: TrainerSettings, batch: BatchDraw): Promise<StepResult> {
    return trainAndReadScores(this.data, this.optimizer, s.score, batch.indices, batch.weights);
  }
}
