// @vitest-environment jsdom
// Earlier races and display smoothing as the training charts draw them: a picked record draws
// a thin line per run named by what differs ("uniform · seed 2") in the legend and the hover
// readout, two seeds of one setting draw a band, a smoothed chart draws the smoothed curve
// over its faint raw one, and the overlays are worked out once per set of records, not with
// every batch of live points.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EvalPoint, StepPoint } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { AccuracyChart } from '../../../src/ui/charts/AccuracyChart';
import { RUN_COLORS } from '../../../src/ui/charts/common';
import { LossChart } from '../../../src/ui/charts/LossChart';
import { bandPath } from '../../../src/ui/charts/PlotLines';
import { SmoothingSlider } from '../../../src/ui/charts/SmoothingSlider';
import { TauChart } from '../../../src/ui/charts/TauChart';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { HISTORY_RECORD_VERSION, type HistoryRecord } from '../../../src/ui/history/record';
import type { MetricsSnapshot, RunSeries } from '../../../src/ui/metricsStore';
import { evalPoint, stepPoint } from '../../support/chartPoints';
import { TestHost, byId } from '../../support/reactHost';

const calls = vi.hoisted(() => ({ overlaySeries: 0 }));

vi.mock('../../../src/ui/history/overlay', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/ui/history/overlay')>();
  return {
    ...actual,
    overlaySeries: (...args: Parameters<typeof actual.overlaySeries>) => {
      calls.overlaySeries++;
      return actual.overlaySeries(...args);
    },
  };
});

const live: Settings = defaultSettings();

function series(steps: StepPoint[], evals: EvalPoint[]): RunSeries {
  return {
    steps,
    evals,
    snapshot: null,
    stepsReceived: steps.length,
    evalsReceived: evals.length,
    stepStride: 1,
    evalStride: 1,
    switchesUnpinned: 0,
  };
}

/** Both runs with `n` steps and an evaluation every 10 steps. */
function metrics(n: number): MetricsSnapshot {
  const steps = Array.from({ length: n }, (_, i) => stepPoint(i + 1, false));
  const evals = Array.from({ length: Math.floor(n / 10) }, (_, i) => evalPoint((i + 1) * 10, { trainLossWobble: 0.2 }));
  return { version: 1, runs: { importance: series(steps, evals), uniform: series(steps, evals) } };
}

let nextId = 0;
/** A stored race like the live one, with `change` applied; its loss `scale` times the live one's. */
function record(change: Partial<Settings>, scale: number, n = 300): HistoryRecord {
  const steps = Array.from({ length: n }, (_, i) => ({ ...stepPoint(i + 1, false), tauSmoothed: scale }));
  const evals = Array.from({ length: Math.floor(n / 10) }, (_, i) => {
    const p = evalPoint((i + 1) * 10);
    return { ...p, trainLoss: p.trainLoss * scale, testLoss: p.testLoss * scale };
  });
  return {
    version: HISTORY_RECORD_VERSION,
    id: `record-${nextId++}`,
    savedAt: 1_700_000_000_000,
    reason: 'reset',
    settings: { ...live, ...change },
    backend: null,
    device: null,
    finished: true,
    runs: { importance: { steps, evals }, uniform: { steps, evals } },
  };
}

const page = new TestHost();
beforeEach(() => {
  calls.overlaySeries = 0;
});
afterEach(() => page.cleanup());

function render(node: React.ReactNode): HTMLDivElement {
  return page.render(<ChartRefreshContext.Provider value={0}>{node}</ChartRefreshContext.Provider>);
}

const within = (el: HTMLElement, chart: string, selector: string) =>
  [...el.querySelectorAll<SVGElement>(`[data-testid="${chart}"] ${selector}`)];

describe('bandPath', () => {
  const id = (v: number) => v;
  it('runs along the upper edge and back along the lower one, one closed piece per drawable stretch', () => {
    const pts = [
      { x: 0, lo: 1, hi: 3 },
      { x: 1, lo: 2, hi: 4 },
      { x: 2, lo: null, hi: 5 },
      { x: 3, lo: 0.5, hi: 1.04 },
      { x: 4, lo: 0, hi: 2 },
      { x: 5, lo: 1, hi: 2 },
    ];
    expect(bandPath(pts, id, id)).toBe('M0,3L1,4L1,2L0,1ZM3,1L4,2L5,2L5,1L4,0L3,0.5Z');
    // A log axis cannot show 0: the second piece breaks there.
    expect(bandPath(pts, id, id, { yLog: true })).toBe('M0,3L1,4L1,2L0,1ZM3,1L3,0.5ZM5,2L5,1Z');
    expect(bandPath([], id, id)).toBe('');
  });
});

