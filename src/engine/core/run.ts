// One training run of a race: its model, its trainer, its own clock, its counters, and why it
// stopped (if it did). The engine and the benchmarks both step runs through here, so what a
// clock counts is decided in one place (docs/method.md §7): a run's clock counts its own
// blocks of steps and nothing else. The points it makes (a step point per step, an evaluation
// point per evaluation) go to its observer as they are made; the run keeps none.
//
// Fair clocks on queued backends (WebGPU): a clock starts only when the device queue holds
// nothing of anyone else's, and stops when the run's own work has finished. Both hold by
// construction: every piece of device work in a race (a block, an evaluation, a cost probe,
// the warm-up) ends with an awaited read of its result before anything else starts, and a
// block's clock stops after its one read, which waits for all of the block's work.
//
// Hidden pages: a block during which the page was hidden may have been frozen for any length
// of time, so its measured time is not trusted: it is charged the run's recent time per step
// (at most what was measured) and its points are marked clockEstimated (docs/method.md §7).
import type * as tf from '@tensorflow/tfjs';
import type { LogitsModel, StepReport, TrainerSettings } from '../../is';
import { Ema } from './ema';
import { honestEvaluation, honestResult, type EvalSet, type PiecewiseEvaluation } from './evaluate';
import { errorText, isDeviceLost, isNonFinite } from './faults';
import type { EvalPoint, RunId, StepPoint } from '../../contract/protocol';
import { hiddenBetween, type HiddenMark } from './hiddenTime';

/** What a run needs of a trainer (src/is ImportanceTrainer fits). */
export interface RunTrainer {
  /** k steps queued back to back with one read at the end (docs/method.md §7). */
  trainBlock(k: number): Promise<StepReport[]>;
  /** Device reads awaited so far (for the stalls figure); absent: unknown. */
  readonly readsAwaited?: number;
  updateSettings(change: Partial<TrainerSettings>): void;
  /** The settings in force (src/is ImportanceTrainer has them; a test double may not). */
  readonly settings?: Readonly<TrainerSettings>;
  readonly tauThreshold: number;
  /** The probabilities the run's sampler gives these samples now (the variance lab's "score" line). */
  samplingProbabilities?(indices: Int32Array, scores: Float64Array): Float64Array;
  /** The score table, once a table sampler has run (its top entries feed the image grid). */
  readonly scoreTable?: {
    top(k: number): { indices: Int32Array; scores: Float64Array };
    probability(i: number): number;
  } | null;
  dispose(): void;
}

/** How a run reads time, in ms. */
export interface RunClock {
  now(): number;
  /** The page's visibility now (page/visibility.ts); absent: the page counts as always visible. */
  hiddenMark?(): HiddenMark;
}

/**
 * Where a run's points go (the page buffers them for its metrics messages: page/metricsBuffer.ts;
 * the benchmarks keep their own figures and pass none).
 */
export interface RunObserver {
  /** A block's step points, in order, once its time is on the run's clock. */
  onBlock(run: Run, points: readonly StepPoint[]): void;
  /** An evaluation's point, once read back. */
  onEval(run: Run, point: EvalPoint): void;
}

/** How one block ended. */
export type StepOutcome =
  | { kind: 'stepped'; reports: StepReport[] }
  /** The run halted (non-finite loss or an error); `error` is set for errors worth reporting. */
  | { kind: 'halted'; reason: string; error?: string };

export class Run {
  step = 0;
  samplesSeen = 0;
  /** Own clock, ms: only this run's steps. */
  clockMs = 0;
  haltedReason: string | null = null;
  /** Recent ms per step (for steps/s). */
  readonly stepMs = new Ema(0.8);
  /** Device reads awaited for this run: its blocks' reads and its evaluations. */
  deviceReads = 0;

  constructor(
    readonly id: RunId | string,
    /** Owned: disposed with the run. */
    readonly model: tf.LayersModel,
    readonly logits: LogitsModel,
    /** Owned: disposed with the run. */
    readonly trainer: RunTrainer,
    /** Gets the run's points as they are made; none: nobody charts them. */
    private readonly observer: RunObserver | null = null,
  ) {}

  get active(): boolean {
    return this.haltedReason === null;
  }

  /**
   * A block of k trainer steps on this run's clock. A device-lost error is rethrown (fatal
   * for the whole race); a non-finite loss or any other error halts this run only. The
   * block's step points share its time evenly (steps within a block are not timed apart).
   */
  async trainBlock(clock: RunClock, k = 1): Promise<StepOutcome> {
    const t0 = clock.now();
    const mark0 = clock.hiddenMark?.();
    const hiddenMs = (): number | null => (mark0 && clock.hiddenMark ? hiddenBetween(mark0, clock.hiddenMark()) : null);
    const reads0 = this.trainer.readsAwaited ?? 0;
    let reports: StepReport[];
    try {
      reports = await this.trainer.trainBlock(k);
    } catch (e) {
      // Steps of the block before a divergence did happen: count them.
      const completed = (e as { completed?: StepReport[] }).completed ?? [];
      this.account(completed, clock.now() - t0, k, hiddenMs());
      const msg = errorText(e);
      if (isDeviceLost(msg)) throw e;
      if (isNonFinite(msg)) return this.halt(`loss became non-finite at step ${this.step + 1}: ${msg}`);
      return { ...this.halt(`stopped by an error at step ${this.step + 1}: ${msg}`), error: msg };
    }
    this.deviceReads += (this.trainer.readsAwaited ?? reads0 + 1) - reads0;
    this.account(reports, clock.now() - t0, k, hiddenMs());
    const bad = reports.find((r) => !Number.isFinite(r.batchLoss));
    if (bad) return this.halt(`loss became ${bad.batchLoss} at step ${bad.step + 1}`);
    return { kind: 'stepped', reports };
  }

