// @vitest-environment jsdom
// The "who is ahead" readout and the loss-ratio chart on the page, against a fake worker: not
// yet until both runs have four evaluations, then one decision on both measures (exact power
// laws: the numbers of readout.test.ts), the test hooks the browser tests and the screenshot
// script read, "level" with its band for identical runs, and the ratio chart with its band.
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineStatus, EvalPoint } from '../../../src/contract/protocol';
import { App } from '../../../src/ui/App';
import { RatioChart, ratioTicks } from '../../../src/ui/charts/RatioChart';
import type { MetricsSnapshot, RunSeries } from '../../../src/ui/metricsStore';
import { Readout } from '../../../src/ui/Readout';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker, engineStatus } from '../../support/uiFakes';

function status(): EngineStatus {
  return engineStatus({ state: 'running' });
}

/** Evaluations j = from … to at 100·j ms of a power law 3·(speed·j)^−0.5, times (1 + wobble·sin j). */
function evals(speed: number, from: number, to: number, wobble = 0, phase = 0): EvalPoint[] {
  return Array.from({ length: to - from + 1 }, (_, i) => {
    const j = from + i;
    const trainLoss = 3 * (speed * j) ** -0.5 * (1 + wobble * Math.sin(2.1 * j + phase));
    return { step: 25 * j, samplesSeen: 1600 * j, clockMs: 100 * j, trainLoss, testLoss: trainLoss, testAccuracy: 0.5 };
  });
}

const page = new TestHost();
let worker: FakeWorker;
beforeEach(() => {
  worker = freshWorker();
});
afterEach(() => page.cleanup());

function render(node: ReactNode): HTMLDivElement {
  return page.renderInChartFrame(node);
}

const send = (importance: EvalPoint[], uniform: EvalPoint[]) =>
  worker.emit({
    type: 'metrics',
    runs: { importance: { steps: [], evals: importance, snapshot: null }, uniform: { steps: [], evals: uniform, snapshot: null } },
  });

