// @vitest-environment jsdom
// Charts receiving batched metrics: the store appends batches, the charts plot them
// (data-points grows, the SVG gains lines), and decimation keeps long runs bounded.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EvalPoint, RunMetrics, SamplerSnapshot, StepPoint } from '../../../src/contract/protocol';
import { AccuracyChart } from '../../../src/ui/charts/AccuracyChart';
import { ClassShareChart } from '../../../src/ui/charts/ClassShareChart';
import { HistogramChart } from '../../../src/ui/charts/HistogramChart';
import { LossChart, lossSeries } from '../../../src/ui/charts/LossChart';
import { TauChart, activeStretches } from '../../../src/ui/charts/TauChart';
import { niceTicks } from '../../../src/ui/charts/common';
import { DISPLAY_POINTS } from '../../../src/ui/charts/downsample';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { MetricsStore, type MetricsSnapshot } from '../../../src/ui/metricsStore';
import { evalPoint, stepPoint } from '../../support/chartPoints';
import { TestHost } from '../../support/reactHost';

type Metrics = Extract<EngineEvent, { type: 'metrics' }>;

const snapshot: SamplerSnapshot = {
  scoreHistogram: { edges: [0, 0.5, 1, 1.5], counts: [10, 5, 2] },
  weightHistogram: { edges: [0.5, 1, 1.5, 2], counts: [3, 8, 4] },
  topSamples: [],
  uniformPicks: [],
  classShare: [0.1, 0.2, 0.3, 0.4],
  noisyShare: null,
};

/** A metrics event with steps (from, to] for both runs and an eval every `evalEvery` steps. */
function batch(from: number, to: number, evalEvery = 5, activeFrom = Infinity): Metrics {
  const run = (): RunMetrics => {
    const steps: StepPoint[] = [];
    const evals: EvalPoint[] = [];
    for (let s = from + 1; s <= to; s++) {
      steps.push(stepPoint(s, s >= activeFrom));
      if (s % evalEvery === 0) evals.push(evalPoint(s));
    }
    return { steps, evals, snapshot };
  };
  return { type: 'metrics', runs: { importance: run(), uniform: run() } };
}

const page = new TestHost();
afterEach(() => page.cleanup());

/** Renders `node` with the charts following every update at once (no refresh throttle). */
function render(node: React.ReactNode): HTMLDivElement {
  return page.render(<ChartRefreshContext.Provider value={0}>{node}</ChartRefreshContext.Provider>);
}

const points = (el: HTMLElement, testId: string): number => {
  const node = el.querySelector(`[data-testid="${testId}"]`);
  expect(node, testId).not.toBeNull();
  return Number(node!.getAttribute('data-points'));
};

function Charts({ m }: { m: MetricsSnapshot }) {
  return (
    <>
      <LossChart metrics={m} xAxis="steps" logScale={false} width={600} height={300} />
      <TauChart metrics={m} width={600} height={300} />
      <AccuracyChart metrics={m} xAxis="time" width={600} height={240} />
    </>
  );
}

