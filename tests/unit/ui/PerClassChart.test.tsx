// @vitest-environment jsdom
// The per-class chart: each run's per-class test accuracy and confusion matrix, drawn from
// the newest evaluation with confusion counts, and the explanation for the current settings.
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalPoint, RunMetrics } from '../../../src/contract/protocol';
import { ExplainPerClass, PerClassChart, perClassMetrics, perClassRows } from '../../../src/ui/charts/PerClassChart';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { MetricsStore, type MetricsSnapshot } from '../../../src/ui/metricsStore';
import { evalPoint } from '../../support/chartPoints';
import { byId, TestHost } from '../../support/reactHost';

// Importance run, rows true / columns predicted (see tests/unit/ui/classMetrics.test.ts):
//   cat  8 1 1 → 8/10 = 80 %;  dog  3 9 0 → 9/12 = 75 %;  bird 0 4 4 → 4/8 = 50 %
const IMPORTANCE = [8, 1, 1, 3, 9, 0, 0, 4, 4];
// Uniform run: cat 6/10 = 60 %, dog 12/12 = 100 %, bird 2/8 = 25 %.
const UNIFORM = [6, 2, 2, 0, 12, 0, 3, 3, 2];
const NAMES = ['cat', 'dog', 'bird'];

function snapshotOf(evals: { importance: EvalPoint[]; uniform: EvalPoint[] }): MetricsSnapshot {
  const store = new MetricsStore();
  const run = (e: EvalPoint[]): RunMetrics => ({ steps: [], evals: e, snapshot: null });
  store.append({ type: 'metrics', runs: { importance: run(evals.importance), uniform: run(evals.uniform) } });
  return store.getSnapshot();
}

const withConfusion = (step: number, testConfusion?: number[]): EvalPoint => ({ ...evalPoint(step), ...(testConfusion ? { testConfusion } : {}) });

const page = new TestHost();
afterEach(() => page.cleanup());

function render(metrics: MetricsSnapshot, labelNoise = 0, imbalanceClass = -1): HTMLDivElement {
  return page.render(
    <ChartRefreshContext.Provider value={0}>
      <PerClassChart metrics={metrics} classNames={NAMES} labelNoise={labelNoise} imbalanceClass={imbalanceClass} width={400} />
    </ChartRefreshContext.Provider>,
  );
}

const texts = (el: HTMLElement, testId: string) => Array.from(el.querySelectorAll(`[data-testid="${testId}"]`)).map((n) => n.textContent);

describe('PerClassChart', () => {
  it('shows the empty state before the first evaluation', () => {
    const el = render(snapshotOf({ importance: [], uniform: [] }));
    const frame = byId(el, 'chart-per-class')!;
    expect(frame).not.toBeNull();
    expect(frame.getAttribute('data-points')).toBe('0');
    expect(frame.textContent).toContain('Appears after the first evaluation.');
    expect(byId(el, 'confusion-importance')).toBeNull();
  });

  it('draws both runs from their newest evaluation with confusion counts', () => {
    // The newest importance point carries no counts (an older export's): the one before it is used.
    const m = snapshotOf({
      importance: [withConfusion(10, [1, 0, 0, 0, 1, 0, 0, 0, 1]), withConfusion(20, IMPORTANCE), withConfusion(30)],
      uniform: [withConfusion(20, UNIFORM)],
    });
    const el = render(m);
    const frame = byId(el, 'chart-per-class')!;
    // 3 bars and 9 cells per run.
    expect(frame.getAttribute('data-points')).toBe(String(2 * (3 + 9)));
    expect(frame.querySelectorAll('.recharts-bar-rectangle').length).toBe(6);

    expect(texts(el, 'confusion-importance-accuracy')).toEqual(['80%', '75%', '50%']);
    expect(texts(el, 'confusion-uniform-accuracy')).toEqual(['60%', '100%', '25%']);
    expect(byId(el, 'confusion-importance')!.getAttribute('data-step')).toBe('20');

    const cells = Array.from(el.querySelectorAll('[data-testid="confusion-importance-cell"]'));
    expect(cells.map((c) => Number(c.getAttribute('data-count')))).toEqual(IMPORTANCE);
    // Shaded by the row's share: dog predicted cat is 3 of 12.
    expect(Number(cells[3].getAttribute('fill-opacity'))).toBeCloseTo(0.25, 12);
    expect(cells[3].querySelector('title')!.textContent).toBe('true dog, predicted cat: 3 of 12 (25%)');
    expect(byId(el, 'confusion-importance')!.textContent).toContain('70% overall');
    // The axes name the classes.
    const labels = Array.from(byId(el, 'confusion-uniform')!.querySelectorAll('.confusion-label')).map((n) => n.firstChild?.textContent);
    expect(labels).toEqual([...NAMES, ...NAMES]);
  });

  it('shows the uniform run only when it has an evaluation with counts', () => {
    const el = render(snapshotOf({ importance: [withConfusion(5, IMPORTANCE)], uniform: [withConfusion(5)] }));
    expect(byId(el, 'confusion-importance')).not.toBeNull();
    expect(byId(el, 'confusion-uniform')).toBeNull();
    expect(byId(el, 'chart-per-class')!.querySelectorAll('.recharts-bar-rectangle').length).toBe(3);
  });

  it('leaves out the bar of a class without test samples', () => {
    const m = snapshotOf({ importance: [withConfusion(5, [3, 1, 0, 0, 0, 0, 2, 0, 2])], uniform: [] });
    const rows = perClassRows(perClassMetrics(m), NAMES);
    expect(rows).toEqual([{ name: 'cat', importance: 75 }, { name: 'dog' }, { name: 'bird', importance: 50 }]);
    const el = render(m);
    expect(texts(el, 'confusion-importance-accuracy')).toEqual(['75%', '–', '50%']);
  });

  it('explains label noise only when labels are flipped, and names the rare class', () => {
    const m = snapshotOf({ importance: [withConfusion(5, IMPORTANCE)], uniform: [withConfusion(5, UNIFORM)] });
    let el = render(m, 0, -1);
    expect(byId(el, 'explain-per-class-noise')).toBeNull();
    expect(byId(el, 'explain-per-class-rare')).toBeNull();
    el = render(m, 0.2, -1);
    expect(byId(el, 'explain-per-class-noise')!.textContent).toContain('20% of the training labels flipped');
    expect(byId(el, 'explain-per-class-rare')).toBeNull();
    el = render(m, 0, 2);
    expect(byId(el, 'explain-per-class-noise')).toBeNull();
    expect(byId(el, 'explain-per-class-rare')!.textContent).toContain('bird');
    // The rare class is marked in the matrices.
    expect(Array.from(byId(el, 'confusion-importance')!.querySelectorAll('.confusion-rare')).map((n) => n.firstChild?.textContent)).toEqual(['bird', 'bird']);
  });

  it('takes a given explanation instead of its own', () => {
    const m = snapshotOf({ importance: [withConfusion(5, IMPORTANCE)], uniform: [] });
    const el = page.render(
      <ChartRefreshContext.Provider value={0}>
        <PerClassChart metrics={m} classNames={NAMES} labelNoise={0.3} imbalanceClass={-1} explain={<ExplainPerClass labelNoise={0} imbalanceClass={-1} />} width={400} />
      </ChartRefreshContext.Provider>,
    );
    expect(byId(el, 'explain-per-class-noise')).toBeNull();
    expect(byId(el, 'chart-per-class')!.querySelector('.explain')!.textContent).toContain('Look for');
  });
});