describe('the readout on the page', () => {
  it('not yet until both runs have four evaluations, then one decision on both measures', () => {
    const el = render(<App workerFactory={() => worker} initialQuery="" />);
    worker.emit({ type: 'status', status: status() });
    const readout = () => byId(el, 'readout')!;
    expect(readout().getAttribute('data-state')).toBe('waiting');
    expect(byId(el, 'readout-loss-ratio')!.textContent).toContain('not yet');
    send(evals(2, 1, 3), evals(1, 1, 3));
    expect(readout().getAttribute('data-state')).toBe('waiting');
    expect(readout().getAttribute('data-leader')).toBe('');

    // importance reaches each loss in half the time: ratio √2 at 2 s, uniform's loss at 2 s reached at 1 s
    send(evals(2, 4, 20), evals(1, 4, 20));
    expect(readout().getAttribute('data-state')).toBe('ready');
    expect(readout().getAttribute('data-leader')).toBe('importance');
    expect(Number(readout().getAttribute('data-loss-ratio'))).toBeCloseTo(Math.SQRT2, 9);
    expect(Number(readout().getAttribute('data-speedup'))).toBeCloseTo(2, 9);
    expect(Number(readout().getAttribute('data-time-percent'))).toBeCloseTo(50, 7);
    expect(Number(readout().getAttribute('data-band'))).toBeCloseTo(0, 9);
    expect(byId(el, 'readout-leader')!.textContent).toBe('Importance sampling ahead');
    expect(byId(el, 'readout-loss-ratio')!.getAttribute('data-leader')).toBe('importance');
    expect(byId(el, 'readout-speedup')!.getAttribute('data-leader')).toBe('importance');
    expect(byId(el, 'readout-speedup')!.textContent).toContain('50 %');
    // the ratio chart beside the loss chart, from the same maths
    const chart = byId(el, 'chart-loss-ratio')!;
    expect(Number(chart.getAttribute('data-last-ratio'))).toBeCloseTo(Math.SQRT2, 9);
    expect(Number(chart.getAttribute('data-points'))).toBeGreaterThan(5);
  });

  it('identical runs with evaluation noise: "level", with the band shown and on the hook', () => {
    const el = render(<Readout importanceEvals={evals(1, 1, 30, 0.05, 0)} uniformEvals={evals(1, 1, 30, 0.05, 1.3)} compare />);
    const readout = byId(el, 'readout')!;
    const band = Number(readout.getAttribute('data-band'));
    expect(readout.getAttribute('data-leader')).toBe('level');
    expect(band).toBeGreaterThan(0.01);
    expect(Math.abs(Math.log(Number(readout.getAttribute('data-loss-ratio'))))).toBeLessThanOrEqual(Math.log1p(band));
    expect(byId(el, 'readout-leader')!.textContent).toMatch(/^Level \(within ±\d/);
    expect(byId(el, 'readout-loss-ratio')!.textContent).toMatch(/level: within ±[\d.]+ % at equal time/);
  });

  it('says uniform is ahead when it is, and has nothing to read without a uniform run', () => {
    const el = render(<Readout importanceEvals={evals(1, 1, 20)} uniformEvals={evals(2, 1, 20)} compare />);
    expect(byId(el, 'readout')!.getAttribute('data-leader')).toBe('uniform');
    expect(Number(byId(el, 'readout')!.getAttribute('data-speedup'))).toBeCloseTo(0.5, 9);
    expect(byId(el, 'readout-loss-ratio')!.textContent).toContain('uniform ahead');
    expect(byId(el, 'readout-speedup')!.textContent).toContain('uniform 2.0× faster');
    page.render(<Readout importanceEvals={[]} uniformEvals={[]} compare={false} />);
    expect(byId(el, 'readout')!.getAttribute('data-state')).toBe('off');
  });
});

describe('the loss-ratio chart', () => {
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
  const metrics = (imp: EvalPoint[], uni: EvalPoint[]): MetricsSnapshot => ({ version: 1, runs: { importance: run(imp), uniform: run(uni) } });

  it('draws the ratio over the shaded level band, on a log axis around 1', () => {
    const el = render(<RatioChart metrics={metrics(evals(1, 1, 40, 0.05, 0), evals(1, 1, 40, 0.05, 1.3))} width={500} />);
    const chart = byId(el, 'chart-loss-ratio')!;
    const band = chart.querySelector('[data-testid="level-band"]');
    expect(band?.getAttribute('d')).toMatch(/^M.*Z$/);
    const lines = [...chart.querySelectorAll('.plot-line')].map((g) => g.getAttribute('data-line'));
    expect(lines).toEqual(['even', 'ratio']);
    expect(Number(chart.getAttribute('data-last-band'))).toBeGreaterThan(0.01);
    // at most RATIO_POINTS ratios, one per uniform evaluation where both runs have a fit
    expect(Number(chart.getAttribute('data-points'))).toBe(40 - 3);
  });

  it('keeps its axis on the ratio: at least 1/1.1 … 1.1, an early wide band widening it by at most 2× each way', () => {
    const level = ratioTicks([{ t: 1, ratio: 1.01, lo: 0.98, hi: 1.02 }]);
    expect(level.lo).toBeLessThanOrEqual(1 / 1.1);
    expect(level.hi).toBeGreaterThanOrEqual(1.1);
    // ratios 1.5 … 1.6 under a band of 0.1 … 10: the axis covers 1/1.1 / 2 … 1.6·2 = 0.45 … 3.2, rounded out to 0.2 … 5
    const wide = ratioTicks([
      { t: 1, ratio: 1.5, lo: 0.1, hi: 10 },
      { t: 2, ratio: 1.6, lo: 0.9, hi: 1.1 },
    ]);
    expect([wide.lo, wide.hi]).toEqual([0.2, 5]);
  });

  it('is empty until both runs have four evaluations in common', () => {
    const el = render(<RatioChart metrics={metrics(evals(1, 1, 3), evals(1, 1, 30))} width={500} />);
    expect(byId(el, 'chart-loss-ratio')!.getAttribute('data-points')).toBe('0');
    expect(el.querySelector('.chart-empty')?.textContent).toContain('four evaluations');
  });
});
