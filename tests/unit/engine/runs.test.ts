import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDataset, type PreparedDataset } from '../../../src/data';
import type { EvalPoint, StepPoint } from '../../../src/contract/protocol';
import { buildRuns } from '../../../src/engine/core/race';
import { makeResident } from '../../../src/engine/core/residency';
import type { Run } from '../../../src/engine/core/run';
import { DEFAULT_SETTINGS } from '../../../src/is';
import { harness, runFor, tinyDataset, tinySettings, type Harness } from '../../support/engineHarness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});

async function ready(change = {}): Promise<Harness> {
  h = harness();
  await h.engine.handle({ type: 'init', settings: tinySettings(change) });
  expect(h.of('error')).toEqual([]);
  expect(h.status().state).toBe('ready');
  return h;
}

describe('engine: two runs side by side (CPU backend)', () => {
  it('initializes: backend, dataset, model, both runs at step 0', async () => {
    const h = await ready();
    const s = h.status();
    expect(s.backend?.name).toBe('cpu');
    expect(s.dataset).toMatchObject({ trainCount: 400, testCount: 120, imageShape: [8, 8, 1], trainEvalCount: 64, testEvalCount: 120 });
    expect(s.model?.name).toBe('mlp');
    expect(s.model?.parameters).toBe(64 * 128 + 128 + 128 * 4 + 4);
    expect(Object.keys(s.runs).sort()).toEqual(['importance', 'uniform']);
    expect(s.runs.importance?.step).toBe(0);
    expect(s.tauThresholdInForce).toBeCloseTo((24 + 24) / 24);
    expect(s.costs.costModelTauThreshold).toBeCloseTo(2);
  });

  it('both runs advance, alternating, each on its own clock', async () => {
    const h = await ready();
    await runFor(h, 12);
    const s = h.status();
    const imp = s.runs.importance!;
    const uni = s.runs.uniform!;
    expect(imp.step).toBeGreaterThanOrEqual(12);
    expect(uni.step).toBe(imp.step);
    expect(imp.samplesSeen).toBe(imp.step * 8);
    expect(imp.clockMs).toBeGreaterThan(0);
    expect(uni.clockMs).toBeGreaterThan(0);
    expect(imp.stepsPerSecond).toBeGreaterThan(0);
    expect(s.state).toBe('paused');
    // The last status event tells the final counts (the round in flight at pause included).
    expect(h.of('status').at(-1)!.status.runs).toEqual(s.runs);
    const steps = h.steps('importance');
    expect(steps.map((p) => p.step)).toEqual(Array.from({ length: imp.step }, (_, i) => i + 1));
    // Own clocks are cumulative and increasing.
    for (let i = 1; i < steps.length; i++) expect(steps[i].clockMs).toBeGreaterThan(steps[i - 1].clockMs);
    // Evaluations: step 0 (shared) and every 10 steps, identical at step 0 for both runs.
    const ei = h.evals('importance');
    const eu = h.evals('uniform');
    expect(ei[0]).toEqual(eu[0]);
    expect(ei.map((e) => e.step)).toEqual([0, 10, ...(imp.step >= 20 ? [20] : [])]);
    expect(ei[0].testAccuracy).toBeGreaterThanOrEqual(0);
    expect(ei[0].trainLoss).toBeGreaterThan(0);
  });

  it('same seed: identical first steps of both runs while importance is off, and again after reset and in a new engine', async () => {
    const h = await ready({ mode: 'auto' });
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    const imp = h.steps('importance');
    const uni = h.steps('uniform');
    expect(imp).toHaveLength(3);
    expect(imp.every((p) => !p.importanceActive)).toBe(true);
    expect(imp.map((p) => p.batchLoss)).toEqual(uni.map((p) => p.batchLoss));
    const first = imp.map((p) => p.batchLoss);

    h.clear();
    await h.engine.handle({ type: 'reset' });
    expect(h.status().runs.importance?.step).toBe(0);
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    expect(h.steps('importance').map((p) => p.batchLoss)).toEqual(first);
    expect(h.steps('uniform').map((p) => p.batchLoss)).toEqual(first);

    const other = harness();
    await other.engine.handle({ type: 'init', settings: tinySettings({ mode: 'auto' }) });
    for (let i = 0; i < 3; i++) await other.engine.handle({ type: 'step' });
    expect(other.steps('importance').map((p) => p.batchLoss)).toEqual(first);
    await other.engine.dispose();

    // Another seed gives another run.
    h.clear();
    await h.engine.handle({ type: 'update', change: { seed: 8 } });
    await h.engine.handle({ type: 'step' });
    expect(h.steps('importance')[0].batchLoss).not.toEqual(first[0]);
  });

  it('a mode switch takes effect on the next step, for the importance run only', async () => {
    const h = await ready({ mode: 'uniform' });
    await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'update', change: { mode: 'importance' } });
    await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'update', change: { mode: 'uniform' } });
    await h.engine.handle({ type: 'step' });
    const imp = h.steps('importance');
    expect(imp.map((p) => [p.mode, p.importanceActive])).toEqual([
      ['uniform', false],
      ['importance', true],
      ['uniform', false],
    ]);
    expect(h.steps('uniform').every((p) => p.mode === 'uniform' && !p.importanceActive)).toBe(true);
    expect(h.of('notice').filter((n) => /Restarted/.test(n.message))).toEqual([]);
    // Live changes keep the step count.
    expect(h.status().runs.importance?.step).toBe(3);
    // The sampler snapshot shows the presample.
    const snaps = h.of('metrics').map((m) => m.runs.importance?.snapshot).filter(Boolean);
    expect(snaps.length).toBeGreaterThan(0);
  });

  it('live settings (learning rate, b, B/b, τ_th, score, eval interval) apply without restart', async () => {
    const h = await ready({ mode: 'importance' });
    await h.engine.handle({ type: 'step' });
    await h.engine.handle({
      type: 'update',
      change: { batchSize: 4, presampleFactor: 4, learningRate: 0.002, tauThresholdMode: 'fixed', tauThreshold: 3, score: 'loss', evalInterval: 2 },
    });
    h.clear();
    await h.engine.handle({ type: 'step' });
    const s = h.status();
    expect(s.runs.importance?.step).toBe(2);
    expect(s.runs.importance?.samplesSeen).toBe(8 + 4);
    expect(s.tauThresholdInForce).toBe(3);
    const p = h.steps('importance')[0];
    expect(p.tauThreshold).toBe(3);
    expect(h.evals('importance').map((e) => e.step)).toEqual([2]);
    expect(s.costs.presampleSize).toBe(16);
  });

  it('pause, resume, single step, reset', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'step' });
    expect(h.status()).toMatchObject({ state: 'paused', runs: { importance: { step: 1 }, uniform: { step: 1 } } });
    await h.engine.handle({ type: 'step' });
    expect(h.status().runs.uniform?.step).toBe(2);
    await runFor(h, 6);
    const paused = h.status().runs.importance!.step;
    expect(paused).toBeGreaterThanOrEqual(6);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.status().runs.importance!.step).toBe(paused); // really paused
    await runFor(h, paused + 3); // resume
    expect(h.status().runs.importance!.step).toBeGreaterThanOrEqual(paused + 3);
    await h.engine.handle({ type: 'reset' });
    expect(h.status()).toMatchObject({ state: 'ready', runs: { importance: { step: 0, clockMs: 0 }, uniform: { step: 0 } } });
    const states = h.of('status').map((e) => e.status.state);
    expect(states).toContain('running');
    expect(states).toContain('paused');
  });

  it('compare=false runs the importance run alone, after a restart notice', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'update', change: { compare: false } });
    expect(h.of('notice').some((n) => /Restarted both runs.*compare/.test(n.message))).toBe(true);
    expect(Object.keys(h.status().runs)).toEqual(['importance']);
    expect(h.status().runs.importance?.step).toBe(0);
    await h.engine.handle({ type: 'step' });
    expect(h.status().runs.importance?.step).toBe(1);
    expect(h.of('metrics').every((m) => m.runs.uniform === undefined || m.runs.uniform.steps.every((p) => p.step <= 1))).toBe(true);
  });

  it('a restart while running keeps running, from step 0 with new models', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'start' });
    await h.engine.handle({ type: 'update', change: { model: 'cnn-tiny' } });
    expect(h.status().model?.name).toBe('cnn-tiny');
    expect(h.status().state).toBe('running');
    await h.engine.handle({ type: 'pause' });
    await h.engine.whenIdle();
    expect(h.status().state).toBe('paused');
  });

  it('holds no growing number of tensors over a few hundred steps', async () => {
    const h = await ready({ mode: 'importance', batchSize: 4, evalInterval: 25 });
    await runFor(h, 20);
    const early = tf.memory().numTensors;
    await runFor(h, 320);
    expect(h.status().runs.importance!.step).toBeGreaterThanOrEqual(320);
    expect(tf.memory().numTensors).toBe(early);
    await h.engine.handle({ type: 'update', change: { mode: 'auto', sampler: 'table' } });
    await runFor(h, 380);
    expect(tf.memory().numTensors).toBe(early);
    expect(h.status().tensors).toBe(early);
  }, 110_000);
});

