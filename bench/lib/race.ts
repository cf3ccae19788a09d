// Benchmark races on the page's race core (src/engine/core/race.ts, run.ts): runs built from one
// set of seeded initial weights, stepped by the "furthest behind" schedule (always the run
// whose own clock is lowest) until each has spent the budget, each clock counting only its
// own steps. Evaluations use the page's code (src/engine/core/evaluate.ts) and are on no clock.
// What is benchmark-specific lives here: budgets, checkpoints and the result summary.
import { CostMeter } from '../../src/engine/core/costs.ts';
import { evaluateSets } from '../../src/engine/core/evaluate.ts';
import { SCHEDULES, buildRuns, stepRound, type ScheduleName } from '../../src/engine/core/race.ts';
import type { Run, RunClock } from '../../src/engine/core/run.ts';
import { DEFAULT_SETTINGS, deriveSeed, samplerInfo, type StepReport, type TrainerSettings } from '../../src/is/index.ts';
import type { ModelName } from '../../src/models/index.ts';
import type { BenchData } from './data.ts';

export interface RunSpec {
  label: string;
  settings: Partial<TrainerSettings>;
  /**
   * Draw this run's batches from another stream than the race's (the name of the stream, from
   * the same seed): the second uniform run of an A/A pair, whose gap to the first is the noise
   * floor of every comparison in the race.
   */
  drawStream?: string;
  /**
   * τ_th from this machine's measured costs, as the page's `measured` mode (src/engine/core/costs.ts):
   * the importance step's time against the anchor run's uniform step, with the scoring pass
   * probed (and charged to this run's clock) until an importance step has been timed.
   */
  measuredTauThreshold?: boolean;
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
    runs: specs.map((s) => ({
      id: s.label,
      settings: { ...DEFAULT_SETTINGS, ...s.settings },
      ...(s.drawStream ? { drawSeed: deriveSeed(seed, `bench.draws.${s.drawStream}`) } : {}),
    })),
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
  /** Test split, at the checkpoints around the budget (the last two of each run) only. */
  testLoss?: number;
  testError?: number;
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
  /**
   * The race's own-clock budget, ms (every run's). A run stops at the end of the block that
   * crosses it, so its last checkpoint lies up to one block past it; the figures below are
   * read AT the budget, interpolated between the checkpoints around it (atBudget), alike for
   * every run. The anchor's last checkpoint is exactly at it.
   */
  budgetMs: number;
  trainLoss: number;
  trainError: number;
  testLoss: number;
  testError: number;
  /** Where the run really ended: its clock and its last checkpoint's figures. */
  end: { clockMs: number; trainLoss: number; testLoss: number; testError: number };
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
  /**
   * Runs whose τ_th comes from measured costs (RunSpec.measuredTauThreshold), each with the seed
   * its scoring probe draws from; the uniform steps are timed on the anchor run (or `baseline`).
   */
  measured?: { runs: readonly Run[]; seed: number; baseline?: Run };
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
  // withTest: also on the test split (the last two checkpoints of a run, around the budget).
  const checkpoint = async (run: Run, withTest = false): Promise<void> => {
    const te = performance.now();
    const e = await evalTrain(run, opts.data);
    const test = withTest ? await evalTest(run, opts.data) : null;
    evalMs += performance.now() - te;
    const point: CurvePoint = { clockMs: run.clockMs, step: run.step, trainLoss: e.loss, trainError: e.error };
    if (test) Object.assign(point, { testLoss: test.loss, testError: test.error });
    tally.get(run)!.curve.push(point);
    opts.onCheckpoint?.(run, point);
  };
  const measured = new Map<Run, CostMeter>((opts.measured?.runs ?? []).map((r) => [r, new CostMeter()]));
  const baseline = opts.measured?.baseline ?? opts.anchor?.run;
  if (measured.size && !baseline) throw new Error('race: measured τ_th needs a uniform baseline run (anchor or measured.baseline)');
  const costSettings = (run: Run) => {
    const s = run.trainer.settings;
    if (!s) throw new Error(`race: run ${String(run.id)} has no settings to measure its τ_th with`);
    return { ...s, seed: opts.measured!.seed };
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
      before: async (run) => {
        const meter = measured.get(run);
        if (!meter) return;
        const s = costSettings(run);
        const probe = { scoresPresample: samplerInfo(s.sampler).capabilities.scoresPresample, model: run.logits, data: opts.data.device, now: clock.now };
        // The probe of the scoring pass is this run's work: on its clock, as on the page.
        run.clockMs += await meter.applyTo(run.trainer, s, probe);
      },
      after: async (run, outcome) => {
        if (outcome.kind === 'stepped') {
          for (const [r, meter] of measured) if (run === r || run === baseline) meter.record(costSettings(r), outcome.reports);
        }
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
          // The checkpoint before the budget also reads the test split, to interpolate at the budget.
          await checkpoint(run, t.next >= opts.checkpoints);
        }
      },
    });
    // Each run's final checkpoint, once it is done (with an anchor, runs can become done when
    // the anchor fixes the budget, not only after their own block).
    for (const r of runs) {
      if (!finished.has(r) && done(r)) {
        finished.add(r);
        await checkpoint(r, true);
      }
    }
  }
  const stepsMs = runs.reduce((a, r) => a + r.clockMs, 0);
  console.log(`race: ${((performance.now() - t00) / 1000).toFixed(1)} s wall, ${(stepsMs / 1000).toFixed(1)} s in steps, ${(evalMs / 1000).toFixed(1)} s in evaluations`);
  const out: RaceResult[] = [];
  const raceBudget = Number.isFinite(budgetMs) ? budgetMs : Math.max(...runs.map((r) => r.clockMs));
  for (const run of runs) {
    const t = tally.get(run)!;
    const last = t.curve[t.curve.length - 1];
    const at = atBudget(t.curve, raceBudget);
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
      budgetMs: raceBudget,
      ...at,
      end: { clockMs: run.clockMs, trainLoss: last.trainLoss, testLoss: last.testLoss ?? NaN, testError: last.testError ?? NaN },
    });
  }
  return out;
}

/**
 * A run's figures at own-clock time `budgetMs`: the training loss log-linear and the error
 * rates linear between the two checkpoints around it (the test figures between the last two
 * checkpoints that have them). A run that halted before the budget is read at its end.
 */
export function atBudget(curve: readonly CurvePoint[], budgetMs: number): Pick<RaceResult, 'trainLoss' | 'trainError' | 'testLoss' | 'testError'> {
  const withTest = curve.filter((c) => c.testLoss !== undefined && c.testError !== undefined);
  const lin = (pts: readonly CurvePoint[], key: 'trainError' | 'testError' | 'testLoss'): number => {
    if (!pts.length) return NaN;
    const last = pts[pts.length - 1];
    if (budgetMs >= last.clockMs || pts.length === 1) return last[key]!;
    let i = pts.findIndex((p) => p.clockMs >= budgetMs);
    if (i <= 0) i = 1;
    const a = pts[i - 1];
    const b = pts[i];
    const f = Math.min(1, Math.max(0, (budgetMs - a.clockMs) / Math.max(1e-9, b.clockMs - a.clockMs)));
    return a[key]! + f * (b[key]! - a[key]!);
  };
  return {
    trainLoss: lossAt(curve, Math.min(budgetMs, curve[curve.length - 1].clockMs)),
    trainError: lin(curve, 'trainError'),
    testLoss: lin(withTest, 'testLoss'),
    testError: lin(withTest, 'testError'),
  };
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
