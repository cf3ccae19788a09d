// Who is ahead in the race, as two numbers computed from the honest training loss of both
// runs (EvalPoint.trainLoss, on the fixed evaluation subset) against each run's own clock
// (docs/method.md §6, §7):
//
//   speed-up    the importance run reached the uniform run's latest loss in x % of the time
//               the uniform run has spent on it;
//   loss ratio  uniform's loss / importance's loss, both at the same own-clock time.
//
// Between two evaluations a loss curve is taken to be log-linear in time (straight on the log
// axis, as training losses fall roughly geometrically), so interpolating an exponentially
// decaying loss is exact. Plain arithmetic, no React: the Readout component renders it.

/** The part of an evaluation the readout reads (EvalPoint has more). */
export interface ClockedLoss {
  /** The run's own clock at this evaluation, ms. */
  clockMs: number;
  /** Mean loss on the evaluation subset of the training set. */
  trainLoss: number;
}

/** Which run is ahead on a measure; 'level' within LEVEL_TOLERANCE. */
export type Leader = 'importance' | 'uniform' | 'level';

/** Ratios within a factor 1 ± 2 % of 1 count as level: closer than two runs' evaluation noise. */
export const LEVEL_TOLERANCE = 0.02;

/** Evaluations each run needs before the readout says anything. */
export const MIN_EVALS = 2;

export interface SpeedUp {
  /** The uniform run's latest training loss: the target. */
  targetLoss: number;
  /** The uniform run's own clock at its latest evaluation, ms. */
  uniformMs: number;
  /** The importance run's own clock when its curve first reached targetLoss, ms. */
  importanceMs: number;
  /** importanceMs / uniformMs: 0.4 means importance sampling got there in 40 % of the time. */
  timeFraction: number;
  /**
   * True when the importance run was already at or below the target at its first evaluation:
   * it got there by importanceMs at the latest (its curve before that is not known).
   */
  atMost: boolean;
  leader: Leader;
}

export interface LossRatio {
  /** The own-clock time both losses are read at: the smaller of the two latest clocks, ms. */
  atMs: number;
  uniformLoss: number;
  importanceLoss: number;
  /** uniformLoss / importanceLoss: 2 means importance sampling's loss is half of uniform's. */
  ratio: number;
  leader: Leader;
}

/** A measure, or why it is not available yet (a sentence for the page). */
export type Measure<T> = { value: T; whyNot: null } | { value: null; whyNot: string };

export interface Readout {
  speedUp: Measure<SpeedUp>;
  lossRatio: Measure<LossRatio>;
}

/** Points usable on a log axis: finite clock, finite positive loss. Order kept. */
function usable(points: readonly ClockedLoss[]): ClockedLoss[] {
  return points.filter((p) => Number.isFinite(p.clockMs) && Number.isFinite(p.trainLoss) && p.trainLoss > 0);
}

/** 'importance' when `factor` (> 1 = importance better) is beyond the tolerance, 'uniform' below it. */
export function leaderOf(factor: number): Leader {
  if (factor > 1 + LEVEL_TOLERANCE) return 'importance';
  if (factor < 1 / (1 + LEVEL_TOLERANCE)) return 'uniform';
  return 'level';
}

/**
 * The loss of a curve at own-clock time `t`, log-linear between the two evaluations around it;
 * null outside the evaluated span. `points` in the order the run evaluated (clocks never
 * decrease), losses positive.
 */
export function lossAt(points: readonly ClockedLoss[], t: number): number | null {
  if (points.length === 0 || t < points[0].clockMs || t > points[points.length - 1].clockMs) return null;
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (t > b.clockMs) continue;
    const span = b.clockMs - a.clockMs;
    if (span <= 0) return b.trainLoss;
    const f = (t - a.clockMs) / span;
    return Math.exp(Math.log(a.trainLoss) + f * (Math.log(b.trainLoss) - Math.log(a.trainLoss)));
  }
  return points[points.length - 1].trainLoss;
}

/**
 * When the curve first reaches `target` (loss at or below it), log-linear between evaluations:
 * { t, atMost: false }; { t: first clock, atMost: true } when the first evaluation is already
 * there; null when it has not reached it yet.
 */
