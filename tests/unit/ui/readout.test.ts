// The "who is ahead" maths (src/ui/race/): the trailing log-log fit against a plain float64
// least-squares reference, the AR(1) noise algebra against dense matrices and a Monte Carlo
// run, and the readout on exact power laws, where every number can be worked out on paper.
// How often it calls a winner in noisy races is in readoutSimulation.test.ts.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/is/rng';
import { LineNoise, arTimes } from '../../../src/ui/race/ar1Noise';
import {
  describeLossRatio,
  describeSpeedUp,
  formatBand,
  formatFactor,
  formatPercent,
  speedUpValue,
} from '../../../src/ui/race/readoutText';
import { MIN_FIT_POINTS, TrendCurve, WINDOW_FRACTION, type ClockedLoss } from '../../../src/ui/race/trendFit';
import { computeReadout, firstReach, ratioSeries, studentFactor } from '../../../src/ui/race/whoIsAhead';

const pts = (...xs: [number, number][]): ClockedLoss[] => xs.map(([clockMs, trainLoss]) => ({ clockMs, trainLoss }));

/** A power law L(t) = 3·(t/100)^−k evaluated at t = 100·j ms, j = from … to, its clock scaled by `speed` (2: reaches each loss in half the time). */
function powerLaw(k: number, speed: number, from: number, to: number): ClockedLoss[] {
  const out: ClockedLoss[] = [];
  for (let j = from; j <= to; j++) out.push({ clockMs: 100 * j, trainLoss: 3 * ((speed * 100 * j) / 100) ** -k });
  return out;
}

/** Ordinary least squares of y on x, two-pass, float64: the reference the prefix-sum fit is checked against. */
function ols(x: number[], y: number[]) {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, at: (x0: number) => my + slope * (x0 - mx) };
}

describe('TrendCurve: a least-squares line through ln loss against ln time, over a trailing window', () => {
  const rng = createRng(11);
  const noisy: ClockedLoss[] = Array.from({ length: 60 }, (_, j) => ({
    clockMs: 250 * (j + 1) * (1 + 0.1 * (rng.next() - 0.5)),
    trainLoss: 2 * (j + 1) ** -0.7 * Math.exp(0.1 * (rng.next() - 0.5)),
  }));

  it('matches a plain least-squares fit of the evaluations in [t·(1 − WINDOW_FRACTION), t]', () => {
    const curve = new TrendCurve(noisy);
    for (const t of [2000, 5000.5, 9999, 15000]) {
      const inWindow = noisy.filter((p) => p.clockMs <= t && p.clockMs >= t * (1 - WINDOW_FRACTION));
      expect(inWindow.length).toBeGreaterThanOrEqual(MIN_FIT_POINTS);
      const ref = ols(inWindow.map((p) => Math.log(p.clockMs)), inWindow.map((p) => Math.log(p.trainLoss)));
      const fit = curve.fitAt(t)!;
      expect(fit.n).toBe(inWindow.length);
      expect(fit.slope).toBeCloseTo(ref.slope, 10);
      expect(fit.logLoss).toBeCloseTo(ref.at(Math.log(t)), 10);
      expect(curve.logLossAt(t)).toBeCloseTo(fit.logLoss, 12);
    }
  });

  it('reaches back past the window for MIN_FIT_POINTS evaluations, and has no fit before it has them', () => {
    const curve = new TrendCurve(noisy);
    const t = noisy[4].clockMs; // five evaluations up to t, two or three of them in [t/2, t]
    const last4 = noisy.slice(1, 5);
    const ref = ols(last4.map((p) => Math.log(p.clockMs)), last4.map((p) => Math.log(p.trainLoss)));
    expect(curve.fitAt(t)!.n).toBe(MIN_FIT_POINTS);
    expect(curve.fitAt(t)!.logLoss).toBeCloseTo(ref.at(Math.log(t)), 10);
    expect(curve.fitAt(noisy[2].clockMs)).toBeNull();
  });

  it('leaves out what a log axis cannot hold: clock 0 (the step-0 evaluation), non-finite and non-positive losses', () => {
    const curve = new TrendCurve(pts([0, 2.3], [100, 2], [150, Number.NaN], [200, 1], [250, 0], [300, Number.POSITIVE_INFINITY], [400, 0.5], [800, 0.25]));
    expect(curve.times).toEqual([100, 200, 400, 800]);
  });

  it('is exact on a power law, with no scatter and so no uncertainty', () => {
    const curve = new TrendCurve(powerLaw(0.5, 1, 1, 20));
    const fit = curve.fitAt(2000)!;
    expect(fit.slope).toBeCloseTo(-0.5, 12);
    expect(fit.logLoss).toBeCloseTo(Math.log(3 * 20 ** -0.5), 12);
    expect(fit.residualVar).toBeCloseTo(0, 20);
    expect(fit.predictionVar).toBeCloseTo(0, 20);
  });
});

