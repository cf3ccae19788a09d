// Algorithm 1 of the paper (uniform / importance / auto), plus the score-table sampler.
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, disposeOptimizer, setLearningRate } from './optimizer';
import { importanceSample, uniformIndices } from './sampler';
import { ScoreTable } from './scoreTable';
import { perSampleGradientNorms, perSampleLoss, scoreBatch, upperBoundScores } from './scores';
import { DEFAULT_SETTINGS, presampleSize, tauThresholdOf } from './settings';
import { summarize } from './summary';
import { TauEstimator, tauFromScores } from './tau';
import type { LogitsModel, Rng, StepReport, TrainerSettings } from './types';
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
   * Awaited after the update in importance steps, whose one read comes before training, so
   * that trainMs covers the device work (e.g. a WebGPU queue fence). Without it trainMs of
   * those steps is the dispatch time and the rest shows up in the next step's read.
   */
  awaitDevice?: () => Promise<void>;
  /** Ageing of the score table (see ScoreTable). */
  tableAgeing?: number;
}

/** What one kind of step hands back to `step()`. */
interface StepCore {
  importanceActive: boolean;
  batchLoss: number;
  indices: Int32Array;
  weights: Float32Array;
  scores: Float32Array;
  presampleScores: Float32Array;
  /** τ of this step, before smoothing. */
  tauRaw: number;
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
  private readonly model: LogitsModel;
  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor2D;
  private readonly rng: Rng;
  private readonly awaitDevice?: () => Promise<void>;
  private readonly tableAgeing?: number;
  private readonly ownsOptimizer: boolean;
  private current: TrainerSettings;
  private optimizer: tf.Optimizer;
  private readonly tau: TauEstimator;
  private table: ScoreTable | null = null;
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
    this.model = model;
    this.x = x;
    this.y = y;
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

