// Benchmark races on the page's race core (src/engine/race.ts, run.ts): runs built from one
// set of seeded initial weights, stepped by the "furthest behind" schedule (always the run
// whose own clock is lowest) until each has spent the budget, each clock counting only its
// own steps. Evaluations use the page's code (src/engine/evaluate.ts) and are on no clock.
// What is benchmark-specific lives here: budgets, checkpoints and the result summary.
import { evaluateSets } from '../../src/engine/evaluate.ts';
import { SCHEDULES, buildRuns, stepRound, type ScheduleName } from '../../src/engine/race.ts';
import type { Run, RunClock } from '../../src/engine/run.ts';
import { DEFAULT_SETTINGS, deriveSeed, type StepReport, type TrainerSettings } from '../../src/is/index.ts';
import type { ModelName } from '../../src/models/index.ts';
import type { BenchData } from './data.ts';

export interface RunSpec {
  label: string;
  settings: Partial<TrainerSettings>;
}

/** The clock every benchmark run uses (a block's time ends with its read, so it covers the device work). */
export function benchClock(): RunClock {
  return { now: () => performance.now() };
}

/** Runs that start from the same seeded weights (`seed`) and draw from the same seeded stream. */
export function makeRuns(model: ModelName, seed: number, specs: readonly RunSpec[], data: BenchData): Run[] {
  return buildRuns({
    model,
    modelConfig: { inputShape: data.device.imageShape, numClasses: data.device.numClasses, seed },
    data: data.device,
    runs: specs.map((s) => ({ id: s.label, settings: { ...DEFAULT_SETTINGS, ...s.settings } })),
    drawSeed: deriveSeed(seed, 'bench.draws'),
  });
}

export function makeRun(model: ModelName, seed: number, spec: RunSpec, data: BenchData): Run {
  return makeRuns(model, seed, [spec], data)[0];
}

/** One block of k steps on the run's own clock; throws if the run halted. */
export async function stepBlock(run: Run, k: number, clock: RunClock = benchClock()): Promise<StepReport[]> {
  const o = await run.trainBlock(clock, k);
  if (o.kind === 'halted') throw new Error(`${run.id}: ${o.reason}`);
  return o.reports;
}

/** One step (a block of one) on the run's own clock; throws if the run halted. */
export async function stepOnce(run: Run, clock: RunClock = benchClock()): Promise<StepReport> {
  return (await stepBlock(run, 1, clock))[0];
}

/** Mean loss and error of a run on the evaluation subset of the training set (off the clock). */
export async function evalTrain(run: Run, data: BenchData): Promise<{ loss: number; error: number }> {
  const [r] = await evaluateSets((x) => run.logits.logits(x, false), [data.evalTrain]);
  return { loss: r.loss, error: 1 - r.accuracy };
}

/** Mean loss and error on the test split (all of it unless the data was loaded with a cap). */
export async function evalTest(run: Run, data: BenchData): Promise<{ loss: number; error: number }> {
  const [r] = await evaluateSets((x) => run.logits.logits(x, false), [data.evalTest]);
  return { loss: r.loss, error: 1 - r.accuracy };
}

export interface CurvePoint {
  clockMs: number;
  step: number;
  trainLoss: number;
  trainError: number;
}

export interface RaceResult {
  label: string;
  steps: number;
  clockMs: number;
  msPerStep: number;
  /** Share of steps trained on importance-sampled batches. */
  importanceShare: number;
  /** Step at which importance sampling first switched on (auto), or null. */
  firstImportanceStep: number | null;
  tauMean: number;
  tauThreshold: number;
  /** Why the run stopped early (non-finite loss), or null. */
  haltedReason: string | null;
  curve: CurvePoint[];
  trainLoss: number;
  trainError: number;
  testLoss: number;
  testError: number;
}

export interface RaceOptions {
  /**
   * Own-clock budget per run, ms. Limit by steps instead with maxSteps. With `anchor` it is
   * only the estimate that spaces the checkpoints.
   */
  budgetMs: number;
  /**
   * Budget set by one of the runs (a budget in epochs of uniform, bench/lib/budget.ts): the
   * budget is that run's own clock when it has made `steps` steps, so the load on the machine
   * changes how long the race takes, not how far the anchor trains. Every run still gets the
   * same own-clock budget.
   */
  anchor?: { run: Run; steps: number };
  /** Stop each run after this many steps (equal-steps comparisons); default unlimited. */
  maxSteps?: number;
  /** Evaluation checkpoints per run (besides step 0). */
  checkpoints: number;
  data: BenchData;
  /** Steps per block, as the page's blockSteps (default 8). */
  blockSteps?: number;
  /** Which run steps next (default: the one furthest behind on its own clock). */
  schedule?: ScheduleName;
  /** Called after each checkpoint (progress lines for long runs). */
  onCheckpoint?(run: Run, point: CurvePoint): void;
}

interface Tally {
  active: number;
  firstActive: number | null;
  tauSum: number;
  tauTh: number;
  next: number;
  curve: CurvePoint[];
}

