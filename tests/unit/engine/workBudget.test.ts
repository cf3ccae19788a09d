// The work budget of one step (src/engine/page/workBudget.ts): what a link may ask of the device, the
// footprint it is estimated from, and the block size that keeps Pause prompt.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCK_TARGET_MS,
  DEVICE_SPEEDS,
  MAX_STEP_ACTIVATION_BYTES,
  MAX_STEP_MS,
  blockStepsWithinBudget,
  budgetErrors,
  declaredShape,
  estimateStep,
  type ImageShape,
} from '../../../src/engine/page/workBudget';
import { Engine } from '../../../src/engine/page/engine';
import type { EngineEvent } from '../../../src/contract/protocol';
import { DATASET_NAMES, MODEL_NAMES, defaultSettings, type Settings } from '../../../src/contract/settings';
import { buildModel, countParameters } from '../../../src/models';
import { modelFootprint } from '../../../src/models/footprint';
import { harness, tinyLoader, tinySettings, waitUntil, type Harness } from '../../support/engineHarness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});

/** The share link of finding 2: b = 1024, B/b = 32 (B = 32,768), cnn-small on Fashion-MNIST. */
// The paper's presampling: B = 32,768 samples scored per step (the score table scores nothing extra).
const HEAVY_LINK: Partial<Settings> = { dataset: 'fashion-mnist', model: 'cnn-small', batchSize: 1024, presampleFactor: 32, sampler: 'presample' };
const MNIST: ImageShape = [28, 28, 1];

describe('model footprints', () => {
  it('match the built zoo models: every layer output, the parameters and the multiply-adds', () => {
    for (const name of MODEL_NAMES) {
      for (const shape of [[28, 28, 1], [8, 8, 1], [3, 5, 1], [1, 1, 1], [32, 32, 3]] as [number, number, number][]) {
        const model = buildModel(name, { inputShape: shape, numClasses: 7, seed: 1 });
        const fp = modelFootprint(name, shape, 7);
        const outputs = model.layers.map((l) => (l.outputShape as number[]).slice(1));
        expect(fp.layerOutputs, `${name} on ${shape.join('×')}`).toEqual(outputs);
        expect(fp.parameters).toBe(countParameters(model));
        // Multiply-adds: each kernel once per output position (1 for a dense layer).
        let macs = 0;
        for (const layer of model.layers) {
          const out = (layer.outputShape as number[]).slice(1, -1);
          for (const w of layer.weights) if (w.shape.length >= 2) macs += w.shape.reduce<number>((a, b) => a * (b ?? 1), 1) * out.reduce((a, b) => a * b, 1);
        }
        expect(fp.macs).toBe(macs);
        expect(fp.activationFloats).toBe(shape[0] * shape[1] * shape[2] + outputs.reduce((a, o) => a + o.reduce((x, y) => x * y, 1), 0));
        model.dispose();
      }
    }
  });

  it('the data catalogue declares the shapes the datasets load with', () => {
    expect(declaredShape('mnist')).toEqual({ imageShape: [28, 28, 1], numClasses: 10 });
    expect(declaredShape('fashion-mnist')).toEqual({ imageShape: [28, 28, 1], numClasses: 10 });
  });
});