describe('overlays of earlier races', () => {
  it('a picked record draws a thin dashed line per run, named by what differs, in the legend and the hover readout', () => {
    const el = render(
      <LossChart metrics={metrics(200)} xAxis="steps" logScale={false} width={600} height={300} overlays={[record({ seed: 2 }, 1.5)]} liveSettings={live} />,
    );
    const lines = within(el, 'chart-loss', '[data-testid="overlay-line"]');
    expect(lines.map((l) => l.getAttribute('data-overlay-label'))).toEqual(['importance · seed 2', 'uniform · seed 2']);
    expect(lines.map((l) => l.getAttribute('stroke'))).toEqual([RUN_COLORS.importance, RUN_COLORS.uniform]);
    for (const l of lines) {
      expect(l.getAttribute('stroke-dasharray')).toBeTruthy();
      expect(Number(l.getAttribute('stroke-width'))).toBeLessThan(2);
      expect((l.getAttribute('d') ?? '').match(/L/g)?.length).toBe(29); // its 30 evaluations
    }
    expect(within(el, 'chart-loss', '[data-testid="overlay-band"]')).toHaveLength(0);
    // The live lines are still there, drawn as before.
    expect(within(el, 'chart-loss', 'path.plot-line-path')).toHaveLength(2);
    expect(byId(el, 'overlay-legend')?.textContent).toContain('uniform · seed 2');

    const target = el.querySelector('.plot-hover-target')!;
    act(() => {
      target.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: 10_000 }));
    });
    // The record ran 300 steps, past the live 200: the axis reaches its end, where its loss is 1.5× the live curve's.
    const last = evalPoint(300).trainLoss * 1.5;
    expect(el.querySelector('.plot-hover')?.textContent).toContain(`uniform · seed 2: ${Number(last.toPrecision(4))}`);
  });

  it('names what differs from the live settings, not the seed, when that is all', () => {
    const el = render(
      <AccuracyChart metrics={metrics(100)} xAxis="time" width={600} height={240} overlays={[record({ presampleFactor: 5 }, 1)]} liveSettings={live} />,
    );
    const labels = within(el, 'chart-accuracy', '[data-testid="overlay-line"]').map((l) => l.getAttribute('data-overlay-label'));
    // Both panels: accuracy and test loss, each run.
    expect(labels).toEqual(['importance · B/b 5', 'uniform · B/b 5', 'importance · B/b 5', 'uniform · B/b 5']);
  });

  it('two seeds of one setting draw their mean with a band, on every training chart', () => {
    const overlays = [record({ seed: 2 }, 1.2), record({ seed: 3 }, 1.6)];
    const el = render(
      <>
        <LossChart metrics={metrics(200)} xAxis="steps" logScale={false} width={600} height={300} overlays={overlays} liveSettings={live} />
        <AccuracyChart metrics={metrics(200)} xAxis="steps" width={600} height={240} overlays={overlays} liveSettings={live} />
        <TauChart metrics={metrics(200)} width={600} height={300} overlays={overlays} liveSettings={live} />
      </>,
    );
    for (const [chart, bands] of [
      ['chart-loss', 2],
      ['chart-accuracy', 4],
      ['chart-tau', 1],
    ] as const) {
      const drawn = within(el, chart, '[data-testid="overlay-band"]');
      expect(drawn, chart).toHaveLength(bands);
      for (const b of drawn) {
        expect(b.getAttribute('d')).toMatch(/^M.*Z$/);
        expect(Number(b.getAttribute('fill-opacity'))).toBeLessThan(0.3);
        expect(b.getAttribute('data-overlay-label')).toMatch(/2 seeds$/);
      }
      expect(within(el, chart, '[data-testid="overlay-line"]'), chart).toHaveLength(bands); // each band's mean
    }
    expect(byId(el, 'chart-tau')?.querySelector('[data-testid="overlay-band"]')?.getAttribute('data-overlay-label')).toBe(
      'τ smoothed · 2 seeds',
    );
    expect(byId(el, 'chart-loss')?.querySelector('[data-testid="overlay-legend"]')?.textContent).toContain(
      'uniform · 2 seeds: mean, band min–max',
    );
  });

  it('draws earlier races before the live run has a point', () => {
    const el = render(<LossChart metrics={metrics(0)} xAxis="steps" logScale width={600} height={300} overlays={[record({ seed: 4 }, 1)]} liveSettings={live} />);
    expect(within(el, 'chart-loss', '[data-testid="overlay-line"]')).toHaveLength(2);
    expect(el.querySelector('.chart-empty')).toBeNull();
  });

  it('works the overlays out once per set of records, not with every batch of live points', () => {
    const overlays = [record({ seed: 2 }, 1.2), record({ seed: 3 }, 1.6)];
    const chart = (n: number, picked: readonly HistoryRecord[]) => (
      <LossChart metrics={metrics(n)} xAxis="steps" logScale={false} width={600} height={300} overlays={picked} liveSettings={{ ...live }} />
    );
    render(chart(100, overlays));
    const first = calls.overlaySeries;
    expect(first).toBeGreaterThan(0);
    // New live points, a new array of the same records, equal settings in a new object: nothing to redo.
    render(chart(150, [...overlays]));
    render(chart(200, [...overlays]));
    expect(calls.overlaySeries).toBe(first);
    render(chart(200, [overlays[0]]));
    expect(calls.overlaySeries).toBeGreaterThan(first);
  });
});

