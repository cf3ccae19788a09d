// @vitest-environment jsdom
// What the charts draw, and how often: a long history reaches the drawing as a few hundred
// points per line, a stream of batches re-renders a chart at most every CHART_REFRESH_MS, a
// chart whose own data did not change does not re-render at all, and Recharts (grid, axes)
// re-renders only when the axes' ticks move. Recharts' axes and charts and the charts' line
// drawing (PlotLines) are wrapped (they still render) to count their renders and read the
// lines they are given.
import { act, createElement, type ComponentType } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, EvalPoint, RunMetrics, SamplerSnapshot, StepPoint } from '../../../src/contract/protocol';
import { AccuracyChart } from '../../../src/ui/charts/AccuracyChart';
import { DISPLAY_POINTS } from '../../../src/ui/charts/downsample';
import { HistogramChart } from '../../../src/ui/charts/HistogramChart';
import { LossChart } from '../../../src/ui/charts/LossChart';
import type { PlotLinesProps } from '../../../src/ui/charts/PlotLines';
import { TauChart } from '../../../src/ui/charts/TauChart';
import { CHART_REFRESH_MS, ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { MetricsStore, type MetricsSnapshot, type RunSeries } from '../../../src/ui/metricsStore';
import { evalPoint, stepPoint } from '../../support/chartPoints';
import { TestHost } from '../../support/reactHost';

const seen = vi.hoisted(() => ({
  renders: {} as Record<string, number>,
  /** Point counts of the lines handed to PlotLines, one array per PlotLines render. */
  lines: [] as number[][],
  /** performance.now() at each PlotLines render, with its number of lines. */
  drawnAt: [] as { at: number; lines: number }[],
}));

function counted<P extends object>(name: string, Inner: ComponentType<P>): ComponentType<P> {
  const Counted = (props: P) => {
    seen.renders[name] = (seen.renders[name] ?? 0) + 1;
    return createElement(Inner, props);
  };
  return Counted;
}

vi.mock('recharts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('recharts')>();
  return {
    ...actual,
    XAxis: counted('XAxis', actual.XAxis as ComponentType<object>),
    YAxis: counted('YAxis', actual.YAxis as ComponentType<object>),
    BarChart: counted('BarChart', actual.BarChart as ComponentType<object>),
  };
});

vi.mock('../../../src/ui/charts/PlotLines', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/ui/charts/PlotLines')>();
  const PlotLines = (props: PlotLinesProps) => {
    seen.renders.PlotLines = (seen.renders.PlotLines ?? 0) + 1;
    seen.lines.push(props.lines.map((l) => l.points.length));
    seen.drawnAt.push({ at: performance.now(), lines: props.lines.length });
    return createElement(actual.PlotLines, props);
  };
  return { ...actual, PlotLines };
});

/** Evaluations whose train loss is not monotone (a 0.05·sin(step) wobble on the decay). */
const wobblyEvalPoint = (step: number): EvalPoint => evalPoint(step, { trainLossWobble: 0.05 });

const snapshot = (k: number): SamplerSnapshot => ({
  scoreHistogram: { edges: [0, 0.5, 1, 1.5], counts: [10 + k, 5, 2] },
  weightHistogram: { edges: [0.5, 1, 1.5, 2], counts: [3, 8, 4] },
  topSamples: [],
  uniformPicks: [],
  classShare: [0.25, 0.25, 0.25, 0.25],
  noisyShare: null,
});

type Metrics = Extract<EngineEvent, { type: 'metrics' }>;

/** Steps (from, to] for both runs, an evaluation every `evalEvery` steps, a fresh sampler snapshot. */
function batch(from: number, to: number, evalEvery: number): Metrics {
  const run = (): RunMetrics => {
    const steps: StepPoint[] = [];
    const evals: EvalPoint[] = [];
    for (let s = from + 1; s <= to; s++) {
      steps.push(stepPoint(s, Math.floor(s / 100) % 2 === 1));
      if (s % evalEvery === 0) evals.push(wobblyEvalPoint(s));
    }
    return { steps, evals, snapshot: snapshot(to) };
  };
  return { type: 'metrics', runs: { importance: run(), uniform: run() } };
}