export async function race(runs: Run[], opts: RaceOptions): Promise<RaceResult[]> {
  const maxSteps = opts.maxSteps ?? Infinity;
  const clock = benchClock();
  const tally = new Map<Run, Tally>(runs.map((r) => [r, { active: 0, firstActive: null, tauSum: 0, tauTh: NaN, next: 1, curve: [] }]));
  let evalMs = 0;
  const t00 = performance.now();
  const checkpoint = async (run: Run): Promise<void> => {
    const te = performance.now();
    const e = await evalTrain(run, opts.data);
    evalMs += performance.now() - te;
    const point = { clockMs: run.clockMs, step: run.step, trainLoss: e.loss, trainError: e.error };
    tally.get(run)!.curve.push(point);
    opts.onCheckpoint?.(run, point);
  };
  for (const run of runs) await checkpoint(run);
  const interval = opts.budgetMs / opts.checkpoints;
  const anchor = opts.anchor;
  // Unknown until the anchor has made its steps (or halted).
  let budgetMs = anchor ? Infinity : opts.budgetMs;
  const done = (r: Run): boolean => {
    if (!r.active || r.step >= maxSteps) return true;
    if (anchor && r === anchor.run) return r.step >= anchor.steps;
    return r.clockMs >= budgetMs;
  };
  // With an anchor, the checkpoints follow its pace so far (the budget it will set), not the
  // estimate: under changing load the estimate can be off by 2× either way.
  const checkpointInterval = (): number => {
    if (!anchor) return interval;
    if (Number.isFinite(budgetMs)) return budgetMs / opts.checkpoints;
    const a = anchor.run;
    return a.step > 0 ? (a.clockMs / a.step) * (anchor.steps / opts.checkpoints) : interval;
  };
  const k = opts.blockSteps ?? 8;
  const finished = new Set<Run>();
  for (let round = 0; ; round++) {
    const live = runs.filter((r) => !done(r));
    if (!live.length) break;
    const stepsLeft = Math.min(...live.map((r) => (anchor && r === anchor.run ? Math.min(maxSteps, anchor.steps) : maxSteps) - r.step));
    await stepRound(live, SCHEDULES[opts.schedule ?? 'furthestBehind'], round, clock, Math.max(1, Math.min(k, stepsLeft)), {
      after: async (run, outcome) => {
        const t = tally.get(run)!;
        for (const info of outcome.kind === 'stepped' ? outcome.reports : []) {
          if (info.importanceActive) {
            t.active++;
            t.firstActive ??= info.step + 1;
          }
          t.tauSum += info.tauRaw;
          t.tauTh = info.tauThreshold;
        }
        if (anchor && run === anchor.run && budgetMs === Infinity && done(run)) budgetMs = run.clockMs;
        const every = checkpointInterval();
        if (!done(run) && run.clockMs >= t.next * every) {
          while (run.clockMs >= t.next * every) t.next++;
          await checkpoint(run);
        }
      },
    });
    // Each run's final checkpoint, once it is done (with an anchor, runs can become done when
    // the anchor fixes the budget, not only after their own block).
    for (const r of runs) {
      if (!finished.has(r) && done(r)) {
        finished.add(r);
        await checkpoint(r);
      }
    }
    // The runs' step points are for the page's charts; a benchmark keeps only its curve.
    for (const r of live) r.steps.length = 0;
  }
  const stepsMs = runs.reduce((a, r) => a + r.clockMs, 0);
  console.log(`race: ${((performance.now() - t00) / 1000).toFixed(1)} s wall, ${(stepsMs / 1000).toFixed(1)} s in steps, ${(evalMs / 1000).toFixed(1)} s in evaluations`);
  const out: RaceResult[] = [];
  for (const run of runs) {
    const t = tally.get(run)!;
    const test = await evalTest(run, opts.data);
    const last = t.curve[t.curve.length - 1];
    const n = Math.max(1, run.step);
    out.push({
      label: String(run.id),
      steps: run.step,
      clockMs: run.clockMs,
      msPerStep: run.clockMs / n,
      importanceShare: t.active / n,
      firstImportanceStep: t.firstActive,
      tauMean: t.tauSum / n,
      tauThreshold: t.tauTh,
      haltedReason: run.haltedReason,
      curve: t.curve,
      trainLoss: last.trainLoss,
      trainError: last.trainError,
      testLoss: test.loss,
      testError: test.error,
    });
  }
  return out;
}

/** Frees the runs (models, optimizers). */
export function disposeRuns(runs: readonly Run[]): void {
  for (const r of runs) r.dispose();
}

/**
 * Own-clock time at which `curve` first reaches `target` training loss, interpolating
 * log-loss linearly between checkpoints; null when it never does.
 */
export function timeToReach(curve: readonly CurvePoint[], target: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].trainLoss <= target) {
      if (i === 0) return 0;
      const a = curve[i - 1];
      const b = curve[i];
      const la = Math.log(a.trainLoss);
      const lb = Math.log(b.trainLoss);
      const f = la === lb ? 1 : (la - Math.log(target)) / (la - lb);
      return a.clockMs + f * (b.clockMs - a.clockMs);
    }
  }
  return null;
}

/** Training loss of `curve` at own-clock time t (log-linear between checkpoints). */
export function lossAt(curve: readonly CurvePoint[], t: number): number {
  if (t <= curve[0].clockMs) return curve[0].trainLoss;
  for (let i = 1; i < curve.length; i++) {
    if (curve[i].clockMs >= t) {
      const a = curve[i - 1];
      const b = curve[i];
      const f = (t - a.clockMs) / Math.max(1e-9, b.clockMs - a.clockMs);
      return Math.exp(Math.log(a.trainLoss) + f * (Math.log(b.trainLoss) - Math.log(a.trainLoss)));
    }
  }
  return curve[curve.length - 1].trainLoss;
}