describe('ar1Noise: the moments of a line fit’s residuals under AR(1) noise', () => {
  const x = [0.1, 0.5, 0.9, 1.0, 1.6, 1.7, 2.4];
  const n = x.length;
  /** Dense R, H, M = I − H and S = M R M for correlation rho. */
  function dense(rho: number) {
    const R = x.map((_, i) => x.map((__, j) => rho ** Math.abs(i - j)));
    const mx = x.reduce((a, b) => a + b, 0) / n;
    const sxx = x.reduce((a, b) => a + (b - mx) ** 2, 0);
    const H = x.map((xi) => x.map((xj) => 1 / n + ((xi - mx) * (xj - mx)) / sxx));
    const M = H.map((row, i) => row.map((h, j) => (i === j ? 1 : 0) - h));
    const mul = (A: number[][], B: number[][]) => A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
    return { R, S: mul(mul(M, R), M), mx, sxx };
  }

  it('tr(S) and Σ S(i, i+1) match dense matrices', () => {
    const noise = new LineNoise(x);
    for (const rho of [0, 0.3, 0.8, 0.95]) {
      const { S } = dense(rho);
      const m = noise.residualMoments(rho);
      expect(m.trace).toBeCloseTo(S.reduce((s, row, i) => s + row[i], 0), 12);
      expect(m.lag).toBeCloseTo(S.slice(0, -1).reduce((s, row, i) => s + row[i + 1], 0), 12);
    }
    expect(noise.residualMoments(0).trace).toBeCloseTo(n - 2, 12); // independent noise: n − 2 degrees of freedom
  });

  it('R·v and cᵀRc match dense matrices', () => {
    const c = Float64Array.from(x, (v, i) => Math.sin(3 * v) + i / 10);
    const { R } = dense(0.6);
    const Rc = arTimes(c, 0.6);
    R.forEach((row, i) => expect(Rc[i]).toBeCloseTo(row.reduce((s, r, j) => s + r * c[j], 0), 12));
    expect(new LineNoise(x).predictionFactor(c, 0.6)).toBeCloseTo(Array.from(c).reduce((s, ci, i) => s + ci * Rc[i], 0), 12);
  });

  it('matchRho inverts the expected lag-1 ratio, and stops at 0 and at the cap', () => {
    const noise = new LineNoise(x);
    for (const rho of [0.1, 0.4, 0.7]) {
      const m = noise.residualMoments(rho);
      expect(noise.matchRho(m.lag / m.trace, 0.95)).toBeCloseTo(rho, 4);
    }
    expect(noise.matchRho(-0.9, 0.95)).toBe(0);
    expect(noise.matchRho(0.99, 0.95)).toBe(0.95);
  });

  it('E[Σ e²] = σ²·tr(S), by Monte Carlo over 4,000 AR(1) sequences', () => {
    const rng = createRng(5);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const rho = 0.6;
    const sigma = 0.3;
    const noise = new LineNoise(x);
    const sse: number[] = [];
    for (let k = 0; k < 4000; k++) {
      const e: number[] = [gauss() * sigma];
      for (let i = 1; i < n; i++) e.push(rho * e[i - 1] + Math.sqrt(1 - rho * rho) * sigma * gauss());
      const y = e.map((v, i) => 1 - 0.5 * x[i] + v); // any line: the fit removes it
      const fit = ols(x, y);
      sse.push(y.reduce((s, yi, i) => s + (yi - fit.at(x[i])) ** 2, 0));
    }
    const mean = sse.reduce((a, b) => a + b, 0) / sse.length;
    const se = Math.sqrt(sse.reduce((a, b) => a + (b - mean) ** 2, 0) / (sse.length - 1) / sse.length);
    // Within 4 standard errors of the mean: a wrong trace (e.g. n − 2 = 5 against the 3.2 of
    // ρ = 0.6) is dozens of standard errors off.
    expect(Math.abs(mean - sigma ** 2 * noise.residualMoments(rho).trace)).toBeLessThan(4 * se);
  });
});

