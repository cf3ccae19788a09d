// Data for the benchmarks: the app's own dataset files (public/data, built by
// `node scripts/build-datasets.mjs`), read in Node through the data layer's file source,
// uploaded once to the backend; and the honest metrics of DESIGN.md: mean loss on a fixed
// seeded evaluation subset of the training set, and the error on the held-out test split.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { evalSubsetIndices, fileSource, loadPreparedDataset, toDeviceData, type DeviceData, type PreparedDataset } from '../../src/data/index.ts';
import type { DatasetName } from '../../src/engine/settings.ts';
import { ROOT } from './env.ts';

export interface BenchData {
  name: DatasetName;
  prepared: PreparedDataset;
  device: DeviceData;
  /** The fixed evaluation subset (indices into the training split). */
  evalIndices: Int32Array;
  /** The evaluation subset, gathered once. */
  evalSet: { x: tf.Tensor4D; y: tf.Tensor2D };
  /** Test samples used (the first `testCount` of the test split). */
  testCount: number;
  dispose(): void;
}

export async function loadBenchData(
  name: DatasetName,
  opts: { trainCap: number; evalSize: number; testCap?: number; seed?: number; labelNoise?: number },
): Promise<BenchData> {
  const dir = path.join(ROOT, 'public', 'data');
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`${dir}/manifest.json is missing: run \`node scripts/build-datasets.mjs\` first`);
  }
  // The data seed is fixed (1) so every seed of a benchmark trains on the same subset; the
  // benchmark's seed varies the model's initial weights and the draws.
  const prepared = await loadPreparedDataset(
    {
      dataset: name,
      trainCap: opts.trainCap,
      labelNoise: opts.labelNoise ?? 0,
      imbalanceClass: -1,
      imbalanceFraction: 1,
      seed: opts.seed ?? 1,
    },
    { source: fileSource(dir) },
  );
  const device = toDeviceData(prepared);
  const evalIndices = evalSubsetIndices(prepared.train.count, opts.evalSize, opts.seed ?? 1);
  const testCount = Math.min(prepared.test.count, opts.testCap ?? prepared.test.count);
  const evalSet = device.gather(evalIndices, 'train');
  return {
    name,
    prepared,
    device,
    evalIndices,
    evalSet,
    testCount,
    dispose: () => {
      tf.dispose([evalSet.x, evalSet.y]);
      device.dispose();
    },
  };
}

export interface EvalResult {
  loss: number;
  error: number;
}

/** Mean cross-entropy and error rate of a logits model, in chunks, one read per chunk. */
async function evaluate(model: tf.LayersModel, batches: () => Generator<{ x: tf.Tensor; y: tf.Tensor }>): Promise<EvalResult> {
  let lossSum = 0;
  let wrong = 0;
  let n = 0;
  for (const { x, y } of batches()) {
    const sums = tf.tidy(() => {
      const z = model.predict(x) as tf.Tensor2D;
      const l = tf.losses.softmaxCrossEntropy(y, z, undefined, undefined, tf.Reduction.NONE);
      const miss = tf.notEqual(tf.argMax(z, 1), tf.argMax(y, 1)).toFloat();
      return tf.stack([tf.sum(l), tf.sum(miss)]);
    });
    const [ls, ms] = await sums.data();
    sums.dispose();
    n += x.shape[0];
    tf.dispose([x, y]);
    lossSum += ls;
    wrong += ms;
  }
  return { loss: lossSum / n, error: wrong / n };
}

const CHUNK = 1000;

/** Mean loss (and error) on the fixed evaluation subset of the training set. */
export function evalTrain(model: tf.LayersModel, data: BenchData): Promise<EvalResult> {
  return evaluate(model, function* () {
    const n = data.evalIndices.length;
    for (let i = 0; i < n; i += CHUNK) {
      const k = Math.min(CHUNK, n - i);
      yield { x: tf.slice(data.evalSet.x, [i, 0, 0, 0], [k, -1, -1, -1]), y: tf.slice(data.evalSet.y, [i, 0], [k, -1]) };
    }
  });
}

/** Mean loss and error on the test split (its first `testCount` samples). */
export function evalTest(model: tf.LayersModel, data: BenchData): Promise<EvalResult> {
  return evaluate(model, function* () {
    for (let i = 0; i < data.testCount; i += CHUNK) yield data.device.slice(i, Math.min(CHUNK, data.testCount - i), 'test');
  });
}