describe('budget of one step', () => {
  it('refuses the link with b = 1024, B/b = 32, cnn-small on Fashion-MNIST, naming the values to change', () => {
    const s = { ...defaultSettings(), sampler: 'presample' as const, ...HEAVY_LINK };
    const errors = budgetErrors(s, declaredShape(s.dataset).imageShape, 10);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^scoring B = 32,768 samples per step with cnn-small on 28×28 images takes about \d+\.\d s on a typical GPU/);
    expect(errors[0]).toMatch(/lower presampleFactor to at most \d+(\.\d+)?, lower batchSize to at most \d+, or choose a smaller model$/);
    // What it suggests fits, and is the most that does.
    const factor = Number(/presampleFactor to at most ([\d.]+)/.exec(errors[0])![1]);
    const b = Number(/batchSize to at most (\d+)/.exec(errors[0])![1]);
    expect(budgetErrors({ ...s, presampleFactor: factor }, MNIST, 10)).toEqual([]);
    expect(budgetErrors({ ...s, presampleFactor: factor + 0.05 }, MNIST, 10)).not.toEqual([]);
    expect(budgetErrors({ ...s, batchSize: b }, MNIST, 10)).toEqual([]);
    expect(budgetErrors({ ...s, batchSize: b + 1 }, MNIST, 10)).not.toEqual([]);
  });

  it('passes the defaults, every model at the defaults and the gnorm score at the default B', () => {
    for (const dataset of DATASET_NAMES) {
      for (const model of MODEL_NAMES) {
        for (const score of ['upperBound', 'loss', 'gnorm'] as const) {
          const s = { ...defaultSettings(), sampler: 'presample' as const, dataset, model, score };
          const { imageShape, numClasses } = declaredShape(dataset);
          expect(budgetErrors(s, imageShape, numClasses), `${dataset} ${model} ${score}`).toEqual([]);
        }
      }
    }
    // The paper-scale step the schema's largest b allows with the default B/b is within it too.
    expect(budgetErrors({ ...defaultSettings(), sampler: 'presample' as const, model: 'cnn-small', batchSize: 1024 }, MNIST, 10)).toEqual([]);
  });

  it('refuses gnorm with B in the thousands: one backward pass per sample', () => {
    const s = { ...defaultSettings(), sampler: 'presample' as const, model: 'cnn-small' as const, score: 'gnorm' as const, batchSize: 128, presampleFactor: 16 };
    const [error] = budgetErrors(s, MNIST, 10);
    expect(error).toMatch(/^the gnorm score takes 2,048 backward passes per step, about \d+\.\d s on a typical GPU/);
    expect(error).toMatch(/lower presampleFactor to at most [\d.]+, lower batchSize to at most \d+, or choose the upperBound score$/);
    expect(budgetErrors({ ...s, score: 'upperBound' }, MNIST, 10)).toEqual([]);
    // The score table scores only the b it trains on: b passes.
    expect(budgetErrors({ ...s, sampler: 'table' }, MNIST, 10)).toEqual([]);
  });

  it('refuses a step whose activations exceed the memory budget, naming batchSize', () => {
    const s = { ...defaultSettings(), sampler: 'presample' as const, model: 'cnn-small' as const, batchSize: 512, presampleFactor: 1.01 };
    const big: ImageShape = [64, 64, 3];
    const errors = budgetErrors(s, big, 10);
    const fp = modelFootprint('cnn-small', big, 10);
    expect(4 * fp.activationFloats * 3 * 512).toBeGreaterThan(MAX_STEP_ACTIVATION_BYTES);
    const bMax = Math.floor(MAX_STEP_ACTIVATION_BYTES / (4 * fp.activationFloats * 3));
    expect(errors[0]).toBe(
      `a step with b = 512 of cnn-small on 64×64 images holds about ${Math.round((4 * fp.activationFloats * 3 * 512) / 2 ** 20).toLocaleString('en-US')} MiB ` +
        `of activations (at most 512 MiB): lower batchSize to at most ${bMax}, or choose a smaller model`,
    );
  });

  it('the estimate is the sum of its parts, and scoring is counted once per presample, in chunks', () => {
    const s = { ...defaultSettings(), sampler: 'presample' as const, ...HEAVY_LINK };
    const gpu = estimateStep(s, MNIST, 10, DEVICE_SPEEDS.gpu);
    expect(gpu.scored).toBe(32_768);
    expect(gpu.total).toBeCloseTo(gpu.scoring + gpu.training + gpu.gradients, 9);
    expect(gpu.total).toBeGreaterThan(MAX_STEP_MS);
    // Memory: the training batch (3 × 1024 samples) outweighs a scoring chunk (1024), not B.
    expect(gpu.peakActivationBytes).toBe(4 * modelFootprint('cnn-small', MNIST, 10).activationFloats * 3 * 1024);
    // Uniform mode never scores a presample.
    expect(estimateStep({ ...s, mode: 'uniform' }, MNIST, 10, DEVICE_SPEEDS.gpu).scored).toBe(0);
  });
});