  /** The score table, once the table sampler has been used (e.g. for `top(k)` in a UI). */
  get scoreTable(): ScoreTable | null {
    return this.table;
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
    if (this.table && next.smoothing !== prev.smoothing) this.table.setSmoothing(next.smoothing);
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
      const importanceActive = s.mode === 'importance' || (s.mode === 'auto' && this.tau.smoothed > threshold);
      let core: StepCore;
      if (s.sampler === 'table') core = await this.tableStep(s, importanceActive);
      else core = importanceActive ? await this.presampleStep(s) : await this.uniformStep(s);
      if (!Number.isFinite(core.batchLoss)) {
        throw new Error(
          `training diverged at step ${this.stepCount}: the batch loss is ${core.batchLoss}; ` +
            `lower learningRate (now ${s.learningRate})`,
        );
      }
      const tauSmoothed = this.tau.update(core.tauRaw);
      const report: StepReport = {
        step: this.stepCount,
        mode: s.mode,
        sampler: s.sampler,
        importanceActive: core.importanceActive,
        batchLoss: core.batchLoss,
        tauRaw: core.tauRaw,
        tauSmoothed,
        tauThreshold: threshold,
        indices: core.indices,
        weights: core.weights,
        scores: core.scores,
        presampleScores: core.presampleScores,
        presampleSummary: summarize(core.presampleScores),
        scoreMs: core.scoreMs,
        trainMs: core.trainMs,
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

  /** Frees the optimizer it created. The model and data belong to the caller. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ownsOptimizer) disposeOptimizer(this.optimizer);
  }

  /** The paper's importance step: score B uniform samples, draw b ∝ score, train weighted. */
  private async presampleStep(s: TrainerSettings): Promise<StepCore> {
    const B = presampleSize(s);
    const b = s.batchSize;
    const presample = uniformIndices(this.n, B, this.rng);
    const t0 = now();
    // Scores and losses come back in one read.
    const packed = tf.tidy(() => {
      const idx = tf.tensor1d(presample, 'int32');
      const { scores, losses } = scoreBatch(this.model, tf.gather(this.x, idx), tf.gather(this.y, idx), s.score);
      return tf.concat([scores, losses]);
    });
    const values = await packed.data();
    packed.dispose();
    const presampleScores = Float32Array.from(values.subarray(0, B));
    const losses = values.subarray(B);
    const draw = importanceSample(presampleScores, b, this.rng, s.smoothing);
    const scoreMs = now() - t0;

    const indices = new Int32Array(b);
    const scores = new Float32Array(b);
    let batchLoss = 0;
    for (let k = 0; k < b; k++) {
      const pos = draw.positions[k];
      indices[k] = presample[pos];
      scores[k] = presampleScores[pos];
      batchLoss += draw.weights[k] * losses[pos];
    }
    batchLoss /= b;

    const t1 = now();
    const { cost } = this.train(indices, draw.weights, null);
    cost.dispose();
    if (this.awaitDevice) await this.awaitDevice();
    const trainMs = now() - t1;
    return {
      importanceActive: true,
      batchLoss,
      indices,
      weights: draw.weights,
      scores,
      presampleScores,
      tauRaw: tauFromScores(presampleScores),
      scoreMs,
      trainMs,
    };
  }

  /** A uniform step; τ comes free from the scores of its own forward pass. */
  private async uniformStep(s: TrainerSettings): Promise<StepCore> {
    const b = s.batchSize;
    const indices = uniformIndices(this.n, b, this.rng);
    const weights = new Float32Array(b).fill(1);
    const { loss, scores, scoreMs, trainMs } = await this.trainAndRead(s, indices, null);
    return {
      importanceActive: false,
      batchLoss: loss,
      indices,
      weights,
      scores,
      presampleScores: scores,
      tauRaw: tauFromScores(scores),
      scoreMs,
      trainMs,
    };
  }

  /**
   * Score-table step: b samples uniformly (inactive) or ∝ the table (active) from the whole
   * training set, weights 1/(N·p); the table takes the batch's scores from its own forward pass.
   */
  private async tableStep(s: TrainerSettings, active: boolean): Promise<StepCore> {
    const b = s.batchSize;
    const table = this.ensureTable(s);
    const t0 = now();
    let indices: Int32Array;
    let weights: Float32Array;
    if (active) {
      const draw = table.draw(b, this.rng);
      indices = draw.indices;
      weights = new Float32Array(b);
      for (let k = 0; k < b; k++) weights[k] = 1 / (this.n * draw.probabilities[k]);
    } else {
      indices = uniformIndices(this.n, b, this.rng);
      weights = new Float32Array(b).fill(1);
    }
    const drawMs = now() - t0;
    const { loss, scores, scoreMs, trainMs } = await this.trainAndRead(s, indices, active ? weights : null);
    const t1 = now();
    table.update(indices, scores);
    const tauRaw = table.tau();
    const updateMs = now() - t1;
    return {
      importanceActive: active,
      batchLoss: loss,
      indices,
      weights,
      scores,
      presampleScores: scores,
      tauRaw,
      scoreMs: scoreMs + drawMs + updateMs,
      trainMs,
    };
  }

  private ensureTable(s: TrainerSettings): ScoreTable {
    if (!this.table) this.table = new ScoreTable(this.n, { smoothing: s.smoothing, ageing: this.tableAgeing });
    return this.table;
  }

  /**
   * Trains on the batch and reads its weighted loss (before the update) and its scores in
   * one read. upperBound and loss scores are kept from the training forward pass; gnorm
   * needs its own pass (before the update).
   */
  private async trainAndRead(
    s: TrainerSettings,
    indices: Int32Array,
    weights: Float32Array | null,
  ): Promise<{ loss: number; scores: Float32Array; scoreMs: number; trainMs: number }> {
    const t0 = now();
    let gnorms: tf.Tensor1D | null = null;
    if (s.score === 'gnorm') {
      gnorms = tf.tidy(() => {
        const idx = tf.tensor1d(indices, 'int32');
        return perSampleGradientNorms(this.model, tf.gather(this.x, idx), tf.gather(this.y, idx) as tf.Tensor2D);
      });
    }
    const t1 = now();
    const { cost, kept } = this.train(indices, weights, s.score === 'gnorm' ? null : s.score);
    const scoreTensor = gnorms ?? kept;
    if (!scoreTensor) throw new Error('internal: no scores captured');
    const packed = tf.tidy(() => tf.concat([tf.reshape(cost, [1]), scoreTensor]));
    tf.dispose([cost, scoreTensor]);
    const values = await packed.data();
    packed.dispose();
    return { loss: values[0], scores: Float32Array.from(values.subarray(1)), scoreMs: t1 - t0, trainMs: now() - t1 };
  }

  /**
   * One optimizer step on the gathered batch with loss (1/b) Σ w_i ℓ_i (w = 1 when null).
   * Returns the loss before the update and, if asked, the batch's scores from the same
   * forward pass. The caller disposes both.
   */
  private train(
    indices: Int32Array,
    weights: Float32Array | null,
    capture: 'upperBound' | 'loss' | null,
  ): { cost: tf.Scalar; kept: tf.Tensor1D | null } {
    const holder: { scores: tf.Tensor1D | null } = { scores: null };
    const idx = tf.tensor1d(indices, 'int32');
    const xb = tf.gather(this.x, idx);
    const yb = tf.gather(this.y, idx) as tf.Tensor2D;
    const w = weights ? tf.tensor1d(weights) : null;
    const cost = this.optimizer.minimize(
      () => {
        const logits = this.model.logits(xb, true);
        const losses = perSampleLoss(logits, yb);
        if (capture === 'loss') holder.scores = tf.keep(losses);
        else if (capture === 'upperBound') holder.scores = tf.keep(upperBoundScores(logits, yb));
        return tf.mean(w ? tf.mul(losses, w) : losses) as tf.Scalar;
      },
      true,
      this.model.trainableWeights(),
    );
    tf.dispose([idx, xb, yb]);
    if (w) w.dispose();
    if (!cost) throw new Error('internal: optimizer.minimize returned no cost');
    return { cost, kept: holder.scores };
  }
}
