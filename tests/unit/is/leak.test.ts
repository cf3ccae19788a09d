import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { asLogitsModel, createRng, ImportanceTrainer, type TrainerSettings } from '../../../src/is';
import { randomData, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('no tensor leak', () => {
  const cases: Partial<TrainerSettings>[] = [];
  for (const sampler of ['presample', 'table'] as const) {
    for (const mode of ['uniform', 'importance', 'auto'] as const) {
      cases.push({ sampler, mode, optimizer: mode === 'auto' ? 'adam' : 'sgd', tauThreshold: mode === 'auto' ? 1.05 : null });
    }
  }

  it.each(cases)('numTensors is the same after step 10 and step 200: %o', async (settings) => {
    const rng = createRng(1);
    const model = asLogitsModel(tinyMlp(2, 8, 8, 3));
    const { x, y } = randomData(rng, 64, 8, 3);
    const baseline = tf.memory().numTensors;
    const trainer = new ImportanceTrainer({ model, x, y, rng, settings: { batchSize: 8, learningRate: 0.05, ...settings } });
    let at10 = -1;
    let active = 0;
    for (let s = 1; s <= 200; s++) {
      const r = await trainer.step();
      if (r.importanceActive) active++;
      if (s === 10) at10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at10);
    if (settings.mode === 'auto') expect(active).toBeGreaterThan(0);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([x, y]);
  });

  it('with loss and gnorm scores, and with settings changed along the way', async () => {
    const rng = createRng(2);
    const model = asLogitsModel(tinyMlp(2, 8, 8, 3));
    const { x, y } = randomData(rng, 64, 8, 3);
    const baseline = tf.memory().numTensors;
    const trainer = new ImportanceTrainer({ model, x, y, rng, settings: { batchSize: 4, mode: 'importance', score: 'gnorm' } });
    const counts: number[] = [];
    const phases: Partial<TrainerSettings>[] = [
      { score: 'gnorm' },
      { score: 'gnorm', sampler: 'table' },
      { score: 'loss', sampler: 'presample', optimizer: 'sgd' },
      { score: 'loss', sampler: 'table', learningRate: 0.01, momentum: 0.5 },
      { score: 'upperBound', mode: 'uniform', optimizer: 'adam', presampleFactor: 4 },
    ];
    for (const phase of phases) {
      trainer.updateSettings(phase);
      await trainer.step(); // the first step of a new optimizer creates its state
      const at = tf.memory().numTensors;
      for (let s = 0; s < 8; s++) await trainer.step();
      expect(tf.memory().numTensors, JSON.stringify(phase)).toBe(at);
      counts.push(at);
    }
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([x, y]);
  });
});
