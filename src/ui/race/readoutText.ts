// The readout's numbers and sentences, as the page writes them (whoIsAhead.ts decides, this
// words it). Every sentence names the leader the one decision gave, so the two measures never
// contradict each other on the page.
import type { Leader, LossRatio, SpeedUp } from './whoIsAhead';

/** A factor as the page writes it: 2.3×, 12×. */
export function formatFactor(f: number): string {
  return `${f >= 10 ? f.toFixed(0) : f.toFixed(1)}×`;
}

/** A fraction as a percentage: 40 %, 4.5 %. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  return `${p >= 10 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/** The band's half-width: ±9 %, ±2.5 %, ±140 %. */
export function formatBand(band: number): string {
  return `±${formatPercent(band)}`;
}

/** The headline: who is ahead. */
export function leaderText(leader: Leader): string {
  return leader === 'importance' ? 'Importance sampling ahead' : leader === 'uniform' ? 'Uniform ahead' : 'Level';
}

/** The speed-up's value: the share of uniform's time importance needs, "≤ 40 %" where a bound. */
export function speedUpValue(s: SpeedUp): string {
  const mark = s.bound === 'atMost' ? '≤ ' : s.bound === 'atLeast' ? '≥ ' : '';
  return `${mark}${formatPercent(s.timeFraction)}`;
}

/** One sentence: which run reached which loss in how much of the other's time, and who that makes faster. */
export function describeSpeedUp(s: SpeedUp): string {
  const f = s.timeFraction;
  const measured =
    s.reached === 'importance'
      ? `importance reached uniform’s latest loss in ${s.bound === 'atMost' ? 'at most ' : ''}${formatPercent(f)} of uniform’s time`
      : `uniform reached importance’s latest loss in ${s.bound === 'atLeast' ? 'at most ' : ''}${formatPercent(1 / f)} of importance’s time`;
  // A bound on the time is a bound on the factor: "at least".
  const least = s.bound === 'exact' ? '' : 'at least ';
  switch (s.leader) {
    case 'importance':
      return `${measured}: importance ${least}${formatFactor(1 / f)} faster`;
    case 'uniform':
      return `uniform ahead: ${measured}: uniform ${least}${formatFactor(f)} faster`;
    case 'level':
      return `level: ${measured}`;
  }
}

/** One sentence that says which run is better at equal own-clock time, against the band. */
export function describeLossRatio(r: LossRatio): string {
  switch (r.leader) {
    case 'importance':
      return `importance ${formatFactor(r.ratio)} lower loss at equal time, beyond the ${formatBand(r.band)} band`;
    case 'uniform':
      return `uniform ahead: ${formatFactor(1 / r.ratio)} lower loss at equal time, beyond the ${formatBand(r.band)} band`;
    case 'level':
      // Level beyond the band only where the speed-up points the other way (whoIsAhead.ts).
      return r.ratio > 1 + r.band || r.ratio < 1 / (1 + r.band)
        ? `level: ${formatFactor(Math.max(r.ratio, 1 / r.ratio))} apart at equal time, but the time to reach the same loss says the opposite`
        : `level: within ${formatBand(r.band)} at equal time`;
  }
}