export function firstReach(points: readonly ClockedLoss[], target: number): { t: number; atMost: boolean } | null {
  if (points.length === 0) return null;
  if (points[0].trainLoss <= target) return { t: points[0].clockMs, atMost: true };
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (b.trainLoss > target) continue;
    // a is above the target (else the search had stopped at a), b at or below: the log-loss
    // line from a to b crosses log(target) at this fraction of the way.
    const f = (Math.log(a.trainLoss) - Math.log(target)) / (Math.log(a.trainLoss) - Math.log(b.trainLoss));
    return { t: a.clockMs + f * (b.clockMs - a.clockMs), atMost: false };
  }
  return null;
}

const notYet = <T>(whyNot: string): Measure<T> => ({ value: null, whyNot });

/** Both measures from the two runs' evaluations (oldest first, as the metrics store keeps them). */
export function computeReadout(importanceEvals: readonly ClockedLoss[], uniformEvals: readonly ClockedLoss[]): Readout {
  const imp = usable(importanceEvals);
  const uni = usable(uniformEvals);
  if (imp.length < MIN_EVALS || uni.length < MIN_EVALS) {
    const why = `waiting for ${MIN_EVALS} evaluations of each run (importance ${imp.length}, uniform ${uni.length})`;
    return { speedUp: notYet(why), lossRatio: notYet(why) };
  }
  return { speedUp: speedUpOf(imp, uni), lossRatio: lossRatioOf(imp, uni) };
}

function speedUpOf(imp: ClockedLoss[], uni: ClockedLoss[]): Measure<SpeedUp> {
  const latest = uni[uni.length - 1];
  const targetLoss = latest.trainLoss;
  const uniformMs = latest.clockMs;
  if (!(uniformMs > 0)) return notYet('the uniform run’s clock has not started');
  const reach = firstReach(imp, targetLoss);
  if (!reach) return notYet('the importance run has not reached the uniform run’s loss yet');
  const timeFraction = reach.t / uniformMs;
  // A bound above 1 says nothing about who got there first: the importance run's first
  // evaluation came after the uniform run's latest.
  if (reach.atMost && timeFraction >= 1 / (1 + LEVEL_TOLERANCE)) {
    return notYet('the importance run’s evaluations started too late to tell when it got there');
  }
  const value: SpeedUp = {
    targetLoss,
    uniformMs,
    importanceMs: reach.t,
    timeFraction,
    atMost: reach.atMost,
    leader: reach.t > 0 ? leaderOf(1 / timeFraction) : 'importance',
  };
  return { value, whyNot: null };
}

function lossRatioOf(imp: ClockedLoss[], uni: ClockedLoss[]): Measure<LossRatio> {
  const atMs = Math.min(imp[imp.length - 1].clockMs, uni[uni.length - 1].clockMs);
  const importanceLoss = lossAt(imp, atMs);
  const uniformLoss = lossAt(uni, atMs);
  if (importanceLoss === null || uniformLoss === null) {
    return notYet('the two runs have no stretch of own-clock time in common yet');
  }
  const ratio = uniformLoss / importanceLoss;
  return { value: { atMs, uniformLoss, importanceLoss, ratio, leader: leaderOf(ratio) }, whyNot: null };
}

// ---- wording -------------------------------------------------------------------------------

/** A factor as the page writes it: 2.3×, 12×. */
export function formatFactor(f: number): string {
  return `${f >= 10 ? f.toFixed(0) : f.toFixed(1)}×`;
}

/** A time fraction as a percentage: 40 %, 4.5 %. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  return `${p >= 10 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/** One sentence that says which run is better on the speed-up. */
export function describeSpeedUp(s: SpeedUp): string {
  const bound = s.atMost ? 'at most ' : '';
  const percent = `${bound}${formatPercent(s.timeFraction)}`;
  switch (s.leader) {
    case 'importance':
      return s.timeFraction > 0
        ? `importance reached uniform’s current loss in ${percent} of the time: ${s.atMost ? 'at least ' : ''}${formatFactor(1 / s.timeFraction)} faster`
        : 'importance was at uniform’s current loss from its start';
    case 'uniform':
      return `uniform ahead: importance needed ${percent} of uniform’s time to reach its loss`;
    case 'level':
      return `level: importance reached uniform’s current loss in ${percent} of the time`;
  }
}

/** One sentence that says which run is better at equal own-clock time. */
export function describeLossRatio(r: LossRatio): string {
  switch (r.leader) {
    case 'importance':
      return `importance ${formatFactor(r.ratio)} lower loss at equal time`;
    case 'uniform':
      return `uniform ahead: ${formatFactor(1 / r.ratio)} lower loss at equal time`;
    case 'level':
      return `level: losses within ${LEVEL_TOLERANCE * 100} % at equal time`;
  }
}
