// Display downsampling of chart lines: bounded output, and nothing a reader of the chart
// relies on lost (the ends, the extremes, spikes, the points where the mode switched).
import { describe, expect, it } from 'vitest';
import { DISPLAY_POINTS, downsample, downsampleXY } from '../../../src/ui/charts/downsample';
import { mulberry32 } from '../../support/prng';

interface P {
  i: number;
  y: number;
  z: number | null;
  on: boolean;
}

/** A noisy decaying curve like a loss, with a second quantity and on/off stretches. */
function series(n: number, seed = 1, switchEvery = 0): P[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({
    i,
    y: 2 / (1 + i / 500) + 0.3 * (r() - 0.5),
    z: r() < 0.05 ? null : Math.sin(i / 37) + r(),
    on: switchEvery > 0 && Math.floor(i / switchEvery) % 2 === 1,
  }));
}

const yOf = (p: P) => p.y;
const zOf = (p: P) => p.z;
const switched = (a: P, b: P) => a.on !== b.on;

function argExtremes(points: readonly P[], value: (p: P) => number | null): { lo: number; hi: number } {
  let lo = -1;
  let hi = -1;
  for (let k = 0; k < points.length; k++) {
    const v = value(points[k]);
    if (v === null || !Number.isFinite(v)) continue;
    if (lo < 0 || v < (value(points[lo]) as number)) lo = k;
    if (hi < 0 || v > (value(points[hi]) as number)) hi = k;
  }
  return { lo: points[lo].i, hi: points[hi].i };
}

describe('downsample', () => {
  it('returns a series at or under the bound as it is (the same array)', () => {
    for (const n of [0, 1, 2, 5, 300]) {
      const s = series(n);
      expect(downsample(s, 300, { values: [yOf] })).toBe(s);
    }
  });

  it('never exceeds the bound and returns a subset in the original order', () => {
    for (const n of [301, 302, 997, 5000, 100_000]) {
      const s = series(n, n, 7);
      for (const max of [4, 5, 50, 300, 1000]) {
        for (const values of [[yOf], [yOf, zOf], [yOf, zOf, yOf]]) {
          const out = downsample(s, max, { values, pin: switched });
          expect(out.length, `n ${n}, max ${max}, ${values.length} values`).toBeLessThanOrEqual(Math.min(n, max));
          for (let k = 1; k < out.length; k++) expect(out[k].i).toBeGreaterThan(out[k - 1].i);
          for (const p of out) expect(p).toBe(s[p.i]);
        }
      }
    }
  });

  it('uses most of its budget on a long series (the picture keeps its detail)', () => {
    const out = downsample(series(100_000), 300, { values: [yOf] });
    expect(out.length).toBeGreaterThanOrEqual(290);
  });

  it('keeps the first and the last point and the overall extremes of every quantity', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = series(20_000, seed);
      const out = downsample(s, 200, { values: [yOf, zOf] });
      const kept = new Set(out.map((p) => p.i));
      expect(kept.has(0)).toBe(true);
      expect(kept.has(s.length - 1)).toBe(true);
      for (const value of [yOf, zOf]) {
        const { lo, hi } = argExtremes(s, value);
        expect(kept.has(lo), `seed ${seed}: min at ${lo}`).toBe(true);
        expect(kept.has(hi), `seed ${seed}: max at ${hi}`).toBe(true);
      }
    }
  });

  it('keeps a one-point spike wherever it is', () => {
    const r = mulberry32(42);
    for (let trial = 0; trial < 50; trial++) {
      const s = series(10_000, trial + 10);
      const at = 1 + Math.floor(r() * (s.length - 2));
      s[at] = { ...s[at], y: trial % 2 ? 50 : -50 };
      const out = downsample(s, 300, { values: [yOf] });
      expect(out.some((p) => p.i === at), `spike at ${at}`).toBe(true);
    }
  });

  it('keeps every point where the mode switched, while there are at most half the budget of them', () => {
    const s = series(50_000, 3, 400); // 124 switches
    const out = downsample(s, 300, { values: [yOf], pin: switched });
    const kept = new Set(out.map((p) => p.i));
    const switches = s.filter((p, k) => k > 0 && switched(s[k - 1], p)).map((p) => p.i);
    expect(switches.length).toBe(124);
    for (const i of switches) expect(kept.has(i), `switch at ${i}`).toBe(true);
    expect(out.length).toBeLessThanOrEqual(300);
  });

  it('with more switches than half the budget keeps that many, spread over the whole run', () => {
    const s = series(50_000, 3, 10); // 4,999 switches
    const max = 300;
    const out = downsample(s, max, { values: [yOf], pin: switched });
    expect(out.length).toBeLessThanOrEqual(max);
    const keptSwitches = out.filter((p) => p.i > 0 && switched(s[p.i - 1], p)).map((p) => p.i);
    expect(keptSwitches.length).toBeGreaterThanOrEqual(max / 2 - 2);
    // Spread: some in each tenth of the run.
    for (let tenth = 0; tenth < 10; tenth++) {
      expect(keptSwitches.some((i) => Math.floor((10 * i) / s.length) === tenth), `tenth ${tenth}`).toBe(true);
    }
  });

  it('skips missing and non-finite values when looking for extremes', () => {
    const s = series(5000, 9).map((p, k) => (k % 3 === 0 ? { ...p, y: k % 2 ? NaN : Infinity } : p));
    const out = downsample(s, 100, { values: [yOf] });
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.slice(1, -1).every((p) => Number.isFinite(p.y))).toBe(true);
    const allNull = series(5000, 9).map((p) => ({ ...p, z: null }));
    expect(downsample(allNull, 100, { values: [zOf] }).map((p) => p.i)).toEqual([0, 4999]);
  });

  it('names the bad argument', () => {
    expect(() => downsample(series(10), 3, { values: [yOf] })).toThrow(/maxPoints.*got 3/);
    expect(() => downsample(series(10), 10.5, { values: [yOf] })).toThrow(/maxPoints.*got 10.5/);
    expect(() => downsample(series(10), 5, { values: [] })).toThrow(/options\.values/);
  });

  it('downsampleXY bounds an {x, y} line to DISPLAY_POINTS by default', () => {
    const line = Array.from({ length: 100_000 }, (_, i) => ({ x: i / 10, y: Math.sin(i / 100) }));
    const out = downsampleXY(line);
    expect(out.length).toBeLessThanOrEqual(DISPLAY_POINTS);
    expect(out[0]).toBe(line[0]);
    expect(out[out.length - 1]).toBe(line[line.length - 1]);
    expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...line.map((p) => p.y)));
  });
});
