// Comparing raced runs with the uniform baseline, seed by seed, then over seeds.
import { lossAt, timeToReach, type RaceResult } from './race.ts';
import { geomean, mean, sd } from './stats.ts';
import { fmt, pct, pm, times } from './table.ts';

export interface VsUniform {
  /** uniform final training loss / this run's (> 1: this run is lower), per seed. */
  lossRatios: number[];
  /** (test error − uniform's) / uniform's, per seed (< 0: this run is better). */
  testErrorChanges: number[];
  /** budget / own time to reach uniform's final training loss, per seed; null = not reached. */
  speedups: (number | null)[];
}

/** Both runs read at the budget (RaceResult.trainLoss and testError are the budget's). */
export function vsUniform(uniform: RaceResult, run: RaceResult): { lossRatio: number; testErrorChange: number; speedup: number | null } {
  const budget = uniform.budgetMs ?? uniform.clockMs;
  const t = timeToReach(run.curve, uniform.trainLoss);
  return {
    lossRatio: uniform.trainLoss / run.trainLoss,
    testErrorChange: (run.testError - uniform.testError) / uniform.testError,
    speedup: t === null ? null : budget / Math.max(t, 1e-9),
  };
}

/** Loss ratio at equal steps: uniform's training loss at the run's final step count (curves by step). */
export function lossRatioAtSteps(uniform: RaceResult, run: RaceResult): number | null {
  const steps = Math.min(uniform.steps, run.steps);
  const at = (r: RaceResult): number =>
    lossAt(
      r.curve.map((c) => ({ ...c, clockMs: c.step })),
      steps,
    );
  return steps > 0 ? at(uniform) / at(run) : null;
}

export function collect(pairs: { uniform: RaceResult; run: RaceResult }[]): VsUniform {
  const out: VsUniform = { lossRatios: [], testErrorChanges: [], speedups: [] };
  for (const { uniform, run } of pairs) {
    const v = vsUniform(uniform, run);
    out.lossRatios.push(v.lossRatio);
    out.testErrorChanges.push(v.testErrorChange);
    out.speedups.push(v.speedup);
  }
  return out;
}

/** Table cells: loss ratio (geomean, range), test-error change (mean ± sd), speed-up. */
export function vsCells(v: VsUniform): string[] {
  const lr = v.lossRatios;
  const ratio = lr.length > 1 ? `${times(geomean(lr))} (${fmt(Math.min(...lr), 2)}–${fmt(Math.max(...lr), 2)})` : times(lr[0]);
  const te = v.testErrorChanges;
  const change = te.length > 1 ? `${pct(mean(te))} ± ${pct(sd(te)).replace('+', '')}` : pct(te[0]);
  const reached = v.speedups.filter((s): s is number => s !== null);
  const missed = v.speedups.length - reached.length;
  const speed = reached.length
    ? `${times(geomean(reached))}${missed ? ` in ${reached.length}/${v.speedups.length} seeds; not reached in ${missed}` : ''}`
    : `not reached (0/${v.speedups.length})`;
  return [ratio, change, speed];
}

/** The A/A row as a noise floor: "1.01× (0.97–1.05)", the geometric mean and range of its loss ratios. */
export function floorCells(v: VsUniform): string[] {
  const lr = v.lossRatios;
  return [lr.length > 1 ? `${times(geomean(lr))} (${fmt(Math.min(...lr), 2)}–${fmt(Math.max(...lr), 2)})` : times(lr[0])];
}

export const meanSd = (xs: number[], digits = 3): string => (xs.length > 1 ? pm(mean(xs), sd(xs), digits) : fmt(xs[0], digits));