  /**
   * Puts a block's time on the clock and its steps in the history; the k steps share the time
   * evenly. `hiddenMs`: how long the page was hidden during the block (null: not at all). Such
   * a block is charged the run's recent ms per step for its steps, at most its measured time;
   * before any estimate exists, its measured time less the hidden time. It does not feed the
   * estimate.
   */
  private account(reports: readonly StepReport[], dt: number, k: number, hiddenMs: number | null): void {
    const start = this.clockMs;
    const perStep = this.stepMs.value;
    const estimated = hiddenMs !== null;
    const charged = !estimated ? dt : perStep !== null ? Math.min(dt, perStep * reports.length) : Math.max(0, dt - hiddenMs);
    this.clockMs += charged;
    if (reports.length === k && !estimated) this.stepMs.add(dt / k);
    // A measured block's k steps share its time; an estimated one's steps each have their estimate.
    const share = estimated && reports.length ? charged / reports.length : charged / k;
    const points = reports.map((report, i) => {
      this.step++;
      this.samplesSeen += report.indices.length;
      const point = stepPoint(this, report, start + share * (i + 1));
      return estimated ? { ...point, clockEstimated: true as const } : point;
    });
    if (points.length) this.observer?.onBlock(this, points);
  }

  /** Device reads awaited per step so far (blocks and evaluations). */
  get readsPerStep(): number {
    return this.step > 0 ? this.deviceReads / this.step : 0;
  }

  /** The honest metrics now (off the clock, in one piece), also handed to the observer. */
  async evaluate(train: EvalSet, test: EvalSet): Promise<EvalPoint> {
    const evaluation = this.startEvaluation(train, test);
    try {
      evaluation.step(Infinity);
      return await evaluation.result();
    } finally {
      evaluation.dispose();
    }
  }

  /**
   * The honest metrics of the model as it is now, off the clock, in pieces the caller drives (the
   * page's engine runs one piece per turn of its command chain, so Pause and Reset get in
   * between). The run must not train until the evaluation is finished or disposed.
   */
  startEvaluation(train: EvalSet, test: EvalSet): RunEvaluation {
    return new RunEvaluation(this, honestEvaluation((x) => this.logits.logits(x, false), train, test), (point) => {
      this.deviceReads++;
      this.observer?.onEval(this, point);
    });
  }

  dispose(): void {
    try {
      this.trainer.dispose();
      this.model.dispose();
    } catch {
      /* a lost device may refuse; the tensors are gone with it */
    }
  }

  private halt(reason: string): { kind: 'halted'; reason: string } {
    this.haltedReason = reason;
    return { kind: 'halted', reason };
  }
}

/** An evaluation of a run in progress (Run.startEvaluation): its pieces, then its point. Owns its PiecewiseEvaluation. */
export class RunEvaluation {
  /** The counters of the model evaluated: the point carries them, whenever it is read. */
  private readonly at: Pick<EvalPoint, 'step' | 'samplesSeen' | 'clockMs'>;

  constructor(
    private readonly run: Run,
    private readonly evaluation: PiecewiseEvaluation,
    private readonly onPoint: (point: EvalPoint) => void,
  ) {
    this.at = { step: run.step, samplesSeen: run.samplesSeen, clockMs: run.clockMs };
  }

  /** True once every forward pass is queued: result() next. */
  get done(): boolean {
    return this.evaluation.done;
  }

  /** Queues the forward passes of the next `samples` samples. */
  step(samples: number): void {
    this.evaluation.step(samples);
  }

  /** Reads the figures back (the one read) and hands the point to the run's observer. */
  async result(): Promise<EvalPoint> {
    if (this.run.step !== this.at.step) throw new Error(`internal: the ${this.run.id} run trained during its evaluation at step ${this.at.step}`);
    const point: EvalPoint = { ...this.at, ...honestResult(await this.evaluation.result()) };
    this.onPoint(point);
    return point;
  }

  dispose(): void {
    this.evaluation.dispose();
  }
}

function stepPoint(run: Run, r: StepReport, clockMs: number): StepPoint {
  return {
    step: run.step,
    samplesSeen: run.samplesSeen,
    clockMs,
    batchLoss: r.batchLoss,
    mode: r.mode,
    importanceActive: r.importanceActive,
    tauRaw: r.tauRaw,
    tauSmoothed: r.tauSmoothed,
    tauThreshold: r.tauThreshold,
    sampler: r.sampler,
    scoreMs: r.scoreMs,
    trainMs: r.trainMs,
  };
}
