// Algorithm 1 of the paper (docs/method.md §4) as a loop over three parts: the condition
// that switches importance sampling on (condition.ts, one per mode), the sampler that draws
// each batch and its weights (samplers/, chosen by name), and the optimizer. Samplers are
// created on first use and kept for the trainer's life, so switching back to the score table
// finds it as it was left.
//
// Steps run in blocks (docs/method.md §7): the k steps of a block are queued on the device
// with nothing read back in between, and everything the steps report (losses, scores, drawn
// indices and weights) comes back in ONE read at the block's end. The condition, the
// settings and a table's draws use what was known at the block's start, so τ is at most one
// block old; block boundaries fall at fixed step counts, so a seed reproduces a run exactly.
import * as tf from '@tensorflow/tfjs';
import { dispatchStep, type DispatchedStep, type TrainingData } from './batchTraining';
import { conditionFor } from './condition';
import { createOptimizer, disposeOptimizer, setLearningRate } from './optimizer';
import { samplingProbabilities } from './sampler';
import { createSampler } from './samplers/registry';
import { UniformSampler } from './samplers/uniform';
import type { BatchDraw, Sampler, SettledBatch } from './samplers/types';
import type { ScoreTable } from './samplers/table/scoreTable';
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
}

/** A step queued on the device, waiting for its block's read. Owns every tensor in it. */
interface QueuedStep {
  batch: BatchDraw;
  trained: DispatchedStep;
}

/** A block's loss turned non-finite: the steps before it did happen, and are in `completed`. */
export class TrainingDivergedError extends Error {
  constructor(
    message: string,
    readonly completed: StepReport[],
  ) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/** The most steps one block may queue. */
export const MAX_BLOCK_STEPS = 256;

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
  private readonly ownsOptimizer: boolean;
  private current: TrainerSettings;
  private optimizer: tf.Optimizer;
  private readonly tau: TauEstimator;
  /** Every sampler used so far, by name; each keeps its state (e.g. its score table). */
  private readonly samplers = new Map<SamplerKind, Sampler>();
  /** Uniform mode's sampler: plain uniform batches, whatever the sampler setting. */
  private plainUniform: UniformSampler | null = null;
  private stepCount = 0;
  /** Samples trained so far (Σ b): the epoch position samplers see (DrawPosition). */
  private samplesTrained = 0;
  private reads = 0;
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

  /** Device reads the trainer has awaited so far: one per block. */
  get readsAwaited(): number {
    return this.reads;
  }

  get tauSmoothed(): number {
    return this.tau.smoothed;
  }

  /**
   * τ_th in force for the current settings: the set or cost-model τ_th, plus the margin of the
   * current sampler's τ measurement (Sampler.tauMargin; the score table's meter error).
   */
  get tauThreshold(): number {
    return tauThresholdOf(this.current) + (this.samplers.get(this.current.sampler)?.tauMargin?.() ?? 0);
  }

