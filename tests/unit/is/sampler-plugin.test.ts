// A sampler defined outside the library, added with one registerSampler call, must be usable
// everywhere a built-in one is: the trainer, the library's validation, the settings schema
// and the engine. "first-b" trains on samples 0 … b−1 whenever importance sampling is on and
// draws uniformly otherwise; it records every draw so the tests can see it was used.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ImportanceTrainer,
  SAMPLER_KINDS,
  UniformSampler,
  asLogitsModel,
  createRng,
  describeChoice,
  registerSampler,
  samplerInfo,
  tauFromScores,
  tauThresholdOf,
  validateSettings,
  DEFAULT_SETTINGS,
  type BatchDraw,
  type DrawPosition,
  type TrainerSettings,
} from '../../../src/is';
import { SETTINGS_SCHEMA, checkSettingValue } from '../../../src/contract/settings';
import { harness, runFor, tinySettings, type Harness } from '../../support/engineHarness';
import { randomData, softmax64, tinyMlp } from '../../support/isHelpers';

// The type side of a plug-in: settings typed SamplerKind accept the new name.
declare module '../../../src/is/catalogue' {
  interface CustomSamplerNames {
    'first-b': true;
  }
}

/** Every draw of every first-b sampler: whether it was active, the indices it drew, and where training stood. */
const draws: { active: boolean; indices: Int32Array; at: DrawPosition }[] = [];

registerSampler({
  name: 'first-b',
  label: 'First b samples',
  description: 'Test sampler: the first b training samples whenever importance sampling is on, unweighted.',
  create: (context) => {
    const uniform = new UniformSampler(context);
    return {
      draw(settings, active, at): BatchDraw {
        const indices = active ? Int32Array.from({ length: settings.batchSize }, (_, k) => k) : (uniform.draw(settings).indices as Int32Array);
        draws.push({ active, indices, at });
        return { indices, weights: null };
      },
      observe: (batch) => tauFromScores(batch.scores),
      dispose: () => {},
    };
  },
});

const firstB = (b: number): number[] => Array.from({ length: b }, (_, k) => k);

describe('a sampler registered at runtime', () => {
  it('is in the catalogue, valid for the library and offered by the settings schema', () => {
    // The built-in samplers (their folders, in the meta list's order), then the registered one.
    expect(SAMPLER_KINDS).toEqual(['presample', 'table', 'online-batch', 'infobatch', 'first-b']);
    expect(samplerInfo('first-b').capabilities).toEqual({ scoresPresample: false, keepsTable: false });
    expect(describeChoice('sampler', 'first-b')?.label).toBe('First b samples');
    const settings: TrainerSettings = { ...DEFAULT_SETTINGS, sampler: 'first-b' };
    expect(() => validateSettings(settings, 100)).not.toThrow();
    // No presample: B may exceed N, and the default cost model has nothing to pay for (τ_th = 1).
    expect(() => validateSettings({ ...settings, mode: 'importance', batchSize: 40, presampleFactor: 3 }, 100)).not.toThrow();
    expect(tauThresholdOf(settings)).toBe(1);
    expect(SETTINGS_SCHEMA.sampler.values).toContain('first-b');
    expect(checkSettingValue('sampler', 'first-b')).toBeNull();
    expect(checkSettingValue('sampler', 'first-c')).toMatch(/must be one of presample, table, online-batch, infobatch, first-b/);
  });

  it('refuses a second sampler under a taken name, and an unknown name lists the registered ones', () => {
    const again = { name: 'first-b' as const, label: 'x', description: 'x', create: () => { throw new Error('unused'); } };
    expect(() => registerSampler(again)).toThrow(/a sampler named 'first-b' is already registered/);
    expect(() => registerSampler({ ...again, name: 'presample' })).toThrow(/'presample' is already registered/);
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, sampler: 'nope' as TrainerSettings['sampler'] }, 100)).toThrow(
      /set sampler to one of 'presample', 'table', 'online-batch', 'infobatch', 'first-b'/,
    );
  });
});

