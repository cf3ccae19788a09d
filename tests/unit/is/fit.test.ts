import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, fitImportance, type EpochSummary } from '../../../src/is';
import { randomData, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fitImportance (the "few lines of code")', () => {
  it('runs epochs measured in samples seen / N, with per-step and per-epoch callbacks', async () => {
    const rng = createRng(1);
    const { x, labels } = randomData(rng, 50, 4, 3);
    const y = tf.tensor1d(labels, 'int32');
    const model = tinyMlp(1, 4, 6, 3, 'softmax');
    const before = tf.memory().numTensors;
    const epochs: EpochSummary[] = [];
    let steps = 0;
    const result = await fitImportance(model, x, y, {
      epochs: 2.5,
      batchSize: 8,
      mode: 'importance',
      seed: 3,
      onStep: () => {
        steps++;
      },
      onEpoch: (e) => {
        epochs.push(e);
      },
    });
    // 2.5 · 50 / 8 → 16 steps; epoch e ends once (e+1)·50 samples are seen: steps 7, 13, 16.
    expect(result.steps).toBe(16);
    expect(steps).toBe(16);
    expect(epochs.map((e) => e.steps)).toEqual([7, 6, 3]);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(epochs.every((e) => e.importanceSteps === e.steps && Number.isFinite(e.meanBatchLoss))).toBe(true);
    expect(result.epochs).toEqual(epochs);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("uses a compiled model's optimizer, accepts one-hot labels, and the same seed gives the same weights", async () => {
    const train = async (seed: number, compiled: boolean): Promise<Float32Array> => {
      const rng = createRng(2);
      const { x, y } = randomData(rng, 40, 4, 3);
      const model = tinyMlp(4, 4, 6, 3, 'linear');
      const sgd = tf.train.sgd(0.5);
      if (compiled) model.compile({ optimizer: sgd, loss: 'categoricalCrossentropy' });
      await fitImportance(model, x, y, { epochs: 1, batchSize: 8, seed });
      if (compiled) expect(sgd.iterations).toBe(5);
      const w = tf.tidy(() => tf.concat(model.getWeights().map((t) => tf.reshape(t, [-1]))));
      const out = (await w.data()) as Float32Array;
      tf.dispose([w, x, y]);
      model.dispose();
      sgd.dispose();
      return out;
    };
    const a = await train(9, false);
    expect(await train(9, false)).toEqual(a);
    expect(await train(10, false)).not.toEqual(a);
    expect(await train(9, true)).not.toEqual(a);
  });
});
