// Earlier races beside the live one: the label that says what differs, the grouping of seeds,
// the mean and min..max band of a group against values worked out by hand, and the
// interpolation that puts seeds measured at different x on one grid.
import { describe, expect, it } from 'vitest';
import type { EvalPoint, StepPoint } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import {
  interpolate,
  meanBand,
  metricPoints,
  overlayGroups,
  overlaySeries,
  settingsDiffLabel,
} from '../../../src/ui/history/overlay';
import { HISTORY_RECORD_VERSION, type HistoryRecord, type RecordedRun } from '../../../src/ui/history/record';

const live: Settings = defaultSettings();
const with_ = (change: Partial<Settings>): Settings => ({ ...live, ...change });

function evalAt(step: number, clockMs: number, trainLoss: number, extra: Partial<EvalPoint> = {}): EvalPoint {
  return { step, samplesSeen: step * 32, clockMs, trainLoss, testLoss: trainLoss + 0.1, testAccuracy: 0.5, ...extra };
}

function stepAt(step: number, tauSmoothed: number): StepPoint {
  return {
    step,
    samplesSeen: step * 32,
    clockMs: step * 10,
    batchLoss: 1,
    mode: 'auto',
    importanceActive: false,
    tauRaw: tauSmoothed,
    tauSmoothed,
    tauThreshold: 2,
  };
}

let nextId = 0;
function record(settings: Settings, runs: HistoryRecord['runs'], backend: string | null = null): HistoryRecord {
  return {
    version: HISTORY_RECORD_VERSION,
    id: `r${nextId++}`,
    savedAt: 1_700_000_000_000 + nextId,
    reason: 'reset',
    settings,
    backend,
    device: null,
    finished: false,
    runs,
  };
}

const run = (evals: EvalPoint[], steps: StepPoint[] = []): RecordedRun => ({ steps, evals });

describe('settingsDiffLabel', () => {
  it('names what differs, short, with readable names', () => {
    expect(settingsDiffLabel(live, with_({ seed: 2 }))).toBe('seed 2');
    expect(settingsDiffLabel(live, with_({ presampleFactor: 5 }))).toBe('B/b 5');
    expect(settingsDiffLabel(live, with_({ sampler: 'presample' }))).toBe('sampler presample');
    expect(settingsDiffLabel(live, with_({ learningRate: 0.01 }))).toBe('lr 0.01');
    expect(settingsDiffLabel(live, with_({ tableSmoothing: 0 }))).toBe('table c 0');
    expect(settingsDiffLabel(live, with_({ learningRate: 3e-4, seed: 7 }))).toBe('lr 0.0003, seed 7');
    expect(settingsDiffLabel(live, with_({ budgetUnit: 'seconds', budget: 90 }))).toBe('budget 90 s');
  });

  it('says "same settings" when only what leaves the curves alone differs', () => {
    expect(settingsDiffLabel(live, live)).toBe('same settings');
    expect(settingsDiffLabel(live, with_({ trainWhenHidden: true, varianceLabInterval: 0, compare: false }))).toBe('same settings');
    // Momentum does nothing under Adam, τ_th's number nothing unless it is fixed, the budget's amount nothing when off.
    expect(settingsDiffLabel(live, with_({ momentum: 0.5, tauThreshold: 3, budget: 10 }))).toBe('same settings');
    expect(settingsDiffLabel(live, with_({ optimizer: 'sgd', momentum: 0.5 }))).toBe('sgd, momentum 0.5');
  });

  it('names at most three differences, then how many more', () => {
    const other = with_({ dataset: 'fashion-mnist', model: 'cnn-tiny', learningRate: 0.01, batchSize: 64, seed: 3 });
    expect(settingsDiffLabel(live, other)).toBe('Fashion-MNIST, cnn-tiny, lr 0.01 +2 more');
  });

  it('compares the backends trained on where both are known, else the preferences', () => {
    expect(settingsDiffLabel(live, live, { live: 'webgpu', other: 'cpu' })).toBe('on cpu');
    expect(settingsDiffLabel(live, live, { live: 'webgpu', other: 'webgpu' })).toBe('same settings');
    // auto landed on WebGPU both times: the preference is no difference then.
    expect(settingsDiffLabel(live, with_({ backend: 'webgpu' }), { live: 'webgpu', other: 'webgpu' })).toBe('same settings');
    expect(settingsDiffLabel(live, with_({ backend: 'cpu', seed: 2 }))).toBe('backend cpu, seed 2');
  });
});