/** A snapshot holding `n` steps and `n` evaluations per run, past the store's bound. */
function longHistory(n: number): MetricsSnapshot {
  const run = (): RunSeries => ({
    steps: Array.from({ length: n }, (_, i) => stepPoint(i + 1, Math.floor(i / 250) % 2 === 1)),
    evals: Array.from({ length: n }, (_, i) => wobblyEvalPoint(i + 1)),
    snapshot: snapshot(0),
    stepsReceived: n,
    evalsReceived: n,
    stepStride: 1,
    evalStride: 1,
    switchesUnpinned: 0,
  });
  return { version: 1, runs: { importance: run(), uniform: run() } };
}

const page = new TestHost();

beforeEach(() => {
  seen.renders = {};
  seen.lines = [];
  seen.drawnAt = [];
});

afterEach(() => {
  page.cleanup();
  vi.useRealTimers();
});

/** Renders with the given chart refresh interval (the page's by default). */
function render(node: React.ReactNode, refreshMs = CHART_REFRESH_MS): HTMLDivElement {
  return page.render(<ChartRefreshContext.Provider value={refreshMs}>{node}</ChartRefreshContext.Provider>);
}

const attr = (el: HTMLElement, testId: string, name: string): number => {
  const node = el.querySelector(`[data-testid="${testId}"]`);
  expect(node, testId).not.toBeNull();
  return Number(node!.getAttribute(name));
};

