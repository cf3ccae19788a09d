// The display smoothing of the loss and τ charts: TensorBoard's debiased exponential moving
// average, checked against a float64 loop written out here.
import { describe, expect, it } from 'vitest';
import type { XY } from '../../../src/ui/charts/common';
import { MAX_SMOOTHING, clampSmoothing, emaSmooth } from '../../../src/ui/charts/smoothing';
import { mulberry32 } from '../../support/prng';

/** The reference: m ← w·m + (1 − w)·y over the finite values, shown as m / (1 − w^k). */
function reference(ys: readonly number[], w: number): number[] {
  const out: number[] = [];
  let m = 0;
  let k = 0;
  for (const y of ys) {
    if (!Number.isFinite(y)) {
      out.push(y);
      continue;
    }
    m = w * m + (1 - w) * y;
    k += 1;
    let wk = 1;
    for (let i = 0; i < k; i++) wk *= w;
    out.push(m / (1 - wk));
  }
  return out;
}

const series = (ys: readonly number[]): XY[] => ys.map((y, i) => ({ x: i * 25, y }));

describe('emaSmooth', () => {
  it('matches the debiased EMA for weights up to the slider’s top, keeping x', () => {
    const random = mulberry32(7);
    const ys = Array.from({ length: 400 }, (_, i) => 2 / Math.sqrt(i + 1) + 0.3 * (random() - 0.5));
    for (const w of [0.1, 0.5, 0.9, 0.95, MAX_SMOOTHING]) {
      const got = emaSmooth(series(ys), w);
      const want = reference(ys, w);
      expect(got.map((p) => p.x)).toEqual(ys.map((_, i) => i * 25));
      for (let i = 0; i < ys.length; i++) expect(got[i].y).toBeCloseTo(want[i], 12);
    }
  });

  it('starts at the first value (debiased, not pulled towards 0) and lags a step', () => {
    const got = emaSmooth(series([4, 0, 0]), 0.5);
    // m1 = 2, /(1 − 0.5) = 4; m2 = 1, /(1 − 0.25) = 4/3; m3 = 0.5, /(1 − 0.125) = 4/7.
    expect(got.map((p) => p.y)).toEqual([4, 4 / 3, 4 / 7]);
  });

  it('weight 0 returns the points unchanged (a copy)', () => {
    const pts = series([3, 1, 4, 1, 5, NaN, 9]);
    const got = emaSmooth(pts, 0);
    expect(got).toEqual(pts);
    expect(got).not.toBe(pts);
  });

  it('leaves a constant series exactly as it is', () => {
    for (const w of [0.3, 0.9, MAX_SMOOTHING]) {
      expect(emaSmooth(series(Array(50).fill(0.1)), w).every((p) => p.y === 0.1)).toBe(true);
    }
  });

  it('keeps a non-finite value in its place and carries the average over it', () => {
    const ys = [1, 2, NaN, 4, Infinity, 8];
    const got = emaSmooth(series(ys), 0.6).map((p) => p.y);
    expect(Number.isNaN(got[2])).toBe(true);
    expect(got[4]).toBe(Infinity);
    // The finite values smooth as if the others were not there.
    const finite = reference([1, 2, 4, 8], 0.6);
    [got[0], got[1], got[3], got[5]].forEach((y, i) => expect(y).toBeCloseTo(finite[i], 14));
    expect(emaSmooth([], 0.9)).toEqual([]);
  });

  it('refuses a weight outside [0, 1) and says which', () => {
    expect(() => emaSmooth(series([1, 2]), 1)).toThrow(/smoothing weight must be in \[0, 1\), got 1/);
    expect(() => emaSmooth(series([1, 2]), -0.1)).toThrow(RangeError);
    expect(() => emaSmooth(series([1, 2]), NaN)).toThrow(RangeError);
  });

  it('clampSmoothing keeps a chart’s prop within the slider’s range', () => {
    expect([undefined, -1, NaN, 0, 0.5, 0.99, 1, 5].map(clampSmoothing)).toEqual([0, 0, 0, 0, 0.5, 0.99, 0.99, 0.99]);
  });
});