describe('studentFactor: t(0.975, ν) / 1.96', () => {
  it('matches the tables at 1, 5, 10 and 30 degrees of freedom, and tends to 1', () => {
    expect(studentFactor(1) * 1.959964).toBeCloseTo(12.706, 3);
    expect(studentFactor(5) * 1.959964).toBeCloseTo(2.571, 3);
    expect(studentFactor(10) * 1.959964).toBeCloseTo(2.228, 2);
    expect(studentFactor(30) * 1.959964).toBeCloseTo(2.042, 2);
    expect(studentFactor(1e6)).toBeCloseTo(1, 5);
    expect(studentFactor(0.2)).toBe(studentFactor(1));
  });
});

describe('firstReach', () => {
  const curve = (...xs: [number, number][]) => xs.map(([t, loss]) => ({ t, logLoss: Math.log(loss) }));
  it('crosses linearly in ln loss between points: ln 2 → ln 0.5 over 100 ms reaches ln 1 halfway', () => {
    expect(firstReach(curve([100, 2], [200, 0.5]), 0)).toEqual({ t: 150, first: false });
  });
  it('takes the first crossing; a first point already there is flagged; null when never', () => {
    expect(firstReach(curve([100, 2], [200, 1], [300, 1.5], [400, 0.5]), 0)).toEqual({ t: 200, first: false });
    expect(firstReach(curve([50, 0.8], [100, 0.4]), 0)).toEqual({ t: 50, first: true });
    expect(firstReach(curve([100, 2], [300, 1]), Math.log(0.5))).toBeNull();
  });
});

describe('computeReadout on exact power laws (L = 3·(t/100)^−0.5)', () => {
  it('importance reaching each loss in half the time: ratio √2, 50 % of the time, importance ahead', () => {
    const r = computeReadout(powerLaw(0.5, 2, 1, 20), powerLaw(0.5, 1, 1, 20));
    const ratio = r.lossRatio.value!;
    expect(ratio.atMs).toBe(2000);
    expect(ratio.ratio).toBeCloseTo(Math.SQRT2, 10);
    expect(ratio.band).toBeCloseTo(0, 10); // no scatter
    expect(r.leader).toBe('importance');
    const s = r.speedUp.value!;
    // uniform's latest loss, 3·20^−0.5, is importance's at 1,000 ms
    expect(s).toMatchObject({ reached: 'importance', uniformMs: 2000, bound: 'exact', leader: 'importance' });
    expect(s.importanceMs).toBeCloseTo(1000, 8);
    expect(s.timeFraction).toBeCloseTo(0.5, 10);
    expect(s.targetLoss).toBeCloseTo(3 * 20 ** -0.5, 12);
    expect(describeSpeedUp(s)).toBe('importance reached uniform’s latest loss in 50 % of uniform’s time: importance 2.0× faster');
    expect(describeLossRatio(ratio)).toBe('importance 1.4× lower loss at equal time, beyond the ±0.0 % band');
  });

  it('the mirror: uniform twice as fast is found from uniform reaching importance’s loss, and says uniform ahead', () => {
    const r = computeReadout(powerLaw(0.5, 1, 1, 20), powerLaw(0.5, 2, 1, 20));
    expect(r.leader).toBe('uniform');
    expect(r.lossRatio.value!.ratio).toBeCloseTo(Math.SQRT1_2, 10);
    const s = r.speedUp.value!;
    expect(s).toMatchObject({ reached: 'uniform', importanceMs: 2000, leader: 'uniform' });
    expect(s.uniformMs).toBeCloseTo(1000, 8);
    expect(s.timeFraction).toBeCloseTo(2, 10);
    expect(describeSpeedUp(s)).toBe('uniform ahead: uniform reached importance’s latest loss in 50 % of importance’s time: uniform 2.0× faster');
    expect(describeLossRatio(r.lossRatio.value!)).toMatch(/^uniform ahead: 1\.4× lower loss at equal time/);
  });

  it('clocks that end apart: compared at the earlier end; a run ahead but behind in time is found by the mirror', () => {
    // importance 1.5× faster, evaluated up to 1,000 ms; uniform up to 2,000 ms. At 1,000 ms the
    // ratio is 1.5^0.5; uniform reached importance's latest loss (its own at 1,500 ms) at 1,500 ms.
    const r = computeReadout(powerLaw(0.5, 1.5, 1, 10), powerLaw(0.5, 1, 1, 20));
    expect(r.lossRatio.value!.atMs).toBe(1000);
    expect(r.lossRatio.value!.ratio).toBeCloseTo(Math.sqrt(1.5), 10);
    const s = r.speedUp.value!;
    expect(s.reached).toBe('uniform');
    expect(s.uniformMs).toBeCloseTo(1500, 8);
    expect(1 / s.timeFraction).toBeCloseTo(1.5, 10);
    expect(r.leader).toBe('importance');
  });

  it('already below at its first smoothed point: a bound (≤ 20 %, at least 5× faster)', () => {
    // importance 10× faster: uniform's latest loss is importance's at 200 ms, before its first fit (4th point, 400 ms)
    const r = computeReadout(powerLaw(0.5, 10, 1, 20), powerLaw(0.5, 1, 1, 20));
    const s = r.speedUp.value!;
    expect(s).toMatchObject({ reached: 'importance', importanceMs: 400, bound: 'atMost' });
    expect(s.timeFraction).toBeCloseTo(0.2, 12);
    expect(speedUpValue(s)).toBe('≤ 20 %');
    expect(describeSpeedUp(s)).toBe('importance reached uniform’s latest loss in at most 20 % of uniform’s time: importance at least 5.0× faster');
  });

  it('identical runs are level', () => {
    const r = computeReadout(powerLaw(0.5, 1, 1, 12), powerLaw(0.5, 1, 1, 12));
    expect(r.leader).toBe('level');
    expect(r.lossRatio.value!.ratio).toBe(1);
  });

  it('waits for MIN_FIT_POINTS evaluations of each run in the time they share', () => {
    const r = computeReadout(powerLaw(0.5, 1, 1, 3), powerLaw(0.5, 1, 1, 20));
    expect(r.leader).toBeNull();
    expect(r.lossRatio.whyNot).toContain('importance 3, uniform 20');
    expect(r.speedUp.value).toBeNull();
    // four each, but the uniform run's start later than the importance run's end: no time in common
    expect(computeReadout(powerLaw(0.5, 1, 1, 4), powerLaw(0.5, 1, 10, 20)).lossRatio.value).toBeNull();
  });
});