describe('engine: τ_th modes', () => {
  it('measured: times the scoring pass over B and the step over b, and uses (t_score + t_step) / t_step', async () => {
    const h = await ready({ mode: 'auto', tauThresholdMode: 'measured' });
    expect(h.status().costs.measuredTauThreshold).toBeNull();
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    const { costs, tauThresholdInForce } = h.status();
    expect(costs.scoreMs).toBeGreaterThan(0);
    expect(costs.stepMs).toBeGreaterThan(0);
    expect(costs.measuredTauThreshold).toBeCloseTo((costs.scoreMs! + costs.stepMs!) / costs.stepMs!, 6);
    // The trainer used the value measured before its step.
    expect(h.steps('importance').at(-1)!.tauThreshold).toBeGreaterThan(1);
    expect(tauThresholdInForce).toBeGreaterThan(1);
    // Fixed and cost model.
    await h.engine.handle({ type: 'update', change: { tauThresholdMode: 'fixed', tauThreshold: 4.5 } });
    expect(h.status().tauThresholdInForce).toBe(4.5);
    await h.engine.handle({ type: 'update', change: { tauThresholdMode: 'costModel' } });
    expect(h.status().tauThresholdInForce).toBeCloseTo(2);
  });
});

describe('engine: sampler snapshot', () => {
  it('histograms, top samples with pixels, uniform picks, class and noisy shares', async () => {
    const h = await ready({ mode: 'importance', compare: false, labelNoise: 0.25 });
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    const snaps = h.of('metrics').map((m) => m.runs.importance?.snapshot).filter((s) => s != null);
    const s = snaps.at(-1)!;
    expect(s.scoreHistogram.counts.reduce((a, b) => a + b)).toBe(24); // B
    expect(s.weightHistogram.counts.reduce((a, b) => a + b)).toBe(8); // b
    expect(s.topSamples.length).toBeGreaterThan(0);
    expect(s.topSamples.every((x) => x.pixels.length === 64 && x.pixels instanceof Uint8Array)).toBe(true);
    const scores = s.topSamples.map((x) => x.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(s.uniformPicks).toHaveLength(6);
    expect(s.classShare.reduce((a, b) => a + b)).toBeCloseTo(1);
    expect(s.noisyShare).not.toBeNull();
    expect(h.status().dataset?.flippedCount).toBe(100);
  });

  it('with the score table, the grid shows the highest table scores', async () => {
    const h = await ready({ mode: 'importance', sampler: 'table' });
    for (let i = 0; i < 4; i++) await h.engine.handle({ type: 'step' });
    const s = h.of('metrics').map((m) => m.runs.importance?.snapshot).filter((x) => x != null).at(-1)!;
    expect(s.topSamples.length).toBeGreaterThan(0);
    expect(s.topSamples.every((x) => x.weight > 0 && Number.isFinite(x.weight))).toBe(true);
    expect(h.steps('importance').at(-1)).toMatchObject({ sampler: 'table', importanceActive: true });
  });
});

describe('the race core: a run hands its points to its observer', () => {
  it("each block's step points and each evaluation go to the observer as they are made; the run keeps none", async () => {
    await tf.setBackend('cpu');
    const cpu = prepareDataset(tinyDataset(3), tinySettings()) as PreparedDataset;
    const data = makeResident(cpu, { evalSize: 32, seed: 3 });
    const seen: string[] = [];
    const observer = {
      onBlock: (run: Run, points: readonly StepPoint[]) => seen.push(`${run.id} block ${points.map((p) => p.step).join(',')}`),
      onEval: (run: Run, point: EvalPoint) => seen.push(`${run.id} eval ${point.step}`),
    };
    const runs = buildRuns({
      model: 'mlp',
      modelConfig: { inputShape: cpu.imageShape, numClasses: cpu.numClasses, seed: 3 },
      data: data.device,
      runs: [{ id: 'a', settings: { ...DEFAULT_SETTINGS, batchSize: 8 } }],
      drawSeed: 1,
      observer,
    });
    try {
      const clock = { now: () => performance.now() };
      await runs[0].trainBlock(clock, 3);
      await runs[0].evaluate(data.evalTrain, data.evalTest);
      await runs[0].trainBlock(clock, 2);
      expect(seen).toEqual(['a block 1,2,3', 'a eval 3', 'a block 4,5']);
      expect(Object.values(runs[0]).some((v) => Array.isArray(v))).toBe(false);
    } finally {
      for (const r of runs) r.dispose();
      data.dispose();
    }
  });
});