describe('what the charts draw, and how often', () => {
  it('a 100,000-point history reaches the drawing as at most DISPLAY_POINTS points per line', () => {
    const m = longHistory(100_000);
    const el = render(
      <>
        <LossChart metrics={m} xAxis="steps" logScale={false} width={600} height={300} />
        <AccuracyChart metrics={m} xAxis="time" width={600} height={240} />
        <TauChart metrics={m} width={600} height={300} />
      </>,
    );
    // Loss: 2 lines; accuracy: 2 panels of 2; τ: raw, τ_th and smoothed.
    expect(seen.lines.map((l) => l.length).sort()).toEqual([2, 2, 2, 3]);
    for (const n of seen.lines.flat()) {
      expect(n).toBeLessThanOrEqual(DISPLAY_POINTS);
      expect(n).toBeGreaterThan(DISPLAY_POINTS / 2); // still a detailed line
    }
    // data-points still counts the whole history; data-drawn what was drawn.
    expect(attr(el, 'chart-loss', 'data-points')).toBe(200_000);
    expect(attr(el, 'chart-loss', 'data-drawn')).toBeLessThanOrEqual(2 * DISPLAY_POINTS);
    expect(attr(el, 'chart-tau', 'data-points')).toBe(100_000);
    // data-drawn counts the points of every line drawn: τ raw, τ_th and smoothed τ.
    expect(attr(el, 'chart-tau', 'data-drawn')).toBeLessThanOrEqual(3 * DISPLAY_POINTS);
    // The shading is computed from every step: 200 stretches, merged down to at most 60.
    expect(attr(el, 'chart-tau', 'data-active-spans')).toBe(60);
  });

  it('while batches stream in, a chart re-renders at most every CHART_REFRESH_MS, and the last batch shows', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const store = new MetricsStore();
    const chart = () => <LossChart metrics={store.getSnapshot()} xAxis="steps" logScale={false} width={600} height={300} />;
    store.append(batch(0, 10, 1));
    let el = render(chart());
    expect(seen.renders.PlotLines).toBe(1);
    // 40 batches, one every 50 ms (8 times the engine's rate), over 2 s.
    const batches = 40;
    const everyMs = 50;
    for (let b = 1; b <= batches; b++) {
      store.append(batch(b * 10, (b + 1) * 10, 1));
      el = render(chart());
      act(() => vi.advanceTimersByTime(everyMs));
    }
    const renders = seen.renders.PlotLines - 1;
    const spanMs = batches * everyMs;
    expect(renders).toBeLessThanOrEqual(Math.ceil(spanMs / CHART_REFRESH_MS) + 1);
    expect(renders).toBeGreaterThanOrEqual(Math.floor(spanMs / CHART_REFRESH_MS) - 1); // it keeps following
    // The last batch shows at the chart's slot at least one interval after the last redraw:
    // within two intervals.
    act(() => vi.advanceTimersByTime(2 * CHART_REFRESH_MS));
    expect(attr(el, 'chart-loss', 'data-points')).toBe(2 * (batches + 1) * 10);
  });

  it('two charts fed together redraw at different moments (one chart per task)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const store = new MetricsStore();
    const charts = () => (
      <>
        <LossChart metrics={store.getSnapshot()} xAxis="steps" logScale={false} width={600} height={300} />
        <TauChart metrics={store.getSnapshot()} width={600} height={300} />
      </>
    );
    store.append(batch(0, 10, 1));
    render(charts());
    seen.drawnAt = [];
    for (let b = 1; b <= 20; b++) {
      store.append(batch(b * 10, (b + 1) * 10, 1));
      render(charts());
      act(() => vi.advanceTimersByTime(50));
    }
    const loss = seen.drawnAt.filter((d) => d.lines === 2).map((d) => d.at);
    const tau = seen.drawnAt.filter((d) => d.lines === 3).map((d) => d.at);
    expect(loss.length).toBeGreaterThan(0);
    expect(tau.length).toBeGreaterThan(0);
    for (const t of tau) expect(loss).not.toContain(t);
  });

  it('a batch without evaluations leaves the loss and accuracy charts alone; the same props re-render nothing', () => {
    const store = new MetricsStore();
    const charts = (m: MetricsSnapshot) => (
      <>
        <LossChart metrics={m} xAxis="steps" logScale={false} width={600} height={300} />
        <AccuracyChart metrics={m} xAxis="steps" width={600} height={240} />
        <TauChart metrics={m} width={600} height={300} />
        <HistogramChart
          testId="chart-scores"
          title="Scores"
          histogram={m.runs.importance.snapshot?.scoreHistogram}
          color="#f00"
          xLabel="s"
          width={400}
        />
      </>
    );
    store.append(batch(0, 50, 5));
    render(charts(store.getSnapshot()), 0);
    // Loss, 2 accuracy panels, τ; the histogram's axes count too.
    expect(seen.renders).toEqual({ PlotLines: 4, XAxis: 5, YAxis: 5, BarChart: 1 });

    seen.renders = {};
    store.append(batch(50, 60, 1000)); // steps only: τ and the histogram change, the evaluations do not
    const el = render(charts(store.getSnapshot()), 0);
    // τ's x range grew from 50 to 60 steps: new ticks, so its frame (grid, both axes) is
    // redrawn; the histogram is a Recharts bar chart.
    expect(seen.renders).toEqual({ PlotLines: 1, XAxis: 2, YAxis: 2, BarChart: 1 });
    expect(attr(el, 'chart-tau', 'data-points')).toBe(60);

    seen.renders = {};
    render(charts(store.getSnapshot()), 0); // e.g. the page re-rendering for a status message
    expect(seen.renders).toEqual({});
  });

  it('new points that leave the ticks where they were re-render the lines, not the axes', () => {
    const store = new MetricsStore();
    const chart = () => <LossChart metrics={store.getSnapshot()} xAxis="steps" logScale={false} width={600} height={300} />;
    store.append(batch(0, 95, 5)); // x up to 95: ticks 0, 20, …, 100
    render(chart(), 0);
    seen.renders = {};
    store.append(batch(95, 100, 5)); // x up to 100: the same ticks; the loss only falls
    render(chart(), 0);
    expect(seen.renders).toEqual({ PlotLines: 1 });
    expect(seen.lines.at(-1)).toEqual([20, 20]);
  });
});
