// @vitest-environment jsdom
// The line drawing of the training charts: pixel mapping, the SVG path, the nearest-point
// lookup of the hover readout, log-axis ticks, and the readout itself in a rendered chart.
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalPoint } from '../../../src/contract/protocol';
import { formatNumber, logTicks } from '../../../src/ui/charts/common';
import { LossChart } from '../../../src/ui/charts/LossChart';
import { axisMapper, linePath, nearestIndex, type PlotPoint } from '../../../src/ui/charts/PlotLines';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import type { MetricsSnapshot, RunSeries } from '../../../src/ui/metricsStore';
import { TestHost } from '../../support/reactHost';

describe('axisMapper', () => {
  it('maps the range onto the pixels, y upwards, log axes by decades', () => {
    const x = axisMapper({ lo: 0, hi: 100 }, 50, 500, false);
    expect([x(0), x(50), x(100)]).toEqual([50, 300, 550]);
    const y = axisMapper({ lo: 0, hi: 2 }, 10, 200, true);
    expect([y(0), y(1), y(2)]).toEqual([210, 110, 10]);
    const log = axisMapper({ lo: 0.01, hi: 10, log: true }, 0, 300, true);
    expect([log(0.01), log(0.1), log(1), log(10)].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([300, 200, 100, 0]);
  });
});

describe('linePath', () => {
  const id = (v: number) => v;
  it('joins the points, skipping missing and non-finite values', () => {
    const pts: PlotPoint[] = [
      { x: 0, y: 1 },
      { x: 1, y: null },
      { x: 2, y: NaN },
      { x: 3, y: 2.04 },
      { x: 4, y: Infinity },
      { x: 5, y: 3 },
    ];
    expect(linePath(pts, id, id)).toBe('M0,1L3,2L5,3');
    expect(linePath([], id, id)).toBe('');
  });

  it('draws steps that hold each value until the next point', () => {
    const pts: PlotPoint[] = [
      { x: 0, y: 2 },
      { x: 1, y: 2 },
      { x: 2, y: 3 },
    ];
    expect(linePath(pts, id, id, { step: true })).toBe('M0,2H1H2V3');
  });

  it('leaves out values a log axis cannot show', () => {
    const pts: PlotPoint[] = [
      { x: 0, y: 0 },
      { x: 1, y: -1 },
      { x: 2, y: 0.5 },
    ];
    expect(linePath(pts, id, id, { yLog: true })).toBe('M2,0.5');
  });
});

describe('nearestIndex', () => {
  it('finds the point nearest in x, as a scan of every point would', () => {
    let seed = 3;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 50);
      let x = 0;
      const pts = Array.from({ length: n }, () => ({ x: (x += random() * 3), y: 0 }));
      const at = random() * (x + 4) - 2;
      let best = 0;
      for (let i = 1; i < n; i++) if (Math.abs(pts[i].x - at) < Math.abs(pts[best].x - at)) best = i;
      expect(Math.abs(pts[nearestIndex(pts, at)].x - at)).toBe(Math.abs(pts[best].x - at));
    }
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('logTicks', () => {
  it('covers the range with 1-2-5 steps, or decades when that would be too many', () => {
    for (const [lo, hi] of [
      [0.05, 2.3],
      [0.3, 0.7],
      [1e-4, 30],
      [2, 2],
      [0.011, 0.012],
    ]) {
      const t = logTicks(lo, hi);
      expect(t.log).toBe(true);
      expect(t.lo).toBeLessThanOrEqual(lo);
      expect(t.hi).toBeGreaterThanOrEqual(hi);
      expect(t.hi).toBeGreaterThan(t.lo);
      expect(t.ticks[0]).toBe(t.lo);
      expect(t.ticks[t.ticks.length - 1]).toBe(t.hi);
      expect(t.ticks.length).toBeLessThanOrEqual(9);
      for (const v of t.ticks) expect(v).toBeGreaterThan(0);
    }
    expect(logTicks(0.05, 2.3).ticks).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2, 5]);
    expect(logTicks(1e-4, 30).ticks).toEqual([1e-4, 0.001, 0.01, 0.1, 1, 10, 50]);
  });
});

describe('the hover readout', () => {
  const page = new TestHost();
  afterEach(() => page.cleanup());

  const evals = (loss: (step: number) => number): EvalPoint[] =>
    Array.from({ length: 50 }, (_, i) => ({
      step: (i + 1) * 10,
      samplesSeen: (i + 1) * 320,
      clockMs: (i + 1) * 400,
      trainLoss: loss(i + 1),
      testLoss: 1,
      testAccuracy: 0.5,
    }));
  const run = (e: EvalPoint[]): RunSeries => ({
    steps: [],
    evals: e,
    snapshot: null,
    stepsReceived: 0,
    evalsReceived: e.length,
    stepStride: 1,
    evalStride: 1,
    switchesUnpinned: 0,
  });

  it('shows the nearest point of each run under the pointer, and goes away when it leaves', () => {
    const imp = evals((k) => 2 / k);
    const uni = evals((k) => 3 / k);
    const m: MetricsSnapshot = { version: 1, runs: { importance: run(imp), uniform: run(uni) } };
    const host = page.render(
      <ChartRefreshContext.Provider value={0}>
        <LossChart metrics={m} xAxis="steps" logScale={false} width={600} height={300} />
      </ChartRefreshContext.Provider>,
    );
    const target = host.querySelector('.plot-hover-target')!;
    expect(target).not.toBeNull();
    expect(host.querySelector('.plot-hover')).toBeNull();
    // jsdom puts the SVG at 0, 0: clientX is the pixel within the chart. Far right: the last points.
    act(() => {
      target.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: 10_000 }));
    });
    const text = host.querySelector('.plot-hover')?.textContent ?? '';
    expect(text).toContain('Steps: 500');
    expect(text).toContain(`Importance sampling: ${formatNumber(2 / 50, 4)}`);
    expect(text).toContain(`Uniform: ${formatNumber(3 / 50, 4)}`);
    // Far left: the first points.
    act(() => {
      target.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: 0 }));
    });
    expect(host.querySelector('.plot-hover')?.textContent).toContain('Steps: 10');
    act(() => {
      target.dispatchEvent(new MouseEvent('mouseout', { bubbles: true, relatedTarget: document.body }));
    });
    expect(host.querySelector('.plot-hover')).toBeNull();
  });
});