describe('display smoothing', () => {
  const opacities = (el: HTMLElement, chart: string) => within(el, chart, 'path.plot-line-path').map((p) => p.getAttribute('stroke-opacity'));

  it('the loss chart draws each run smoothed over its raw curve, faint', () => {
    const el = render(<LossChart metrics={metrics(400)} xAxis="steps" logScale={false} width={600} height={300} smoothing={0.9} />);
    const paths = within(el, 'chart-loss', 'path.plot-line-path');
    expect(paths).toHaveLength(4);
    expect(opacities(el, 'chart-loss')).toEqual(['0.25', '0.25', null, null]);
    // Same run, same points, different curve.
    const d = paths.map((p) => p.getAttribute('d') ?? '');
    expect(d[2]).not.toBe(d[0]);
    expect(d[2].match(/L/g)?.length).toBe(d[0].match(/L/g)?.length);
    expect(paths[2].getAttribute('stroke')).toBe(paths[0].getAttribute('stroke'));

    page.cleanup();
    const raw = render(<LossChart metrics={metrics(400)} xAxis="steps" logScale={false} width={600} height={300} smoothing={0} />);
    expect(opacities(raw, 'chart-loss')).toEqual([null, null]);
  });

  it('the τ chart smooths raw τ and keeps the raw points faint', () => {
    const el = render(<TauChart metrics={metrics(400)} width={600} height={300} smoothing={0.8} />);
    const keys = within(el, 'chart-tau', '.plot-line').map((g) => g.getAttribute('data-line'));
    expect(keys).toEqual(['raw', 'raw-ema', 'th', 'smooth']);
    expect(opacities(el, 'chart-tau')[0]).toBe('0.25');
  });

  it('smooths the overlays too', () => {
    const overlays = [record({ seed: 2 }, 1.2)];
    const d = (smoothing: number) => {
      const el = render(
        <LossChart metrics={metrics(100)} xAxis="steps" logScale={false} width={600} height={300} smoothing={smoothing} overlays={overlays} liveSettings={live} />,
      );
      const out = within(el, 'chart-loss', '[data-testid="overlay-line"]').map((p) => p.getAttribute('d'));
      page.cleanup();
      return out;
    };
    expect(d(0.9)).not.toEqual(d(0));
  });
});

describe('SmoothingSlider', () => {
  it('is a 0 … 0.99 range in steps of 0.01 that reports its value', () => {
    const onChange = vi.fn();
    const el = render(<SmoothingSlider value={0.6} onChange={onChange} />);
    const input = byId(el, 'smoothing-slider') as HTMLInputElement;
    expect([input.type, input.min, input.max, input.step, input.value]).toEqual(['range', '0', '0.99', '0.01', '0.6']);
    expect(el.textContent).toContain('Smoothing');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    act(() => {
      setValue.call(input, '0.85');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(onChange).toHaveBeenLastCalledWith(0.85);
  });
});
