// The "who is ahead" maths (src/ui/readout.ts) against hand-computed examples. Each example is
// small enough to check on paper; the log-linear interpolation is what tells them apart from a
// linear one (example 1 would give 166.7 ms, not 150 ms, with straight lines in the loss).
import { describe, expect, it } from 'vitest';
import {
  LEVEL_TOLERANCE,
  computeReadout,
  describeLossRatio,
  describeSpeedUp,
  firstReach,
  formatFactor,
  formatPercent,
  leaderOf,
  lossAt,
  type ClockedLoss,
} from '../../../src/ui/readout';

const pts = (...xs: [number, number][]): ClockedLoss[] => xs.map(([clockMs, trainLoss]) => ({ clockMs, trainLoss }));

describe('lossAt: log-linear between evaluations', () => {
  it('halfway in time between 2 and 1 is √2 (the geometric mean), not 1.5', () => {
    expect(lossAt(pts([100, 2], [300, 1]), 200)).toBeCloseTo(Math.SQRT2, 14);
  });

  it('is exact on an exponentially decaying loss, at any time inside the span', () => {
    const curve = (t: number) => 3 * Math.exp(-t / 250);
    const sampled = pts(...[0, 100, 250, 400, 1000].map((t): [number, number] => [t, curve(t)]));
    for (const t of [0, 37, 100, 180.5, 399, 777, 1000]) expect(lossAt(sampled, t)).toBeCloseTo(curve(t), 12);
  });

  it('is null outside the evaluated span, and takes the later point where two share a clock', () => {
    const p = pts([100, 2], [200, 1], [200, 0.8], [300, 0.5]);
    expect(lossAt(p, 99)).toBeNull();
    expect(lossAt(p, 301)).toBeNull();
    expect(lossAt(p, 200)).toBe(1); // end of the first segment
    expect(lossAt(p, 250)).toBeCloseTo(Math.sqrt(0.8 * 0.5), 14);
  });
});

describe('firstReach', () => {
  it('finds where the log-loss line crosses the target: 2 → 0.5 over 100 ms reaches 1 halfway', () => {
    expect(firstReach(pts([100, 2], [200, 0.5]), 1)).toEqual({ t: 150, atMost: false });
  });

  it('takes the first crossing, and a point exactly at the target', () => {
    // reaches 1 at 200 exactly; goes back above it and down again later
    expect(firstReach(pts([100, 2], [200, 1], [300, 1.5], [400, 0.5]), 1)).toEqual({ t: 200, atMost: false });
  });

  it('a first evaluation already at or below the target gives its clock as a bound', () => {
    expect(firstReach(pts([50, 0.8], [100, 0.4]), 1)).toEqual({ t: 50, atMost: true });
  });

  it('null while the curve has not reached it', () => {
    expect(firstReach(pts([100, 2], [300, 1]), 0.5)).toBeNull();
  });
});