describe('blocks within the budget', () => {
  it('keeps the blocks on a GPU at the defaults and shortens them where a step is slow', () => {
    const s = defaultSettings();
    expect(blockStepsWithinBudget(s, MNIST, 10, 'webgpu').blockSteps).toBe(s.blockSteps);
    // gnorm at B = 96 on a GPU: ~100 ms a step, so blocks of 2.
    const gnorm = blockStepsWithinBudget({ ...s, model: 'cnn-tiny', score: 'gnorm' }, MNIST, 10, 'webgpu');
    expect(gnorm.blockSteps).toBe(Math.floor(BLOCK_TARGET_MS / gnorm.stepMs));
    expect(gnorm.blockSteps).toBeLessThan(s.blockSteps);
    // Never below one step, and the same answer for the same settings (block boundaries are reproducible).
    const cpu = blockStepsWithinBudget({ ...s, ...HEAVY_LINK }, MNIST, 10, 'cpu');
    expect(cpu.blockSteps).toBe(1);
    expect(blockStepsWithinBudget({ ...s, ...HEAVY_LINK }, MNIST, 10, 'cpu')).toEqual(cpu);
  });

  it('estimates WebAssembly as itself, not as the plain-JavaScript CPU', () => {
    // cnn-tiny at b = 32 took 21 ms a step on wasm in Node (1 s on the CPU backend): its blocks
    // stay several steps long there, where the CPU's estimate would cut them to one.
    const s = { ...defaultSettings(), model: 'cnn-tiny' as const };
    const wasm = blockStepsWithinBudget(s, MNIST, 10, 'wasm');
    expect(wasm.device).toBe('WebAssembly');
    expect(wasm.stepMs).toBeGreaterThan(21);
    expect(wasm.stepMs).toBeLessThan(3 * 21);
    expect(wasm.blockSteps).toBeGreaterThanOrEqual(4);
    expect(blockStepsWithinBudget(s, MNIST, 10, 'cpu').blockSteps).toBe(1);
    // The MLP keeps the default block.
    expect(blockStepsWithinBudget(defaultSettings(), MNIST, 10, 'wasm').blockSteps).toBe(defaultSettings().blockSteps);
  });
});