describe('overlayGroups', () => {
  const one = run([evalAt(25, 100, 1)]);

  it('groups records equal in everything but the seed, labelled by the rest and the seed count', () => {
    const records = [
      record(with_({ seed: 1 }), { importance: one }),
      record(with_({ presampleFactor: 5 }), { importance: one }),
      record(with_({ seed: 2, trainWhenHidden: true }), { importance: one }),
      record(with_({ seed: 3 }), { importance: one }),
      record(with_({ presampleFactor: 5, seed: 4, learningRate: 0.01 }), { importance: one }),
    ];
    const groups = overlayGroups(records, live);
    expect(groups.map((g) => g.records.map((r) => r.id))).toEqual([
      [records[0].id, records[2].id, records[3].id],
      [records[1].id],
      [records[4].id],
    ]);
    expect(groups.map((g) => g.label)).toEqual(['3 seeds', 'B/b 5', 'lr 0.01, B/b 5, seed 4']);
    expect(groups[0].recordLabels).toEqual(['same settings', 'seed 2', 'seed 3']);

    const bigger = overlayGroups([records[1], record(with_({ presampleFactor: 5, seed: 9 }), { importance: one })], live);
    expect(bigger.map((g) => g.label)).toEqual(['B/b 5, 2 seeds']);
    // The same seed twice: two runs of one experiment, not two seeds.
    expect(overlayGroups([records[0], record(live, { importance: one })], live)[0].label).toBe('2 runs');
  });

  it('keeps records from different backends apart', () => {
    const groups = overlayGroups(
      [record(with_({ seed: 1 }), { importance: one }, 'webgpu'), record(with_({ seed: 2 }), { importance: one }, 'cpu')],
      live,
      'webgpu',
    );
    expect(groups.map((g) => g.label)).toEqual(['same settings', 'on cpu, seed 2']);
  });
});

describe('interpolate', () => {
  const pts = [
    { x: 0, y: 0 },
    { x: 10, y: 5 },
    { x: 10, y: 7 },
    { x: 30, y: 17 },
  ];
  it('reads the piecewise-linear curve, NaN outside it', () => {
    expect(interpolate(pts, 0)).toBe(0);
    expect(interpolate(pts, 4)).toBeCloseTo(2, 15);
    // At a shared x, the last point there; past it, from that point on.
    expect(interpolate(pts, 10)).toBe(7);
    expect(interpolate(pts, 20)).toBeCloseTo(12, 15);
    expect(interpolate(pts, 30)).toBe(17);
    expect(interpolate(pts, -1)).toBeNaN();
    expect(interpolate(pts, 31)).toBeNaN();
    expect(interpolate([], 0)).toBeNaN();
  });
});

describe('meanBand', () => {
  it('on a shared grid: the mean and the lowest and highest curve at each measured x', () => {
    const band = meanBand([
      [
        { x: 0, y: 1 },
        { x: 10, y: 3 },
      ],
      [
        { x: 0, y: 3 },
        { x: 10, y: 5 },
      ],
      [
        { x: 0, y: 2 },
        { x: 10, y: 10 },
      ],
    ]);
    expect(band).toEqual([
      { x: 0, mean: 2, lo: 1, hi: 3 },
      { x: 10, mean: 6, lo: 3, hi: 10 },
    ]);
  });

  it('on mismatched grids: the union of x where every curve has data, each curve interpolated', () => {
    const a = [
      { x: 0, y: 0 },
      { x: 10, y: 10 },
      { x: 20, y: 20 },
    ];
    const b = [
      { x: 5, y: 1 },
      { x: 15, y: 3 },
      { x: 25, y: 1 },
    ];
    // Common range [5, 20]. a reads 5, 10, 15, 20; b reads 1, 2, 3, 2 there.
    const band = meanBand([a, b])!;
    expect(band.map((p) => p.x)).toEqual([5, 10, 15, 20]);
    const want = [
      { mean: 3, lo: 1, hi: 5 },
      { mean: 6, lo: 2, hi: 10 },
      { mean: 9, lo: 3, hi: 15 },
      { mean: 11, lo: 2, hi: 20 },
    ];
    band.forEach((p, i) => {
      expect(p.mean).toBeCloseTo(want[i].mean, 12);
      expect(p.lo).toBeCloseTo(want[i].lo, 12);
      expect(p.hi).toBeCloseTo(want[i].hi, 12);
    });
  });

  it('more x than maxPoints: that many evenly spaced x over the common range', () => {
    const line = (shift: number) => Array.from({ length: 101 }, (_, i) => ({ x: i + shift, y: 2 * (i + shift) }));
    const band = meanBand([line(0), line(0.5)], 5)!;
    expect(band.map((p) => p.x)).toEqual([0.5, 25.375, 50.25, 75.125, 100]);
    // Both curves are y = 2x: their mean, lowest and highest are 2x at every x.
    for (const p of band) for (const v of [p.mean, p.lo, p.hi]) expect(v).toBeCloseTo(2 * p.x, 12);
  });

  it('null for fewer than two curves with points or no common x range', () => {
    expect(meanBand([[{ x: 0, y: 1 }], []])).toBeNull();
    expect(
      meanBand([
        [
          { x: 0, y: 1 },
          { x: 1, y: 1 },
        ],
        [
          { x: 2, y: 1 },
          { x: 3, y: 1 },
        ],
      ]),
    ).toBeNull();
  });
});

