// The charted history on long runs: the store keeps the whole run at bounded memory (an evenly
// spaced grid whose stride doubles, plus the first point, the newest point and every mode
// switch), and the CSV/JSON exports say at what resolution they hold it.
import { describe, expect, it } from 'vitest';
import type { EngineEvent, EvalPoint, StepPoint } from '../../../src/contract/protocol';
import type { ImportanceMode } from '../../../src/contract/settings';
import { defaultSettings } from '../../../src/contract/settings';
import { metricsToCsv, metricsToJson } from '../../../src/ui/export';
import { DEFAULT_MAX_POINTS, MetricsStore } from '../../../src/ui/metricsStore';

type Metrics = Extract<EngineEvent, { type: 'metrics' }>;

function stepPoint(step: number, mode: ImportanceMode, active: boolean): StepPoint {
  return {
    step,
    samplesSeen: step * 32,
    clockMs: step * 40,
    batchLoss: 2 / Math.sqrt(step),
    mode,
    importanceActive: active,
    tauRaw: 1.5,
    tauSmoothed: 1.5,
    tauThreshold: 2,
  };
}

function evalPoint(step: number): EvalPoint {
  return { step, samplesSeen: step * 32, clockMs: step * 40, trainLoss: 1, testLoss: 1, testAccuracy: 0.5 };
}

/**
 * Feeds `total` steps in batches of `batch` (an eval every `evalEvery` steps) to `store`;
 * `stateAt(step)` gives each step's mode and importance state.
 */
function feed(
  store: MetricsStore,
  total: number,
  stateAt: (step: number) => { mode: ImportanceMode; active: boolean },
  batch = 50,
  evalEvery = 25,
): void {
  for (let from = 1; from <= total; from += batch) {
    const steps: StepPoint[] = [];
    const evals: EvalPoint[] = [];
    for (let s = from; s < from + batch && s <= total; s++) {
      const { mode, active } = stateAt(s);
      steps.push(stepPoint(s, mode, active));
      if (s % evalEvery === 0) evals.push(evalPoint(s));
    }
    const event: Metrics = {
      type: 'metrics',
      runs: { importance: { steps, evals, snapshot: null }, uniform: { steps, evals, snapshot: null } },
    };
    store.append(event);
  }
}

/** Steps (1-based) where the state differs from the step before. */
function switchSteps(total: number, stateAt: (step: number) => { mode: ImportanceMode; active: boolean }): number[] {
  const out: number[] = [];
  for (let s = 2; s <= total; s++) {
    const a = stateAt(s - 1);
    const b = stateAt(s);
    if (a.mode !== b.mode || a.active !== b.active) out.push(s);
  }
  return out;
}

