// The loaded MNIST data, as device tensors, gathers the right samples and trains the core
// trainer (src/is): a dense softmax model's loss falls over a few dozen steps.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeviceData, type PreparedDataset, evalSubsetIndices, fileSource, loadPreparedDataset, sampleImage, toDeviceData } from '../../../src/data';
import { ImportanceTrainer, asLogitsModel, createRng } from '../../../src/is';

const ROOT = path.resolve(import.meta.dirname, '../../..');

let data: PreparedDataset;
let dev: DeviceData;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-datasets.mjs')], { cwd: ROOT });
  await tf.setBackend('cpu');
  data = await loadPreparedDataset(
    { dataset: 'mnist', trainCap: 0, labelNoise: 0.1, imbalanceClass: -1, imbalanceFraction: 1, seed: 4 },
    { source: fileSource(path.join(ROOT, 'public', 'data')) },
  );
  dev = toDeviceData(data);
});

afterAll(() => dev?.dispose());

describe('device data (MNIST)', () => {
  it('holds x float32 [N,28,28,1] in 0..1 and one-hot y, once', () => {
    expect(dev.train.x.shape).toEqual([8000, 28, 28, 1]);
    expect(dev.train.x.dtype).toBe('float32');
    expect(dev.train.y.shape).toEqual([8000, 10]);
    expect(dev.test.x.shape).toEqual([2000, 28, 28, 1]);
    expect(tf.max(dev.train.x).dataSync()[0]).toBeLessThanOrEqual(1);
    expect(tf.min(dev.train.x).dataSync()[0]).toBeGreaterThanOrEqual(0);
  });

  it('gathers a batch by index on the device, matching the CPU pixels and (noisy) labels', async () => {
    const idx = [5, 0, 7999, 5, data.flippedIndices[0]];
    const before = tf.memory().numTensors;
    const { x, y } = dev.gather(Int32Array.from(idx));
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(x.shape).toEqual([5, 28, 28, 1]);
    const xs = await x.data();
    const ys = await y.data();
    idx.forEach((i, k) => {
      const px = sampleImage(data.train, i);
      for (let j = 0; j < 784; j += 37) expect(xs[k * 784 + j]).toBeCloseTo(px[j] / 255, 6);
      expect(Array.from(ys.subarray(k * 10, k * 10 + 10)).indexOf(1)).toBe(data.train.labels[i]);
    });
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('dispose() frees every tensor it made', () => {
    const before = tf.memory().numTensors;
    const other = toDeviceData(data);
    expect(tf.memory().numTensors).toBe(before + 6);
    other.dispose();
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => other.gather([0])).toThrow('used after dispose');
  });

  it('trains with the core ImportanceTrainer: loss on a fixed evaluation subset falls', async () => {
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })],
    });
    const evalIdx = evalSubsetIndices(data.train.count, 500, 4);
    const evalBatch = dev.gather(evalIdx);
    const evalLoss = (): number =>
      tf.tidy(() => tf.losses.softmaxCrossEntropy(evalBatch.y, tf.log(tf.add(model.predict(evalBatch.x) as tf.Tensor, 1e-7))).dataSync()[0]);
    // The test split is clean; the loss there must fall too.
    const testBatch = dev.slice(0, 500, 'test');
    const testLoss = (): number =>
      tf.tidy(() => tf.losses.softmaxCrossEntropy(testBatch.y, tf.log(tf.add(model.predict(testBatch.x) as tf.Tensor, 1e-7))).dataSync()[0]);

    const trainer = new ImportanceTrainer({
      model: asLogitsModel(model),
      x: dev.train.x,
      y: dev.train.y,
      rng: createRng(4),
      settings: { mode: 'importance', batchSize: 32, presampleFactor: 3, optimizer: 'adam', learningRate: 0.01 },
    });
    const before = [evalLoss(), testLoss()];
    let importanceSteps = 0;
    for (let s = 0; s < 40; s++) {
      const r = await trainer.step();
      expect(Number.isFinite(r.batchLoss)).toBe(true);
      if (r.importanceActive) importanceSteps++;
    }
    const after = [evalLoss(), testLoss()];
    trainer.dispose();
    tf.dispose([evalBatch.x, evalBatch.y, testBatch.x, testBatch.y]);
    model.dispose();
    expect(importanceSteps).toBe(40);
    expect(after[0]).toBeLessThan(0.6 * before[0]);
    expect(after[1]).toBeLessThan(0.6 * before[1]);
  });
});
