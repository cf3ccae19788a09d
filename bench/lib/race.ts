// Several training runs raced at a fixed time budget, as the playground races them: in one
// process, alternating steps (always stepping the run whose clock is furthest behind), each
// run with its own clock that counts only its own steps. Load from other processes then
// slows all runs alike. Evaluations (training loss on the fixed evaluation subset; test error
// at the end) are not counted on any clock.
import type * as tf from '@tensorflow/tfjs';
import { evalTest, evalTrain, type BenchData } from './data.ts';

export interface StepInfo {
  importanceActive: boolean;
  tau: number;
  tauThreshold: number;
}

export interface Racer {
  label: string;
  model: tf.LayersModel;
  /** One training step, awaited to completion (its result read back). */
  step(): Promise<StepInfo>;
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
  curve: CurvePoint[];
  trainLoss: number;
  trainError: number;
  testLoss: number;
  testError: number;
}

export interface RaceOptions {
  /** Own-clock budget per run, ms. Limit by steps instead with maxSteps. */
  budgetMs: number;
  /** Stop each run after this many steps (equal-steps comparisons); default unlimited. */
  maxSteps?: number;
  /** Evaluation checkpoints per run (besides step 0). */
  checkpoints: number;
  data: BenchData;
}

export async function race(racers: Racer[], opts: RaceOptions): Promise<RaceResult[]> {
  const maxSteps = opts.maxSteps ?? Infinity;
  const state = racers.map((r) => ({
    r,
    clock: 0,
    steps: 0,
    active: 0,
    firstActive: null as number | null,
    tauSum: 0,
    tauTh: NaN,
    next: 1,
    curve: [] as CurvePoint[],
  }));
  let evalMs = 0;
  const t00 = performance.now();
  const checkpoint = async (s: (typeof state)[number]): Promise<void> => {
    const te = performance.now();
    const e = await evalTrain(s.r.model, opts.data);
    evalMs += performance.now() - te;
    s.curve.push({ clockMs: s.clock, step: s.steps, trainLoss: e.loss, trainError: e.error });
  };
  for (const s of state) await checkpoint(s);
  const interval = opts.budgetMs / opts.checkpoints;
  const done = (s: (typeof state)[number]): boolean => s.clock >= opts.budgetMs || s.steps >= maxSteps;
  for (;;) {
    const live = state.filter((s) => !done(s));
    if (!live.length) break;
    const s = live.reduce((a, b) => (b.clock < a.clock ? b : a));
    const t0 = performance.now();
    const info = await s.r.step();
    s.clock += performance.now() - t0;
    s.steps++;
    if (info.importanceActive) {
      s.active++;
      s.firstActive ??= s.steps;
    }
    s.tauSum += info.tau;
    s.tauTh = info.tauThreshold;
    if (done(s)) await checkpoint(s);
    else if (s.clock >= s.next * interval) {
      while (s.clock >= s.next * interval) s.next++;
      await checkpoint(s);
    }
  }
  const out: RaceResult[] = [];
  const stepsMs = state.reduce((a, s) => a + s.clock, 0);
  console.log(`race: ${((performance.now() - t00) / 1000).toFixed(1)} s wall, ${(stepsMs / 1000).toFixed(1)} s in steps, ${(evalMs / 1000).toFixed(1)} s in evaluations`);
  for (const s of state) {
    const test = await evalTest(s.r.model, opts.data);
    const last = s.curve[s.curve.length - 1];
    out.push({
      label: s.r.label,
      steps: s.steps,
      clockMs: s.clock,
      msPerStep: s.clock / Math.max(1, s.steps),
      importanceShare: s.active / Math.max(1, s.steps),
      firstImportanceStep: s.firstActive,
      tauMean: s.tauSum / Math.max(1, s.steps),
      tauThreshold: s.tauTh,
      curve: s.curve,
      trainLoss: last.trainLoss,
      trainError: last.trainError,
      testLoss: test.loss,
      testError: test.error,
    });
  }
  return out;
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
