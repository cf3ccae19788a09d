// A real problem: a tiny CNN on 1,000 MNIST digits improves with every mode.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitImportance, perSampleLoss, type TrainerSettings } from '../../../src/is';

const PER_DIGIT_TRAIN = 100;
const PER_DIGIT_EVAL = 50;

/** The `mnist` package: src/digits/<d>.json = { data: [784 values in 0..1 per image, ...] }. */
function loadMnist(): { x: tf.Tensor4D; labels: tf.Tensor1D; xEval: tf.Tensor4D; yEval: tf.Tensor2D } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const train = new Float32Array(10 * PER_DIGIT_TRAIN * 784);
  const evalX = new Float32Array(10 * PER_DIGIT_EVAL * 784);
  const trainLabels = new Int32Array(10 * PER_DIGIT_TRAIN);
  const evalLabels = new Int32Array(10 * PER_DIGIT_EVAL);
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    const per = PER_DIGIT_TRAIN + PER_DIGIT_EVAL;
    if (data.length < per * 784) throw new Error(`mnist digit ${d}: only ${data.length / 784} images`);
    train.set(data.slice(0, PER_DIGIT_TRAIN * 784), d * PER_DIGIT_TRAIN * 784);
    evalX.set(data.slice(PER_DIGIT_TRAIN * 784, per * 784), d * PER_DIGIT_EVAL * 784);
    trainLabels.fill(d, d * PER_DIGIT_TRAIN, (d + 1) * PER_DIGIT_TRAIN);
    evalLabels.fill(d, d * PER_DIGIT_EVAL, (d + 1) * PER_DIGIT_EVAL);
  }
  return {
    x: tf.tensor4d(train, [10 * PER_DIGIT_TRAIN, 28, 28, 1]),
    labels: tf.tensor1d(trainLabels, 'int32'),
    xEval: tf.tensor4d(evalX, [10 * PER_DIGIT_EVAL, 28, 28, 1]),
    yEval: tf.oneHot(tf.tensor1d(evalLabels, 'int32'), 10).toFloat() as tf.Tensor2D,
  };
}

/** conv 4×3×3 stride 2 → dense 10 softmax; the same seeded weights every time. */
function tinyCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

let data: ReturnType<typeof loadMnist>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  data = loadMnist();
});
afterAll(() => tf.dispose([data.x, data.labels, data.xEval, data.yEval]));

async function evalLoss(model: tf.LayersModel): Promise<number> {
  const t = tf.tidy(() => {
    const probs = model.predict(data.xEval) as tf.Tensor2D;
    // The model ends in softmax; the loss of its log is the same CE the trainer minimizes.
    return tf.mean(perSampleLoss(tf.log(tf.clipByValue(probs, 1e-7, 1)) as tf.Tensor2D, data.yEval));
  });
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

describe('tiny CNN on 1,000 MNIST images', () => {
  const runs: [string, Partial<TrainerSettings>][] = [
    ['uniform', { mode: 'uniform' }],
    ['importance (presample)', { mode: 'importance' }],
    // Low τ_th in auto so that both branches run within 24 steps.
    ['auto (presample)', { mode: 'auto', tauThreshold: 1.2 }],
    ['importance (score table)', { mode: 'importance', sampler: 'table' }],
    ['auto (score table)', { mode: 'auto', sampler: 'table', tauThreshold: 0.5 }],
  ];

  it.each(runs)('%s reaches a lower evaluation loss than at step 0', async (_name, settings) => {
    const model = tinyCnn();
    const before = await evalLoss(model);
    let steps = 0;
    let active = 0;
    const result = await fitImportance(model, data.x, data.labels, {
      epochs: 0.768, // 24 steps of 32
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.01,
      seed: 5,
      ...settings,
      onStep: (r) => {
        steps++;
        if (r.importanceActive) active++;
      },
    });
    const after = await evalLoss(model);
    expect(result.steps).toBe(24);
    expect(steps).toBe(24);
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(0.75 * before);
    if (settings.mode === 'importance') expect(active).toBe(24);
    if (settings.mode === 'uniform') expect(active).toBe(0);
    if (settings.mode === 'auto') expect(active).toBeGreaterThan(0);
    model.dispose();
  });
});