describe('MetricsStore on a long run', () => {
  const TOTAL = 100_000;
  // Auto mode with importance sampling switching on and off at odd, irregular steps, and two
  // user mode changes: 23 switches in all, none on a power-of-two grid.
  const onOff = [1_237, 4_001, 9_999, 10_003, 33_333, 33_335, 50_001, 61_111, 77_777, 88_889, 99_991, 99_993];
  const stateAt = (step: number): { mode: ImportanceMode; active: boolean } => {
    const mode: ImportanceMode = step >= 20_011 && step < 40_009 ? 'importance' : 'auto';
    if (mode === 'importance') return { mode, active: true };
    return { mode, active: onOff.filter((s) => s <= step).length % 2 === 1 };
  };

  it('after 100,000 steps every 5 % of the run holds points, memory stays bounded', () => {
    const store = new MetricsStore();
    feed(store, TOTAL, stateAt);
    const run = store.getSnapshot().runs.importance;
    expect(run.stepsReceived).toBe(TOTAL);
    expect(run.steps.length).toBeLessThanOrEqual(DEFAULT_MAX_POINTS);
    expect(run.evals.length).toBeLessThanOrEqual(DEFAULT_MAX_POINTS);
    // An evenly spaced history of ≥ DEFAULT_MAX_POINTS / 4 grid points gives each 5 % slice
    // (5,000 steps) at least 5000 / stride points; require 20 per slice as a floor.
    for (let k = 0; k < 20; k++) {
      const lo = (k * TOTAL) / 20;
      const hi = ((k + 1) * TOTAL) / 20;
      const inSlice = run.steps.filter((p) => p.step > lo && p.step <= hi).length;
      expect(inSlice, `steps ${lo + 1}..${hi}`).toBeGreaterThanOrEqual(20);
      const evalsInSlice = run.evals.filter((p) => p.step > lo && p.step <= hi).length;
      expect(evalsInSlice, `evals ${lo + 1}..${hi}`).toBeGreaterThanOrEqual(20);
    }
    // Evenly spaced: the largest gap between kept steps is at most the stride.
    expect(run.stepStride).toBeGreaterThan(1);
    for (let i = 1; i < run.steps.length; i++) {
      expect(run.steps[i].step - run.steps[i - 1].step).toBeLessThanOrEqual(run.stepStride);
      expect(run.steps[i].step).toBeGreaterThan(run.steps[i - 1].step);
    }
  });

  it('keeps the first step, the last step and every mode switch', () => {
    const store = new MetricsStore();
    feed(store, TOTAL, stateAt);
    const kept = new Set(store.getSnapshot().runs.importance.steps.map((p) => p.step));
    const switches = switchSteps(TOTAL, stateAt);
    // 10 on/off switches outside the importance-mode stretch (33_333 and 33_335 fall inside
    // it) and the two mode changes.
    expect(switches.length).toBe(12);
    expect(kept.has(1)).toBe(true);
    expect(kept.has(TOTAL)).toBe(true);
    expect(switches.filter((s) => !kept.has(s))).toEqual([]);
    // The newest step is kept after every batch, not only at the end.
    const partial = new MetricsStore();
    feed(partial, 12_345, stateAt, 37);
    const steps = partial.getSnapshot().runs.importance.steps;
    expect(steps[steps.length - 1].step).toBe(12_345);
  });

  it('a run whose mode flaps on every other step still stays bounded and complete in coverage', () => {
    const store = new MetricsStore(400);
    const flapping = (step: number) => ({ mode: 'auto' as ImportanceMode, active: Math.floor(step / 3) % 2 === 0 });
    feed(store, 50_000, flapping);
    const run = store.getSnapshot().runs.importance;
    expect(run.steps.length).toBeLessThanOrEqual(400);
    for (let k = 0; k < 20; k++) {
      const lo = k * 2500;
      expect(run.steps.some((p) => p.step > lo && p.step <= lo + 2500), `steps ${lo + 1}..${lo + 2500}`).toBe(true);
    }
  });

  it('short runs are kept whole (stride 1)', () => {
    const store = new MetricsStore();
    feed(store, 1000, stateAt);
    const run = store.getSnapshot().runs.importance;
    expect(run.steps.map((p) => p.step)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(run.stepStride).toBe(1);
  });
});

describe('exports of a long run', () => {
  const flat = (): { mode: ImportanceMode; active: boolean } => ({ mode: 'auto', active: false });

  it('the JSON says the stride and what it holds', () => {
    const store = new MetricsStore();
    feed(store, 20_000, flat);
    const json = JSON.parse(metricsToJson(store.getSnapshot(), defaultSettings(), null)) as {
      runs: Record<string, { steps: StepPoint[]; stepStride: number; evalStride: number; stepsReceived: number; resolution: { steps: string } }>;
    };
    const run = json.runs.importance;
    expect(run.stepsReceived).toBe(20_000);
    expect(run.stepStride).toBe(store.getSnapshot().runs.importance.stepStride);
    expect(run.stepStride).toBeGreaterThan(1);
    expect(run.evalStride).toBe(1); // 800 evaluations fit whole
    expect(run.resolution.steps).toContain(`every ${run.stepStride}th`);
    expect(run.steps.length).toBe(store.getSnapshot().runs.importance.steps.length);
  });

  it('the JSON carries the variance lab probes of the importance run', () => {
    const store = new MetricsStore();
    const probe = { step: 500, uniformVariance: 4, scoreVariance: 2, optimalVariance: 1.5, predictedTau: 1.5, measuredReduction: 2 };
    feed(store, 600, flat);
    store.append({ type: 'metrics', runs: { importance: { steps: [], evals: [], snapshot: null, varianceLab: [probe] } } });
    const json = JSON.parse(metricsToJson(store.getSnapshot(), defaultSettings(), null)) as { runs: Record<string, { varianceLab?: unknown[] }> };
    expect(json.runs.importance.varianceLab).toEqual([probe]);
  });

  it('each CSV row says its series\' stride', () => {
    const store = new MetricsStore();
    feed(store, 20_000, flat);
    const lines = metricsToCsv(store.getSnapshot()).trim().split('\n');
    const header = lines[0].split(',');
    const strideCol = header.indexOf('stride');
    const kindCol = header.indexOf('kind');
    expect(strideCol).toBeGreaterThan(0);
    const snap = store.getSnapshot().runs.importance;
    const stepRow = lines.find((l) => l.split(',')[kindCol] === 'step')!.split(',');
    const evalRow = lines.find((l) => l.split(',')[kindCol] === 'eval')!.split(',');
    expect(Number(stepRow[strideCol])).toBe(snap.stepStride);
    expect(Number(evalRow[strideCol])).toBe(snap.evalStride);
  });

  // The run: 100,000 steps switching every 37 steps is 2,702 switches, past the 500
  // the store pins; the exports must say which switches they hold, not "every mode switch".
  const every37 = (step: number) => ({ mode: 'auto' as ImportanceMode, active: Math.floor(step / 37) % 2 === 1 });

  it('the JSON of a run with more switches than the store pins says exactly which switches it holds', () => {
    const store = new MetricsStore();
    feed(store, 100_000, every37, 500, 1000);
    const snap = store.getSnapshot().runs.importance;
    const total = switchSteps(100_000, every37).length;
    expect(total).toBe(2702);
    expect(snap.switchesUnpinned).toBeGreaterThan(0);
    const pinned = total - snap.switchesUnpinned;
    const json = JSON.parse(metricsToJson(store.getSnapshot(), defaultSettings(), null)) as {
      runs: Record<string, { modeSwitches: { received: number; keptAtTheirStep: number; onGridOnly: number }; resolution: { steps: string } }>;
    };
    const run = json.runs.importance;
    expect(run.modeSwitches).toEqual({ received: total, keptAtTheirStep: pinned, onGridOnly: snap.switchesUnpinned });
    expect(run.resolution.steps).not.toContain('every mode switch');
    expect(run.resolution.steps).toContain(`the first ${pinned} of ${total} mode switches`);
    expect(run.resolution.steps).toContain(`the other ${snap.switchesUnpinned} only where they fall on that grid`);
    // The steps of the switches the JSON claims are at their step are all there.
    const kept = new Set(snap.steps.map((p) => p.step));
    expect(switchSteps(100_000, every37).slice(0, pinned).every((s) => kept.has(s))).toBe(true);
  });

  it('the JSON of a thinned run whose switches all fit says so, with their number', () => {
    const store = new MetricsStore();
    const rare = (step: number) => ({ mode: 'auto' as ImportanceMode, active: Math.floor(step / 5000) % 2 === 1 });
    feed(store, 20_000, rare);
    const json = JSON.parse(metricsToJson(store.getSnapshot(), defaultSettings(), null)) as {
      runs: Record<string, { modeSwitches: { received: number; onGridOnly: number }; resolution: { steps: string } }>;
    };
    expect(json.runs.importance.modeSwitches).toMatchObject({ received: 4, onGridOnly: 0 });
    expect(json.runs.importance.resolution.steps).toMatch(/plus the first, the newest and all 4 mode switches$/);
  });

  it('each CSV row marks whether its series is thinned, how many points it received, and how many switches lost their step', () => {
    const store = new MetricsStore();
    feed(store, 100_000, every37, 500, 1000);
    const csv = metricsToCsv(store.getSnapshot()).trim().split('\n');
    const header = csv[0].split(',');
    const col = (name: string) => {
      const i = header.indexOf(name);
      expect(i, `column ${name}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const rows = csv.slice(1).map((l) => l.split(','));
    const steps = rows.filter((r) => r[col('run')] === 'importance' && r[col('kind')] === 'step');
    const evals = rows.filter((r) => r[col('run')] === 'importance' && r[col('kind')] === 'eval');
    const snap = store.getSnapshot().runs.importance;
    expect(new Set(steps.map((r) => r[col('thinned')]))).toEqual(new Set(['true']));
    expect(new Set(steps.map((r) => r[col('received')]))).toEqual(new Set(['100000']));
    expect(new Set(steps.map((r) => r[col('switchesOnGridOnly')]))).toEqual(new Set([String(snap.switchesUnpinned)]));
    // 100 evaluations fit whole.
    expect(new Set(evals.map((r) => r[col('thinned')]))).toEqual(new Set(['false']));
    expect(new Set(evals.map((r) => r[col('received')]))).toEqual(new Set(['100']));
  });

  it('CSV text cells that a spreadsheet would run as a formula are defused; numbers are not', () => {
    const store = new MetricsStore();
    const hostile = ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)'];
    store.append({
      type: 'metrics',
      runs: {
        importance: {
          steps: hostile.map((mode, i) => ({ ...stepPoint(i + 1, 'auto', false), mode: mode as ImportanceMode, batchLoss: -0.25 })),
          evals: [],
          snapshot: null,
        },
      },
    });
    const lines = metricsToCsv(store.getSnapshot()).trim().split('\n').slice(1);
    const header = metricsToCsv(store.getSnapshot()).split('\n')[0].split(',');
    const modeCol = header.indexOf('mode');
    const lossCol = header.indexOf('batchLoss');
    expect(lines.map((l) => l.match(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)![modeCol].replace(/,$/, ''))).toEqual([
      `"'=HYPERLINK(""http://x"",""y"")"`,
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
    ]);
    for (const l of lines) expect(l.split(',')[lossCol]).toBe('-0.25');
  });
});