describe('overlaySeries', () => {
  // Two seeds whose evaluations fall at different clock times: the time axis needs the grid.
  const seedA = record(with_({ seed: 1 }), {
    importance: run([evalAt(25, 1000, 2), evalAt(50, 2000, 1)], [stepAt(1, 1), stepAt(2, 1.5)]),
    uniform: run([evalAt(25, 900, 2.2), evalAt(50, 1800, 1.6)]),
  });
  const seedB = record(with_({ seed: 2 }), {
    importance: run([evalAt(25, 1500, 3), evalAt(50, 2500, 2)], [stepAt(1, 2), stepAt(2, 2.5)]),
  });
  const other = record(with_({ presampleFactor: 5 }), { uniform: run([evalAt(25, 1200, 1.8, { testAccuracy: 0.25 })]) });

  it('a group of seeds becomes a mean with its band, a lone record its own line', () => {
    const groups = overlayGroups([seedA, seedB, other], live);
    const series = overlaySeries(groups, 'trainLoss', 'time');
    expect(series.map((s) => [s.run, s.label, s.count, s.band !== null])).toEqual([
      ['importance', '2 seeds', 2, true],
      // Only seed 1 has a uniform run: its own line, by its own label.
      ['uniform', 'same settings', 1, false],
      ['uniform', 'B/b 5', 1, false],
    ]);
    // Importance on the time axis: a covers 1–2 s, b 1.5–2.5 s; common 1.5–2 s.
    // At 1.5 s: a reads 1.5 (halfway from 2 to 1), b reads 3. At 2 s: a 1, b 2.5.
    const imp = series[0];
    expect(imp.line).toEqual([
      { x: 1.5, y: 2.25 },
      { x: 2, y: 1.75 },
    ]);
    expect(imp.band).toEqual([
      { x: 1.5, lo: 1.5, hi: 3 },
      { x: 2, lo: 1, hi: 2.5 },
    ]);
    expect(series[1].line).toEqual([
      { x: 0.9, y: 2.2 },
      { x: 1.8, y: 1.6 },
    ]);
  });

  it('reads the steps and samples axes, accuracy in percent, and τ of the importance run by step', () => {
    const groups = overlayGroups([seedA, seedB, other], live);
    const onSteps = overlaySeries(groups, 'trainLoss', 'steps');
    expect(onSteps[0].line).toEqual([
      { x: 25, y: 2.5 },
      { x: 50, y: 1.5 },
    ]);
    expect(overlaySeries(groups, 'testAccuracy', 'samples').find((s) => s.label === 'B/b 5')?.line).toEqual([{ x: 800, y: 25 }]);
    const tau = overlaySeries(groups, 'tau', 'time');
    expect(tau.map((s) => s.run)).toEqual(['importance']);
    expect(tau[0].line).toEqual([
      { x: 1, y: 1.5 },
      { x: 2, y: 2 },
    ]);
  });

  it('on a log axis leaves out what it cannot show; sorts a record out of x order', () => {
    const r = run([evalAt(10, 300, 0.5), evalAt(5, 100, 0), evalAt(20, 200, NaN), evalAt(30, 400, 0.25)]);
    expect(metricPoints(r, 'trainLoss', 'steps', true)).toEqual([
      { x: 10, y: 0.5 },
      { x: 30, y: 0.25 },
    ]);
    expect(metricPoints(r, 'trainLoss', 'time').map((p) => p.x)).toEqual([0.1, 0.3, 0.4]);
  });
});
