// Who is ahead in the race, decided once from the honest training loss of both runs
// (EvalPoint.trainLoss, on the fixed evaluation subset) against each run's own clock
// (docs/method.md §6, §7), and calibrated against races of two identical runs.
//
// Both runs' curves are smoothed the same way (trendFit.ts: a line through ln loss against
// ln time over a trailing window), and compared at the same own-clock time T, the smaller of
// the two latest clocks:
//
//   loss ratio  uniform's trend / importance's trend at T; above 1 importance is ahead;
//   band        the ratio two identical runs would show by chance: z · sqrt(v_u + v_i) in ln
//               ratio, v the variance of each trend at T from the scatter of that run's own
//               recent evaluations (with their autocorrelation), z a Student-t quantile for
//               their degrees of freedom times BAND_Z. "level" while |ln ratio| is inside it;
//   speed-up    how much of uniform's time importance needs for the same loss, measured in
//               both directions on the smoothed curves: the time importance took to reach
//               uniform's latest loss, and the time uniform took to reach importance's latest
//               loss (whichever has happened; the one nearer 1 when both have).
//
// One decision: the leader is the side the loss ratio is beyond the band for, unless the
// speed-up points the other way (then "level"); both measures show it. Plain arithmetic, no
// React: Readout.tsx renders it and the ratio chart draws `ratioSeries`.
import { MIN_FIT_POINTS, TrendCurve, type ClockedLoss, type TrendFit } from './trendFit';

export type { ClockedLoss } from './trendFit';

/** Which run is ahead; 'level' while the gap is inside the band. */
export type Leader = 'importance' | 'uniform' | 'level';

/**
 * The band's width in standard errors of the ln ratio, before the Student-t correction for few
 * evaluations. 2 would be a 95 % interval if the noise were known; it is estimated from the
 * same few evaluations, and its correlation from a short window is itself uncertain. 2.25 keeps
 * identical runs level in ≥ 96 % of simulated races with independent noise and in ≥ 91 % with
 * strongly correlated noise (AR(1), ρ = 0.9), and still calls a run 20 % slower in 93 % of
 * them at 7 % noise (tests/unit/ui/readoutSimulation.test.ts).
 */
export const BAND_Z = 2.25;

export interface LossRatio {
  /** The own-clock time both trends are read at: the smaller of the two latest clocks, ms. */
  atMs: number;
  /** The trends' losses at atMs. */
  uniformLoss: number;
  importanceLoss: number;
  /** uniformLoss / importanceLoss: 2 means importance sampling's loss is half of uniform's. */
  ratio: number;
  /** The band's relative half-width: level while 1/(1 + band) ≤ ratio ≤ 1 + band. */
  band: number;
  leader: Leader;
}

/** Which run's smoothed curve reached the other's latest loss. */
export type Reached = 'importance' | 'uniform';

export interface SpeedUp {
  /**
   * 'importance': importance reached uniform's latest loss (targetLoss, uniform there at
   * uniformMs) at importanceMs; 'uniform': uniform reached importance's latest loss at uniformMs.
   */
  reached: Reached;
  targetLoss: number;
  importanceMs: number;
  uniformMs: number;
  /** importanceMs / uniformMs: the share of uniform's time importance needs for the same loss (0.5: twice as fast). */
  timeFraction: number;
  /**
   * 'atMost' / 'atLeast': the run that reached the target was already there at its first
   * smoothed point, so it got there by then at the latest, and timeFraction is a bound.
   */
  bound: 'exact' | 'atMost' | 'atLeast';
  leader: Leader;
}

/** A measure, or why it is not available yet (a sentence for the page). */
export type Measure<T> = { value: T; whyNot: null } | { value: null; whyNot: string };

export interface Readout {
  lossRatio: Measure<LossRatio>;
  speedUp: Measure<SpeedUp>;
  /** The one decision both measures show; null until the loss ratio exists. */
  leader: Leader | null;
}

/** One point of the ratio chart: the ratio at equal time and the band around 1. */
export interface RatioPoint {
  /** Own-clock time, ms. */
  t: number;
  ratio: number;
  /** exp(∓ half-width): the band's edges around 1. */
  lo: number;
  hi: number;
}