describe('charts receiving batched metrics', () => {
  it('data-points grows with each batch and the SVG draws the series', () => {
    const store = new MetricsStore(2000);
    let el = render(<Charts m={store.getSnapshot()} />);
    expect(points(el, 'chart-loss')).toBe(0);
    expect(points(el, 'chart-tau')).toBe(0);
    expect(points(el, 'chart-accuracy')).toBe(0);
    expect(el.querySelector('[data-testid="chart-loss"] svg')).toBeNull();

    const seen: number[][] = [];
    for (let b = 0; b < 4; b++) {
      store.append(batch(b * 20, (b + 1) * 20));
      el = render(<Charts m={store.getSnapshot()} />);
      seen.push([points(el, 'chart-loss'), points(el, 'chart-tau'), points(el, 'chart-accuracy')]);
    }
    // 20 steps per batch: τ has one point per importance step; the loss one per eval and run
    // (4 per batch × 2 runs); accuracy plots accuracy and test loss.
    expect(seen).toEqual([
      [8, 20, 16],
      [16, 40, 32],
      [24, 60, 48],
      [32, 80, 64],
    ]);
    const lossLines = el.querySelectorAll('[data-testid="chart-loss"] .plot-line path.plot-line-path');
    expect(lossLines.length).toBe(2);
    expect(lossLines[0].getAttribute('d')?.length ?? 0).toBeGreaterThan(20);
    const tauLines = el.querySelectorAll('[data-testid="chart-tau"] .plot-line path.plot-line-path');
    expect(tauLines.length).toBe(3); // raw, τ_th, smoothed
  });

  it('decimation bounds a long run while the first and newest points stay', () => {
    const max = 500;
    const store = new MetricsStore(max);
    let last = 0;
    for (let b = 0; b < 60; b++) {
      store.append(batch(b * 50, (b + 1) * 50, 1));
      last = (b + 1) * 50;
      const snap = store.getSnapshot();
      expect(snap.runs.importance.steps.length).toBeLessThanOrEqual(max);
      expect(snap.runs.uniform.evals.length).toBeLessThanOrEqual(max);
    }
    const snap = store.getSnapshot();
    expect(snap.runs.importance.stepsReceived).toBe(3000);
    const steps = snap.runs.importance.steps;
    expect(steps[0].step).toBe(1); // the first point survives decimation
    expect(steps[steps.length - 1].step).toBe(last); // so does the newest
    // Steps stay in order.
    for (let i = 1; i < steps.length; i++) expect(steps[i].step).toBeGreaterThan(steps[i - 1].step);

    const el = render(<Charts m={snap} />);
    expect(points(el, 'chart-tau')).toBe(steps.length);
    expect(points(el, 'chart-tau')).toBeLessThanOrEqual(max);
    expect(points(el, 'chart-loss')).toBeLessThanOrEqual(2 * max);
    expect(points(el, 'chart-loss')).toBeGreaterThan(max / 2);
  });

  it('a step count going backwards (engine restart) starts the series over', () => {
    const store = new MetricsStore();
    store.append(batch(0, 40));
    expect(store.getSnapshot().runs.importance.steps).toHaveLength(40);
    store.append(batch(0, 10));
    const snap = store.getSnapshot();
    expect(snap.runs.importance.steps.map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(snap.runs.uniform.evals.map((p) => p.step)).toEqual([5, 10]);
    store.clear();
    expect(store.getSnapshot().runs.importance.steps).toHaveLength(0);
  });

  it('notifies subscribers once per batch with a new immutable snapshot', () => {
    const store = new MetricsStore();
    let calls = 0;
    const off = store.subscribe(() => calls++);
    const a = store.getSnapshot();
    store.append(batch(0, 5));
    const b = store.getSnapshot();
    store.append({ type: 'metrics', runs: {} });
    off();
    store.append(batch(5, 10));
    expect(calls).toBe(1);
    expect(a).not.toBe(b);
    expect(a.runs.importance.steps).toHaveLength(0);
    expect(b.runs.importance.steps).toHaveLength(5);
  });

  it('shades the stretches where importance sampling was active', () => {
    const store = new MetricsStore();
    store.append(batch(0, 60, 5, 30));
    const el = render(<TauChart metrics={store.getSnapshot()} width={600} height={300} />);
    expect(el.querySelectorAll('.is-active-area').length).toBe(1);
    const chart = el.querySelector('[data-testid="chart-tau"]')!;
    expect(chart.getAttribute('data-active-spans')).toBe('1');
    expect(chart.getAttribute('data-importance-active')).toBe('true');
    expect(activeStretches(store.getSnapshot().runs.importance.steps)).toEqual([{ from: 30, to: 60 }]);
  });

  it('merging stretches down to maxAreas closes the shortest gaps first, as one-at-a-time merging would', () => {
    // The plain definition: close the shortest gap (the earliest on ties), repeat.
    const reference = (stretches: { from: number; to: number }[], maxAreas: number) => {
      const out = stretches.map((s) => ({ ...s }));
      while (out.length > maxAreas) {
        let best = 1;
        for (let i = 2; i < out.length; i++) if (out[i].from - out[i - 1].to < out[best].from - out[best - 1].to) best = i;
        out[best - 1] = { from: out[best - 1].from, to: out[best].to };
        out.splice(best, 1);
      }
      return out;
    };
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (const [count, maxAreas] of [[200, 60], [61, 60], [500, 10], [40, 60], [300, 1]]) {
      const steps: StepPoint[] = [];
      let step = 0;
      for (let k = 0; k < count; k++) {
        const off = 1 + Math.floor(random() * 6); // small gaps, so ties happen
        const on = 1 + Math.floor(random() * 5);
        for (let i = 0; i < off; i++) steps.push(stepPoint(++step, false));
        for (let i = 0; i < on; i++) steps.push(stepPoint(++step, true));
      }
      steps.push(stepPoint(step + 1, false));
      const all = activeStretches(steps, Infinity);
      expect(all).toHaveLength(count);
      expect(activeStretches(steps, maxAreas), `${count} stretches → ${maxAreas}`).toEqual(reference(all, maxAreas));
    }
  });

  it('a 100,000-point history draws a few hundred points per line in the SVG', () => {
    const n = 100_000;
    const run = () => ({
      steps: Array.from({ length: n }, (_, i) => stepPoint(i + 1, Math.floor(i / 5000) % 2 === 1)),
      evals: Array.from({ length: n }, (_, i) => evalPoint(i + 1)),
      snapshot: null,
      stepsReceived: n,
      evalsReceived: n,
      stepStride: 1,
      evalStride: 1,
      switchesUnpinned: 0,
    });
    const m: MetricsSnapshot = { version: 1, runs: { importance: run(), uniform: run() } };
    const el = render(
      <>
        <LossChart metrics={m} xAxis="steps" logScale={false} width={600} height={300} />
        <TauChart metrics={m} width={600} height={300} />
      </>,
    );
    expect(points(el, 'chart-loss')).toBe(2 * n);
    expect(points(el, 'chart-tau')).toBe(n);
    // One path command per point (two for τ_th's steps where it changes: across, then up or down).
    const commands = (testId: string) =>
      [...el.querySelectorAll(`[data-testid="${testId}"] path.plot-line-path`)].map(
        (p) => (p.getAttribute('d') ?? '').match(/[A-Za-z]/g)?.length ?? 0,
      );
    const loss = commands('chart-loss');
    expect(loss).toHaveLength(2);
    for (const c of loss) {
      expect(c).toBeGreaterThan(DISPLAY_POINTS / 2);
      expect(c).toBeLessThanOrEqual(DISPLAY_POINTS);
    }
    const tau = commands('chart-tau');
    expect(tau).toHaveLength(3);
    for (const c of tau) expect(c).toBeLessThanOrEqual(2 * DISPLAY_POINTS);
    expect(el.querySelectorAll('[data-testid="chart-tau"] .is-active-area').length).toBe(10);
  });

  it('log scale leaves out non-positive losses; the x-axis choice changes x', () => {
    const store = new MetricsStore();
    store.append(batch(0, 20));
    const m = store.getSnapshot();
    expect(lossSeries(m, 'importance', 'steps', false).map((p) => p.x)).toEqual([5, 10, 15, 20]);
    expect(lossSeries(m, 'importance', 'samples', false).map((p) => p.x)).toEqual([160, 320, 480, 640]);
    expect(lossSeries(m, 'importance', 'time', false).map((p) => p.x)).toEqual([0.2, 0.4, 0.6, 0.8]);
    const broken: MetricsSnapshot = {
      ...m,
      runs: {
        ...m.runs,
        importance: { ...m.runs.importance, evals: [{ ...evalPoint(1), trainLoss: 0 }, { ...evalPoint(2), trainLoss: NaN }, evalPoint(3)] },
      },
    };
    expect(lossSeries(broken, 'importance', 'steps', true)).toHaveLength(1);
    expect(lossSeries(broken, 'importance', 'steps', false)).toHaveLength(2);
  });

  it('histograms and class shares plot the latest sampler snapshot', () => {
    const store = new MetricsStore();
    const el0 = render(
      <HistogramChart testId="chart-scores" title="Scores" histogram={null} color="#f00" xLabel="s" width={400} />,
    );
    expect(points(el0, 'chart-scores')).toBe(0);
    store.append(batch(0, 5));
    const m = store.getSnapshot();
    const el = render(
      <>
        <HistogramChart
          testId="chart-scores"
          title="Scores"
          histogram={m.runs.importance.snapshot?.scoreHistogram}
          color="#f00"
          xLabel="s"
          width={400}
        />
        <ClassShareChart metrics={m} classNames={['a', 'b', 'c', 'd']} width={400} />
      </>,
    );
    expect(points(el, 'chart-scores')).toBe(3);
    expect(el.querySelectorAll('[data-testid="chart-scores"] .recharts-bar-rectangle').length).toBe(3);
    expect(points(el, 'chart-class-share')).toBe(8);
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0.1, 2.5, 6).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(1, 1.3, 4).ticks).toEqual([1, 1.1, 1.2, 1.3]);
    const t = niceTicks(0, 37, 5);
    expect(t.lo).toBe(0);
    expect(t.hi).toBeGreaterThanOrEqual(37);
    expect(t.ticks.length).toBeLessThanOrEqual(6);
  });
});
