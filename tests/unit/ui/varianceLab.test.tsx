// @vitest-environment jsdom
// The variance lab on the page: the store keeps the importance run's probes (forgotten on a
// restart, thinned on a very long run), and the chart plots them with its data-points hook.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, StepPoint, VarianceLabPoint } from '../../../src/contract/protocol';
import { VarianceLabChart, labRows } from '../../../src/ui/charts/VarianceLabChart';
import { MetricsStore, keepLabPoints } from '../../../src/ui/metricsStore';
import { TestHost } from '../../support/reactHost';

type Metrics = Extract<EngineEvent, { type: 'metrics' }>;

const labPoint = (step: number): VarianceLabPoint => ({
  step,
  uniformVariance: 4 / (1 + step / 100),
  scoreVariance: 2 / (1 + step / 100),
  optimalVariance: 1.5 / (1 + step / 100),
  predictedTau: 1.6,
  measuredReduction: 2,
  presampleSize: 64,
  batchSize: 32,
});

const stepPoint = (step: number): StepPoint => ({
  step,
  samplesSeen: step * 32,
  clockMs: step,
  batchLoss: 1,
  mode: 'auto',
  importanceActive: true,
  tauRaw: 1.5,
  tauSmoothed: 1.5,
  tauThreshold: 2,
});

const message = (from: number, to: number, lab: number[]): Metrics => ({
  type: 'metrics',
  runs: {
    importance: { steps: Array.from({ length: to - from }, (_, i) => stepPoint(from + i + 1)), evals: [], snapshot: null, varianceLab: lab.map(labPoint) },
    uniform: { steps: Array.from({ length: to - from }, (_, i) => stepPoint(from + i + 1)), evals: [], snapshot: null },
  },
});

describe('metrics store: variance-lab points', () => {
  it('appends the probes, keeps the array while none arrives, forgets them on a restart', () => {
    const store = new MetricsStore();
    store.append(message(0, 10, [10]));
    store.append(message(10, 20, [20]));
    const kept = store.getSnapshot().runs.importance.varianceLab;
    expect(kept?.map((p) => p.step)).toEqual([10, 20]);
    store.append(message(20, 25, []));
    expect(store.getSnapshot().runs.importance.varianceLab).toBe(kept); // same array: the chart does not re-render
    expect(store.getSnapshot().runs.uniform.varianceLab).toEqual([]);
    store.append(message(0, 5, [5])); // steps went back: the run restarted
    expect(store.getSnapshot().runs.importance.varianceLab?.map((p) => p.step)).toEqual([5]);
    store.clear();
    expect(store.getSnapshot().runs.importance.varianceLab).toEqual([]);
  });

  it('thins a long run’s probes to at most maxPoints, keeping the first and the newest', () => {
    let kept: readonly VarianceLabPoint[] = [];
    for (let k = 1; k <= 1000; k++) kept = keepLabPoints(kept, [labPoint(k)], 64);
    expect(kept.length).toBeLessThanOrEqual(64);
    expect(kept.length).toBeGreaterThan(16);
    expect(kept[0].step).toBe(1);
    expect(kept[kept.length - 1].step).toBe(1000);
    for (let i = 1; i < kept.length; i++) expect(kept[i].step).toBeGreaterThan(kept[i - 1].step);
  });
});

describe('VarianceLabChart', () => {
  const page = new TestHost();
  afterEach(() => page.cleanup());
  const render = (points: readonly VarianceLabPoint[], interval = 500) =>
    page.render(<VarianceLabChart points={points} interval={interval} width={480} height={160} />).querySelector('[data-testid="chart-variance-lab"]')!;

  it('says when the first probe comes, or that the lab is off, before any point', () => {
    expect(render([]).getAttribute('data-points')).toBe('0');
    expect(render([]).textContent).toContain('step 500');
    expect(render([], 0).textContent).toMatch(/off/);
  });

  it('plots each probe: data-points counts them, the summary gives the newest reduction and τ²', () => {
    const el = render([labPoint(500), labPoint(1000), labPoint(1500)]);
    expect(el.getAttribute('data-points')).toBe('3');
    expect(el.getAttribute('data-last-step')).toBe('1500');
    expect(el.querySelectorAll('svg .recharts-line').length).toBeGreaterThanOrEqual(7); // 4 reductions + 3 variances
    expect(el.textContent).toContain('measured ×2');
    expect(el.textContent).toContain('τ² predicted ×2.56');
    expect(el.textContent).toContain('best possible ×2.67'); // 4 / 1.5
  });

  it('leaves out what a log axis cannot show instead of plotting it', () => {
    const rows = labRows([{ ...labPoint(1), uniformVariance: 0, scoreVariance: 0, optimalVariance: 0, measuredReduction: 1 }]);
    expect(rows[0]).toMatchObject({ uniform: null, score: null, optimal: null, best: null, measured: 1 });
  });
});
