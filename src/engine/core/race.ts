// The race core, shared by the page's engine and the benchmarks: runs built from trainer
// settings on one set of initial weights, stepped by a pluggable schedule, each on its own
// clock (docs/method.md §7). What to do around a step (evaluations, snapshots, measured
// costs, events) belongs to the caller.
import type { DeviceData } from '../../data';
import { ImportanceTrainer, asLogitsModel, createRng, type LogitsModel, type Rng, type TrainerSettings } from '../../is';
import type * as tf from '@tensorflow/tfjs';
import { buildModel, cloneModel, type ModelConfig, type ModelName } from '../../models';
import { Run, type RunClock, type RunObserver, type RunTrainer, type StepOutcome } from './run';

export interface TrainerContext {
  run: string;
  model: LogitsModel;
  data: DeviceData;
  settings: TrainerSettings;
  rng: Rng;
}

export type TrainerFactory = (ctx: TrainerContext) => RunTrainer;

export const defaultTrainerFactory: TrainerFactory = (ctx) =>
  new ImportanceTrainer({
    model: ctx.model,
    x: ctx.data.train.x,
    y: ctx.data.train.y,
    rng: ctx.rng,
    settings: ctx.settings,
  });

export interface RunSpec {
  id: string;
  settings: TrainerSettings;
  /**
   * Seeds this run's draws instead of the race's drawSeed: a second uniform run with other
   * draws is the A/A pair that shows a benchmark's noise floor (BENCHMARKS.md §6).
   */
  drawSeed?: number;
}

export interface RaceSpec {
  model: ModelName;
  /** Input shape, classes and the seed of the initial weights every run starts from. */
  modelConfig: ModelConfig;
  data: DeviceData;
  runs: readonly RunSpec[];
  /** Seeds each run's draws; the same stream for every run, so their uniform draws coincide. */
  drawSeed: number;
  createTrainer?: TrainerFactory;
  /** Gets every run's step and evaluation points (the page's metrics); none: nobody charts them. */
  observer?: RunObserver;
}

/**
 * Which active runs step next, in order. A schedule sees the runs, their clocks and the
 * round's number, and returns the ones to step in this round.
 */
export type Schedule = (active: readonly Run[], round: number) => readonly Run[];

export const SCHEDULES = {
  /**
   * The page: every active run one block per round. The order rotates from round to round,
   * so that whatever the worker did between rounds (messages, snapshots, garbage collection)
   * does not always fall just before the same run.
   */
  alternate: ((active, round) => active.map((_, i) => active[(i + round) % active.length])) as Schedule,
  /** The benchmarks: the run whose own clock is furthest behind, so clocks advance together. */
  furthestBehind: ((active) => (active.length ? [active.reduce((a, b) => (b.clockMs < a.clockMs ? b : a))] : [])) as Schedule,
} satisfies Record<string, Schedule>;

export type ScheduleName = keyof typeof SCHEDULES;

/** Builds every run of the spec from one set of initial weights. All or nothing. */
export function buildRuns(spec: RaceSpec): Run[] {
  const create = spec.createTrainer ?? defaultTrainerFactory;
  const runs: Run[] = [];
  let first: tf.Sequential | null = null;
  try {
    for (const r of spec.runs) {
      const model: tf.Sequential = first ? cloneModel(spec.model, spec.modelConfig, first) : buildModel(spec.model, spec.modelConfig);
      first ??= model;
      const logits = asLogitsModel(model);
      let trainer: RunTrainer;
      try {
        trainer = create({ run: r.id, model: logits, data: spec.data, settings: r.settings, rng: createRng(r.drawSeed ?? spec.drawSeed) });
      } catch (e) {
        if (model !== first) model.dispose();
        throw e;
      }
      runs.push(new Run(r.id, model, logits, trainer, spec.observer ?? null));
    }
  } catch (e) {
    for (const run of runs) run.dispose();
    if (first && !runs.some((r) => r.model === first)) first.dispose();
    throw e;
  }
  return runs;
}

export interface StepHooks {
  /** Before a run's step, off its clock (e.g. a measured-cost probe). */
  before?(run: Run): Promise<void> | void;
  /** After a run's step, off its clock (evaluations, snapshots, events). */
  after?(run: Run, outcome: StepOutcome): Promise<void> | void;
}

/** One round: the runs the schedule picks, each one block of k steps. */
export async function stepRound(runs: readonly Run[], schedule: Schedule, round: number, clock: RunClock, k: number, hooks: StepHooks = {}): Promise<void> {
  for (const run of schedule(runs.filter((r) => r.active), round)) {
    await hooks.before?.(run);
    const outcome = await run.trainBlock(clock, k);
    await hooks.after?.(run, outcome);
  }
}