describe('engine: the budget at init and update', () => {
  it('refuses the heavy link before loading anything, and names the setting to change', async () => {
    let loads = 0;
    const loader = tinyLoader();
    h = harness({ loadData: (s, p) => (loads++, loader!(s, p)) });
    await h.engine.handle({ type: 'init', settings: tinySettings(HEAVY_LINK) });
    const [error] = h.of('error');
    expect(error.fatal).toBe(false);
    expect(error.message).toMatch(/^Too much work for one step: scoring B = 32,768 samples per step with cnn-small on 28×28 images/);
    expect(error.message).toContain('lower presampleFactor to at most');
    expect(loads).toBe(0);
    expect(h.status().state).toBe('idle');
    // The defaults (on the same harness) pass.
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    expect(h.status().state).toBe('ready');
    expect(h.of('error')).toHaveLength(1);
  });

  it('refuses a live change that would exceed it; the runs keep their settings', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ model: 'cnn-small', batchSize: 8 }) });
    expect(h.status().state).toBe('ready');
    // On the loaded 8×8 images: 2,048 gnorm passes per step is over the budget on any device.
    await h.engine.handle({ type: 'update', change: { score: 'gnorm', batchSize: 128, presampleFactor: 16 } });
    const [error] = h.of('error');
    expect(error.message).toMatch(/^Too much work for one step: the gnorm score takes 2,048 backward passes per step/);
    expect(h.status().settings).toMatchObject({ score: 'upperBound', batchSize: 8 });
  });

  it('shortens blocks on a slow backend with a notice, and keeps the setting as asked', async () => {
    h = harness();
    // gnorm on the CPU: 32 backward passes a step, an estimated ~160 ms.
    await h.engine.handle({ type: 'init', settings: tinySettings({ score: 'gnorm', mode: 'importance', batchSize: 4, presampleFactor: 8, blockSteps: 64, evalInterval: 1000 }) });
    const notice = h.of('notice').find((n) => n.message.startsWith('Blocks of'));
    expect(notice?.message).toMatch(/^Blocks of 1 step instead of 64: a step of these settings takes an estimated \d+ ms on the CPU/);
    expect(h.status().settings.blockSteps).toBe(64);
    await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'update', change: { learningRate: 0.02 } });
    // Announced once, not at every change.
    expect(h.of('notice').filter((n) => n.message.startsWith('Blocks of'))).toHaveLength(1);
  });

  it('says when one step alone is too long to wait for on the backend in force, with the batch size that fits', async () => {
    // Issue 22's third link on the CPU: cnn-small, b = 22, a step of ~9 s that Pause must wait for.
    h = harness({ backendOrder: ['cpu'], loadData: undefined }); // the real 28×28 synthetic set
    const link = { dataset: 'synthetic-shapes', model: 'cnn-small', batchSize: 22, varianceLabInterval: 1, evalInterval: 10000, evalSize: 64, compare: false, backend: 'cpu' } as const;
    await h.engine.handle({ type: 'init', settings: { ...defaultSettings(), ...link } });
    const long = h.of('notice').filter((n) => n.message.startsWith('A step of these settings'));
    expect(long).toHaveLength(1);
    const m = /^A step of these settings takes an estimated (\d+\.\d) s on the CPU, and Pause and setting changes wait for the step in flight\. To have them within a second, lower batchSize to at most (\d+), or choose a smaller model than cnn-small\.$/.exec(long[0].message);
    expect(m, long[0].message).not.toBeNull();
    const b = Number(m![2]);
    const est = (batchSize: number) => estimateStep({ ...defaultSettings(), ...link, batchSize }, MNIST, 10, DEVICE_SPEEDS.cpu).total;
    expect(est(b)).toBeLessThanOrEqual(1000);
    expect(est(b + 1)).toBeGreaterThan(1000);
    // A live change that keeps the step long says nothing new; one that makes it short, and the MLP, say nothing.
    await h.engine.handle({ type: 'update', change: { learningRate: 0.002 } });
    await h.engine.handle({ type: 'update', change: { batchSize: b } });
    expect(h.of('notice').filter((n) => n.message.startsWith('A step of these settings'))).toHaveLength(1);
  });

  it('a pause during a gnorm-heavy run is acknowledged within 2 s', async () => {
    // Each importance step scores B = 32 samples with one backward pass each (~5 ms apiece on
    // this loaded CPU). Blocks of 64 steps would keep the worker busy for ~10 s per block,
    // and a worker takes a message only between synchronous stretches (on the CPU a whole
    // round is one). The budget cuts blocks to one step (~0.2 s); a round is one block of
    // each run; 2 s leaves five times that for a loaded machine.
    const events: { at: number; event: EngineEvent }[] = [];
    const engine = new Engine((event) => events.push({ at: performance.now(), event }), { backendOrder: ['cpu'], loadData: tinyLoader() });
    try {
      const settings = tinySettings({ score: 'gnorm', mode: 'importance', batchSize: 4, presampleFactor: 8, blockSteps: 64, evalInterval: 1000 });
      await engine.handle({ type: 'init', settings });
      await engine.handle({ type: 'start' });
      const steps = () => engine.getStatus().runs.importance?.step ?? 0;
      await waitUntil(() => steps() >= 1, 60_000, 'the first step');
      const due = performance.now() + 20;
      let sentAt = 0;
      setTimeout(() => {
        sentAt = performance.now();
        void engine.handle({ type: 'pause' });
      }, 20);
      await waitUntil(() => events.some((e) => e.at >= due && e.event.type === 'status' && e.event.status.state === 'paused'), 120_000, 'paused');
      const ack = events.find((e) => e.at >= due && e.event.type === 'status' && e.event.status.state === 'paused')!;
      expect(sentAt).toBeGreaterThan(0);
      expect(ack.at - due).toBeLessThan(2000);
      await engine.whenIdle();
      // The round in flight finished; nothing after it.
      const after = steps();
      await new Promise((r) => setTimeout(r, 100));
      expect(steps()).toBe(after);
    } finally {
      await engine.dispose();
    }
  });
});