// ---- the band ------------------------------------------------------------------------------

/** Student-t 97.5 % quantiles for 1 … 10 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/**
 * t_{0.975}(ν) / z_{0.975}: how much wider a 95 % interval is when the variance is estimated
 * with ν degrees of freedom (ν may be fractional). Table up to 10, the Cornish-Fisher
 * expansion 1.96 + 2.372/ν + 2.82/ν² above (within 0.1 % there).
 */
export function studentFactor(nu: number): number {
  const z = 1.959964;
  if (!(nu >= 1)) return T975[0] / z;
  if (nu >= 10) return (z + 2.372 / nu + 2.82 / (nu * nu)) / z;
  const lo = Math.floor(nu);
  const f = nu - lo;
  const a = T975[lo - 1];
  const b = lo < 10 ? T975[lo] : a;
  return (a + f * (b - a)) / z;
}

/** Degrees of freedom of a fit's noise estimate, fewer when its residuals are correlated. */
const effectiveDof = (f: TrendFit) => Math.max(1, (f.n - 2) * ((1 - f.rho) / (1 + f.rho)));

/** The gap of uniform's over importance's trend at one time, in ln loss, and the band's half-width. */
export interface Gap {
  atMs: number;
  importance: TrendFit;
  uniform: TrendFit;
  /** ln(uniform's loss / importance's loss). */
  logRatio: number;
  /** Half-width of the band in ln ratio. */
  halfWidth: number;
}

/** Both trends at `atMs` and the band; null while either run has too few evaluations up to then. */
export function gapAt(importance: TrendCurve, uniform: TrendCurve, atMs: number): Gap | null {
  const i = importance.fitAt(atMs);
  const u = uniform.fitAt(atMs);
  if (!i || !u) return null;
  const sd = Math.sqrt(i.predictionVar + u.predictionVar);
  const halfWidth = BAND_Z * studentFactor(effectiveDof(i) + effectiveDof(u)) * sd;
  return { atMs, importance: i, uniform: u, logRatio: u.logLoss - i.logLoss, halfWidth };
}

const sideOf = (g: Gap): Leader => (g.logRatio > g.halfWidth ? 'importance' : g.logRatio < -g.halfWidth ? 'uniform' : 'level');

// ---- the speed-up --------------------------------------------------------------------------

/**
 * When a smoothed curve first reaches `targetLog` (ln loss at or below it), linear in ln loss
 * between its points: { t, first: false }; { t of its first point, first: true } when it is
 * there from its first point; null when it has not reached it.
 */
export function firstReach(curve: readonly { t: number; logLoss: number }[], targetLog: number): { t: number; first: boolean } | null {
  if (curve.length === 0) return null;
  if (curve[0].logLoss <= targetLog) return { t: curve[0].t, first: true };
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1];
    const b = curve[k];
    if (b.logLoss > targetLog) continue;
    // a is above the target (else the search had stopped there), b at or below it.
    const f = (a.logLoss - targetLog) / (a.logLoss - b.logLoss);
    return { t: a.t + f * (b.t - a.t), first: false };
  }
  return null;
}

/** The speed-up in both directions; the one nearer 1 when both have happened; null when neither has. */
function speedUpOf(importance: TrendCurve, uniform: TrendCurve): Omit<SpeedUp, 'leader'> | null {
  const iLast = importance.logLossAt(importance.lastMs);
  const uLast = uniform.logLossAt(uniform.lastMs);
  if (iLast === null || uLast === null) return null;
  const found: Omit<SpeedUp, 'leader'>[] = [];
  // Importance reaching uniform's latest loss: a bound from its first point says something only below 1.
  const a = firstReach(importance.smoothed(), uLast);
  if (a && uniform.lastMs > 0 && !(a.first && a.t >= uniform.lastMs)) {
    found.push({
      reached: 'importance',
      targetLoss: Math.exp(uLast),
      importanceMs: a.t,
      uniformMs: uniform.lastMs,
      timeFraction: a.t / uniform.lastMs,
      bound: a.first ? 'atMost' : 'exact',
    });
  }
  // The mirror: uniform reaching importance's latest loss; a bound says something only above 1.
  const b = firstReach(uniform.smoothed(), iLast);
  if (b && b.t > 0 && !(b.first && b.t <= importance.lastMs)) {
    found.push({
      reached: 'uniform',
      targetLoss: Math.exp(iLast),
      importanceMs: importance.lastMs,
      uniformMs: b.t,
      timeFraction: importance.lastMs / b.t,
      bound: b.first ? 'atLeast' : 'exact',
    });
  }
  if (found.length === 0) return null;
  // Both happen only where the curves are level or wiggle: the nearer 1 is the cautious one.
  found.sort((p, q) => Math.abs(Math.log(p.timeFraction)) - Math.abs(Math.log(q.timeFraction)));
  return found[0];
}