describe('computeReadout', () => {
  it('importance ahead: 50 % of the time (2× faster) and 2√2 ≈ 2.83× lower loss at equal time', () => {
    // uniform's latest: loss 1 at 300 ms. importance: 2 → 0.5 between 100 and 200 ms, at 1 after 150 ms.
    // equal time = min(200, 300) = 200 ms: importance 0.5, uniform √(2·1) = √2.
    const r = computeReadout(pts([100, 2], [200, 0.5]), pts([100, 2], [300, 1]));
    expect(r.speedUp.value).toEqual({
      targetLoss: 1,
      uniformMs: 300,
      importanceMs: 150,
      timeFraction: 0.5,
      atMost: false,
      leader: 'importance',
    });
    const ratio = r.lossRatio.value!;
    expect(ratio.atMs).toBe(200);
    expect(ratio.importanceLoss).toBe(0.5);
    expect(ratio.uniformLoss).toBeCloseTo(Math.SQRT2, 14);
    expect(ratio.ratio).toBeCloseTo(2 * Math.SQRT2, 13);
    expect(ratio.leader).toBe('importance');
    expect(describeLossRatio(ratio)).toBe('importance 2.8× lower loss at equal time');
    expect(describeSpeedUp(r.speedUp.value!)).toBe('importance reached uniform’s current loss in 50 % of the time: 2.0× faster');
  });

  it('uniform ahead: importance has not reached uniform’s loss; the ratio says uniform is 2.8× lower', () => {
    const r = computeReadout(pts([100, 2], [300, 1]), pts([100, 2], [200, 0.5]));
    expect(r.speedUp.value).toBeNull();
    expect(r.speedUp.whyNot).toMatch(/not reached/);
    const ratio = r.lossRatio.value!;
    expect(ratio.atMs).toBe(200);
    expect(ratio.ratio).toBeCloseTo(0.5 / Math.SQRT2, 14);
    expect(ratio.leader).toBe('uniform');
    expect(describeLossRatio(ratio)).toBe('uniform ahead: 2.8× lower loss at equal time');
  });

  it('importance got there, but later than uniform did: 125 % of the time, uniform ahead', () => {
    // uniform: loss 1 at 200 ms. importance: 2 → 0.5 from 100 to 400 ms, at 1 after 250 ms.
    // equal time 200 ms: importance 2·(1/4)^(1/3) = 1.2599…, uniform 1.
    const r = computeReadout(pts([100, 2], [400, 0.5]), pts([100, 2], [200, 1]));
    const s = r.speedUp.value!;
    expect(s.importanceMs).toBe(250);
    expect(s.timeFraction).toBe(1.25);
    expect(s.leader).toBe('uniform');
    expect(describeSpeedUp(s)).toBe('uniform ahead: importance needed 125 % of uniform’s time to reach its loss');
    expect(r.lossRatio.value!.importanceLoss).toBeCloseTo(2 * Math.cbrt(0.25), 14);
    expect(r.lossRatio.value!.ratio).toBeCloseTo(1 / (2 * Math.cbrt(0.25)), 14);
    expect(r.lossRatio.value!.leader).toBe('uniform');
  });

  it('already below at its first evaluation: an upper bound (≤ 25 %, at least 4× faster)', () => {
    const r = computeReadout(pts([50, 0.8], [100, 0.4]), pts([100, 2], [200, 1]));
    const s = r.speedUp.value!;
    expect(s).toMatchObject({ importanceMs: 50, timeFraction: 0.25, atMost: true, leader: 'importance' });
    expect(describeSpeedUp(s)).toBe('importance reached uniform’s current loss in at most 25 % of the time: at least 4.0× faster');
    // equal time 100 ms: importance 0.4, uniform 2
    expect(r.lossRatio.value!.ratio).toBeCloseTo(5, 14);
  });

  it('a bound that says nothing (first importance evaluation after uniform’s latest) and no common time: not yet', () => {
    const r = computeReadout(pts([300, 0.8], [400, 0.4]), pts([100, 2], [200, 1]));
    expect(r.speedUp.value).toBeNull();
    expect(r.speedUp.whyNot).toMatch(/too late/);
    expect(r.lossRatio.value).toBeNull();
    expect(r.lossRatio.whyNot).toMatch(/no stretch of own-clock time in common/);
  });

  it('not yet while either run has fewer than 2 usable evaluations; non-finite and non-positive losses are skipped', () => {
    const one = computeReadout(pts([100, 2]), pts([100, 2], [200, 1]));
    expect(one.speedUp.value).toBeNull();
    expect(one.lossRatio.value).toBeNull();
    expect(one.lossRatio.whyNot).toContain('importance 1, uniform 2');
    const noisy = computeReadout(pts([100, 2], [150, Number.NaN], [170, 0], [200, 0.5]), pts([100, 2], [300, 1]));
    expect(noisy.speedUp.value!.importanceMs).toBe(150);
    const bad = computeReadout(pts([100, Number.POSITIVE_INFINITY], [200, 0.5]), pts([100, 2], [300, 1]));
    expect(bad.speedUp.value).toBeNull();
  });

  it('level within the tolerance', () => {
    const r = computeReadout(pts([100, 2], [200, 1.01]), pts([100, 2], [200, 1]));
    expect(r.lossRatio.value!.ratio).toBeCloseTo(1 / 1.01, 14);
    expect(r.lossRatio.value!.leader).toBe('level');
    expect(describeLossRatio(r.lossRatio.value!)).toBe(`level: losses within ${LEVEL_TOLERANCE * 100} % at equal time`);
  });
});

describe('wording', () => {
  it('leaderOf splits at 1 ± the tolerance', () => {
    expect(leaderOf(1.01)).toBe('level');
    expect(leaderOf(1 / 1.01)).toBe('level');
    expect(leaderOf(1.03)).toBe('importance');
    expect(leaderOf(0.97)).toBe('uniform');
  });

  it('formats factors and percentages', () => {
    expect(formatFactor(2.345)).toBe('2.3×');
    expect(formatFactor(12.6)).toBe('13×');
    expect(formatPercent(0.4)).toBe('40 %');
    expect(formatPercent(0.045)).toBe('4.5 %');
  });
});
