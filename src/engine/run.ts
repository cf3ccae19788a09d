// One training run of a race: its model, its trainer, its own clock, its step and
// evaluation history, and why it stopped (if it did). The engine and the benchmarks both
// step runs through here, so what a clock counts is decided in one place
// (docs/method.md §7): a run's clock counts its own steps and nothing else.
import type * as tf from '@tensorflow/tfjs';
import type { LogitsModel, StepReport, TrainerSettings } from '../is';
import { Ema } from './costs';
import { evaluate, type EvalResult, type EvalSet } from './evaluate';
import { errorText, isDeviceLost, isNonFinite } from './faults';
import type { EvalPoint, RunId, StepPoint } from './protocol';

/** What a run needs of a trainer (src/is ImportanceTrainer fits). */
export interface RunTrainer {
  step(): Promise<StepReport>;
  updateSettings(change: Partial<TrainerSettings>): void;
  readonly tauThreshold: number;
  /** The score table, once a table sampler has run (its top entries feed the image grid). */
  readonly scoreTable?: {
    top(k: number): { indices: Int32Array; scores: Float64Array };
    probability(i: number): number;
  } | null;
  dispose(): void;
}

/** How a run reads time: a clock in ms, and (GPU backends) a fence that waits for the queue. */
export interface RunClock {
  now(): number;
  /** Resolves when every device command submitted so far has finished; absent on the CPU. */
  fence?: () => Promise<void>;
}

/** How one step ended. */
export type StepOutcome =
  | { kind: 'stepped'; report: StepReport }
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
  /** Points since the last metrics message (the engine drains them). */
  steps: StepPoint[] = [];
  evals: EvalPoint[] = [];

  constructor(
    readonly id: RunId | string,
    /** Owned: disposed with the run. */
    readonly model: tf.LayersModel,
    readonly logits: LogitsModel,
    /** Owned: disposed with the run. */
    readonly trainer: RunTrainer,
  ) {}

  get active(): boolean {
    return this.haltedReason === null;
  }

  /**
   * One trainer step on this run's clock. A device-lost error is rethrown (fatal for the
   * whole race); a non-finite loss or any other error halts this run only.
   */
  async trainStep(clock: RunClock): Promise<StepOutcome> {
    const t0 = clock.now();
    let report: StepReport;
    try {
      report = await this.trainer.step();
    } catch (e) {
      this.clockMs += clock.now() - t0;
      const msg = errorText(e);
      if (isDeviceLost(msg)) throw e;
      if (isNonFinite(msg)) return this.halt(`loss became non-finite at step ${this.step + 1}: ${msg}`);
      return { ...this.halt(`stopped by an error at step ${this.step + 1}: ${msg}`), error: msg };
    }
    const dt = clock.now() - t0;
    this.clockMs += dt;
    this.stepMs.add(dt);
    this.step++;
    this.samplesSeen += report.indices.length;
    this.steps.push(stepPoint(this, report));
    if (!Number.isFinite(report.batchLoss)) return this.halt(`loss became ${report.batchLoss} at step ${this.step}`);
    return { kind: 'stepped', report };
  }

  /** The honest metrics now (off the clock), appended to `evals`. */
  async evaluate(train: EvalSet, test: EvalSet): Promise<EvalPoint> {
    const r = await evaluateModel(this.logits, train, test);
    const point: EvalPoint = { step: this.step, samplesSeen: this.samplesSeen, clockMs: this.clockMs, ...r };
    this.evals.push(point);
    return point;
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

export function evaluateModel(model: LogitsModel, train: EvalSet, test: EvalSet): Promise<EvalResult> {
  return evaluate((x) => model.logits(x, false), train, test);
}

function stepPoint(run: Run, r: StepReport): StepPoint {
  return {
    step: run.step,
    samplesSeen: run.samplesSeen,
    clockMs: run.clockMs,
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