describe('ImportanceTrainer with the registered sampler', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('trains on exactly the batches it draws, with its weights, its τ and the default τ_th', async () => {
    const b = 6;
    const rng = createRng(4);
    const { x, y, labels } = randomData(rng, 50, 5, 3);
    const model = tinyMlp(9, 5, 8, 3);
    const trainer = new ImportanceTrainer({
      model: asLogitsModel(model),
      x,
      y,
      rng,
      settings: { sampler: 'first-b', mode: 'importance', batchSize: b, optimizer: 'sgd', learningRate: 0.1, momentum: 0 },
    });
    draws.length = 0;
    for (let t = 0; t < 4; t++) {
      // The loss of samples 0 … b−1 before this step, in float64 from the model's logits.
      const logits = tf.tidy(() => model.apply(tf.slice(x, 0, b)) as tf.Tensor2D);
      const z = await logits.array();
      logits.dispose();
      let expected = 0;
      for (let k = 0; k < b; k++) expected -= Math.log(softmax64(z[k])[labels[k]]) / b;

      const r = await trainer.step();
      expect(r.sampler).toBe('first-b');
      expect(r.importanceActive).toBe(true);
      expect(Array.from(r.indices)).toEqual(firstB(b));
      expect(Array.from(r.weights)).toEqual(new Array(b).fill(1));
      // float32 forward pass against the float64 reference: a few ulps of a loss near 1.
      expect(r.batchLoss).toBeCloseTo(expected, 5);
      expect(r.tauRaw).toBe(tauFromScores(r.scores));
      expect(r.tauThreshold).toBe(1);
    }
    expect(draws.map((d) => d.active)).toEqual([true, true, true, true]);
    // Each draw knows where training stands: steps before it, samples seen, epochs (of N = 50).
    expect(draws.map((d) => d.at)).toEqual([0, 1, 2, 3].map((t) => ({ step: t, samplesSeen: t * b, epoch: (t * b) / 50 })));
    // Within a block, each draw counts the block's earlier ones.
    draws.length = 0;
    await trainer.trainBlock(3);
    expect(draws.map((d) => d.at.step)).toEqual([4, 5, 6]);
    expect(draws.map((d) => d.at.samplesSeen)).toEqual([24, 30, 36]);

    // Uniform mode trains as a uniform run does, without the sampler: b distinct uniform samples.
    trainer.updateSettings({ mode: 'uniform' });
    const asked = draws.length;
    const r = await trainer.step();
    expect(r.importanceActive).toBe(false);
    expect(draws.length).toBe(asked);
    expect(new Set(r.indices).size).toBe(b);
    // In auto mode, below τ_th, the sampler is asked with active = false (it may learn from the batch).
    trainer.updateSettings({ mode: 'auto', tauThreshold: 100 });
    const u = await trainer.step();
    expect(u.importanceActive).toBe(false);
    expect(draws.at(-1)?.active).toBe(false);
    expect(Array.from(u.indices)).toEqual(Array.from(draws.at(-1)!.indices));
    trainer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('the engine with the registered sampler', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.engine.dispose();
    h = null;
  });

  it('runs the importance run with it, beside the uniform run', async () => {
    h = harness();
    const b = 8;
    await h.engine.handle({ type: 'init', settings: tinySettings({ sampler: 'first-b', mode: 'importance', batchSize: b }) });
    expect(h.of('error')).toEqual([]);
    expect(h.status().state).toBe('ready');
    draws.length = 0;
    await runFor(h, 6);
    expect(h.of('error')).toEqual([]);

    const steps = h.steps('importance');
    expect(steps.length).toBeGreaterThanOrEqual(6);
    expect(steps.every((p) => p.sampler === 'first-b' && p.importanceActive)).toBe(true);
    // One active first-b draw per importance step (the uniform run uses its own sampler).
    expect(draws.length).toBe(h.status().runs.importance!.step);
    expect(steps.length).toBe(draws.length);
    expect(draws.every((d) => d.active && d.indices.join() === firstB(b).join())).toBe(true);
    // The samples the grid shows as drawn are among samples 0 … b−1.
    const shown = h
      .of('metrics')
      .flatMap((m) => m.runs.importance?.snapshot?.topSamples ?? [])
      .map((s) => s.index);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((i) => i < b)).toBe(true);
    expect(h.steps('uniform').every((p) => !p.importanceActive)).toBe(true);
  });
});