  /**
   * The probabilities (up to a common factor) the current sampler's importance draw would give
   * these samples now, whose fresh scores are `scores` (for the variance lab, docs/method.md §8):
   * the presample's ∝ score with its smoothing, the score table's q from its stored scores.
   */
  samplingProbabilities(indices: Int32Array, scores: Float64Array): Float64Array {
    const s = this.current;
    return this.samplerFor(s).samplingProbabilities?.(indices, scores, s) ?? samplingProbabilities(scores, s.smoothing);
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

  /** One step of Algorithm 1 (a block of one). Do not call again before the returned promise settles. */
  async step(): Promise<StepReport> {
    return (await this.trainBlock(1))[0];
  }

  /**
   * k steps of Algorithm 1 queued back to back, then one read; resolves with their reports in
   * order. Settings changed meanwhile apply from the next block. Do not call again before the
   * returned promise settles.
   */
  async trainBlock(k: number): Promise<StepReport[]> {
    if (this.disposed) throw new Error('step() on a disposed ImportanceTrainer');
    if (this.running) throw new Error('step() called while another step is running: await the previous step first');
    if (!Number.isInteger(k) || k < 1 || k > MAX_BLOCK_STEPS) {
      throw new Error(`a block must have 1 to ${MAX_BLOCK_STEPS} steps, got ${k}: set the steps per block within that range`);
    }
    this.running = true;
    const queued: QueuedStep[] = [];
    try {
      const s = this.current;
      const sampler = this.samplerFor(s);
      const threshold = tauThresholdOf(s) + (sampler.tauMargin?.() ?? 0);
      const active = conditionFor(s.mode).isMet({ smoothed: this.tau.smoothed, threshold });
      const t0 = now();
      for (let i = 0; i < k; i++) {
        const samplesSeen = this.samplesTrained + i * s.batchSize;
        const batch = sampler.draw(s, active, { step: this.stepCount + i, samplesSeen, epoch: samplesSeen / this.n });
        try {
          queued.push({ batch, trained: dispatchStep(this.data, this.optimizer, s.score, batch) });
        } catch (e) {
          disposeBatch(batch);
          throw e;
        }
      }
      const settled = await this.readBlock(queued);
      const reports: StepReport[] = [];
      for (const { batch, loss } of settled) {
        if (!Number.isFinite(loss)) {
          const message = `training diverged at step ${this.stepCount}: the batch loss is ${loss}; lower learningRate (now ${s.learningRate})`;
          throw new TrainingDivergedError(message, reports);
        }
        const tauRaw = sampler.observe(batch);
        const presampleScores = batch.presampleScores ?? batch.scores;
        const report: StepReport = {
          step: this.stepCount++,
          mode: s.mode,
          sampler: s.sampler,
          importanceActive: active,
          batchLoss: loss,
          tauRaw,
          tauSmoothed: this.tau.update(tauRaw),
          tauThreshold: threshold,
          indices: batch.indices,
          weights: batch.weights,
          scores: batch.scores,
          presampleScores,
          presampleSummary: summarize(presampleScores),
          scoreMs: 0,
          trainMs: 0,
        };
        reports.push(report);
        this.samplesTrained += batch.indices.length;
      }
      // Timed through observe(): a sampler's upkeep (a score table's update) is part of its
      // step's cost, which the measured τ_th compares with a uniform step (docs/method.md §3).
      const msPerStep = (now() - t0) / k;
      for (const r of reports) r.trainMs = msPerStep;
      return reports;
    } finally {
      for (const q of queued) {
        disposeBatch(q.batch);
        tf.dispose([q.trained.cost, q.trained.scores]);
      }
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
    // Uniform mode trains exactly as a uniform run does: b uniform samples and τ from their own
    // scores, with no sampler upkeep (a score table is neither drawn from nor updated). Two runs
    // in uniform mode then do the same work on the same draws: an A/A race, level on every
    // clock (docs/method.md §4, §6). A sampler keeps its state for when the mode turns back.
    if (s.mode === 'uniform') return (this.plainUniform ??= new UniformSampler({ n: this.n, rng: this.rng }));
    let sampler = this.samplers.get(s.sampler);
    if (!sampler) {
      sampler = createSampler(s.sampler, {
        n: this.n,
        model: this.data.model,
        x: this.data.x,
        y: this.data.y,
        rng: this.rng,
        settings: s,
      });
      this.samplers.set(s.sampler, sampler);
    }
    return sampler;
  }

  /**
   * The block's one read: every step's loss, scores, and whatever the draw left on the device
   * (indices, weights, presample scores), packed into one tensor. It resolves when the block's
   * device work is done.
   */
  private async readBlock(queued: readonly QueuedStep[]): Promise<{ batch: SettledBatch; loss: number }[]> {
    const packed = tf.tidy(() =>
      tf.concat(
        queued.flatMap(({ batch, trained }) => {
          const parts: tf.Tensor1D[] = [tf.reshape(trained.cost, [1]) as tf.Tensor1D, trained.scores];
          if (!(batch.indices instanceof Int32Array)) parts.push(tf.cast(batch.indices, 'float32'));
          if (batch.weights && !(batch.weights instanceof Float32Array)) parts.push(batch.weights);
          if (batch.presampleScores) parts.push(batch.presampleScores);
          return parts;
        }),
      ),
    );
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
      this.reads++;
    } finally {
      packed.dispose();
    }
    let at = 0;
    const take = (n: number): Float32Array => values.slice(at, (at += n));
    return queued.map(({ batch, trained }) => {
      const b = trained.scores.shape[0];
      const loss = take(1)[0];
      const scores = take(b);
      // Indices below 2^24 are exact in float32 (N is far smaller).
      const indices = batch.indices instanceof Int32Array ? batch.indices : Int32Array.from(take(b));
      const weights = batch.weights === null ? new Float32Array(b).fill(1) : batch.weights instanceof Float32Array ? batch.weights : take(b);
      const presampleScores = batch.presampleScores ? take(batch.presampleScores.shape[0]) : null;
      return { batch: { indices, weights, scores, presampleScores }, loss };
    });
  }
}

/** Frees the device tensors a draw handed over. */
function disposeBatch(batch: BatchDraw): void {
  const owned = [batch.indices, batch.weights, batch.presampleScores, batch.scores];
  tf.dispose(owned.filter((t): t is tf.Tensor1D => t instanceof tf.Tensor));
}