// ---- the readout ---------------------------------------------------------------------------

const notYet = <T>(whyNot: string): Measure<T> => ({ value: null, whyNot });

/** Both measures and the one decision, from the two runs' evaluations (oldest first, as the metrics store keeps them). */
export function computeReadout(importanceEvals: readonly ClockedLoss[], uniformEvals: readonly ClockedLoss[]): Readout {
  const importance = new TrendCurve(importanceEvals);
  const uniform = new TrendCurve(uniformEvals);
  const atMs = Math.min(importance.lastMs, uniform.lastMs);
  const gap = atMs > 0 ? gapAt(importance, uniform, atMs) : null;
  if (!gap) {
    const why = `waiting for ${MIN_FIT_POINTS} evaluations of each run in the time they have in common (importance ${importance.length}, uniform ${uniform.length})`;
    return { lossRatio: notYet(why), speedUp: notYet(why), leader: null };
  }
  const speed = speedUpOf(importance, uniform);
  let leader = sideOf(gap);
  // One decision: a speed-up pointing the other way (only where the curves wiggle) makes it level.
  if (speed && ((leader === 'importance' && speed.timeFraction >= 1) || (leader === 'uniform' && speed.timeFraction <= 1))) {
    leader = 'level';
  }
  const lossRatio: LossRatio = {
    atMs,
    uniformLoss: Math.exp(gap.uniform.logLoss),
    importanceLoss: Math.exp(gap.importance.logLoss),
    ratio: Math.exp(gap.logRatio),
    band: Math.expm1(gap.halfWidth),
    leader,
  };
  return {
    lossRatio: { value: lossRatio, whyNot: null },
    speedUp: speed
      ? { value: { ...speed, leader }, whyNot: null }
      : notYet('neither run has reached the other’s latest loss yet'),
    leader,
  };
}

/** Points of the ratio chart: its line is a trend already, and each point costs two fits (about 0.3 ms at 1,000 evaluations a window). */
export const RATIO_POINTS = 60;

/**
 * The loss ratio and its band against time, for the ratio chart: at the uniform run's
 * evaluation times where both trends exist, up to the readout's time, at most `maxPoints`
 * of them (evenly thinned; the last is always the readout's own comparison). O(maxPoints ·
 * window).
 */
export function ratioSeries(importanceEvals: readonly ClockedLoss[], uniformEvals: readonly ClockedLoss[], maxPoints = RATIO_POINTS): RatioPoint[] {
  const importance = new TrendCurve(importanceEvals);
  const uniform = new TrendCurve(uniformEvals);
  const end = Math.min(importance.lastMs, uniform.lastMs);
  if (!(end > 0)) return [];
  const times = uniform.times.filter((t) => t < end);
  times.push(end);
  const step = Math.max(1, times.length / maxPoints);
  const picked: number[] = [];
  for (let k = times.length - 1; k >= 0; k -= step) picked.push(times[Math.round(k)]);
  picked.reverse();
  const out: RatioPoint[] = [];
  for (const t of picked) {
    if (out.length && t <= out[out.length - 1].t) continue;
    const g = gapAt(importance, uniform, t);
    if (g) out.push({ t, ratio: Math.exp(g.logRatio), lo: Math.exp(-g.halfWidth), hi: Math.exp(g.halfWidth) });
  }
  return out;
}