describe('the band and the decision on noisy curves', () => {
  /** ±5 % alternating wobble on a power law: scatter, and so a band, without randomness. */
  const wobbly = (speed: number, phase: number) =>
    powerLaw(0.5, speed, 1, 30).map((p, j) => ({ ...p, trainLoss: p.trainLoss * Math.exp(0.05 * Math.sin(2.1 * j + phase)) }));

  it('identical curves with different wobbles are level within a band of a few per cent', () => {
    const r = computeReadout(wobbly(1, 0), wobbly(1, 1.3));
    const ratio = r.lossRatio.value!;
    expect(r.leader).toBe('level');
    expect(ratio.band).toBeGreaterThan(0.01);
    expect(ratio.band).toBeLessThan(0.5);
    expect(Math.abs(Math.log(ratio.ratio))).toBeLessThanOrEqual(Math.log1p(ratio.band));
    expect(describeLossRatio(ratio)).toBe(`level: within ${formatBand(ratio.band)} at equal time`);
  });

  it('a 4× gap in time stands far outside that band', () => {
    const r = computeReadout(wobbly(4, 0), wobbly(1, 1.3));
    expect(r.leader).toBe('importance');
    expect(r.lossRatio.value!.ratio).toBeGreaterThan(1 + r.lossRatio.value!.band);
    expect(r.speedUp.value!.leader).toBe('importance');
  });

  it('ratioSeries ends on the readout’s own comparison and has the band around 1', () => {
    const imp = wobbly(2, 0);
    const uni = wobbly(1, 1.3);
    const series = ratioSeries(imp, uni, 10);
    const r = computeReadout(imp, uni).lossRatio.value!;
    expect(series.length).toBeLessThanOrEqual(10);
    expect(series.length).toBeGreaterThan(5);
    expect(series.every((p, i) => i === 0 || p.t > series[i - 1].t)).toBe(true);
    const last = series[series.length - 1];
    expect(last.t).toBe(r.atMs);
    expect(last.ratio).toBeCloseTo(r.ratio, 12);
    expect(last.hi - 1).toBeCloseTo(r.band, 12);
    expect(last.lo * last.hi).toBeCloseTo(1, 12);
    expect(ratioSeries([], uni)).toEqual([]);
  });
});

describe('wording', () => {
  it('formats factors, percentages and bands', () => {
    expect(formatFactor(2.345)).toBe('2.3×');
    expect(formatFactor(12.6)).toBe('13×');
    expect(formatPercent(0.4)).toBe('40 %');
    expect(formatPercent(0.045)).toBe('4.5 %');
    expect(formatBand(0.09)).toBe('±9.0 %');
    expect(formatBand(0.123)).toBe('±12 %');
  });
});
