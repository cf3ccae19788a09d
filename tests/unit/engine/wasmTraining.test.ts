// Training on the wasm backend follows the CPU backend step for step: the zoo's MLP and
// cnn-tiny, from the same initial weights, on the same MNIST batches in the same order, with
// Adam, give the same batch losses for 200 steps. This is what the page relies on when it
// trains on wasm, and what tensorflow/tfjs#4326 (losses exploding on wasm while cpu and webgl
// converge) would break. cnn-tiny trains on 14×14 images (MNIST averaged over 2×2) at b = 8 so
// that the CPU side stays within ~20 s on a 2-core machine; its conv layers then take the
// replacement Conv2DBackpropFilter (src/engine/backend/wasmConv2dBackpropFilter.ts) every step.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWasm } from '../../../src/engine/backend/wasm';
import { buildModel, type ModelName } from '../../../src/models';

const PER_DIGIT = 60;
const N = 10 * PER_DIGIT;
const STEPS = 200;
const BATCH = 8;

/** 600 MNIST digits (60 per class) at 28×28 and averaged to 14×14, with their labels. */
function loadDigits(): { full: Float32Array; half: Float32Array; labels: Int32Array } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const full = new Float32Array(N * 784);
  const labels = new Int32Array(N);
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    full.set(data.slice(0, PER_DIGIT * 784), d * PER_DIGIT * 784);
    labels.fill(d, d * PER_DIGIT, (d + 1) * PER_DIGIT);
  }
  const half = new Float32Array(N * 196);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < 14; i++)
      for (let j = 0; j < 14; j++) {
        const at = (r: number, c: number) => full[n * 784 + r * 28 + c];
        half[n * 196 + i * 14 + j] = (at(2 * i, 2 * j) + at(2 * i, 2 * j + 1) + at(2 * i + 1, 2 * j) + at(2 * i + 1, 2 * j + 1)) / 4;
      }
  return { full, half, labels };
}

/** A fixed shuffle of 0..n−1 (a small LCG: the order only has to be the same on both backends). */
function order(n: number): number[] {
  const o = Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [o[i], o[j]] = [o[j], o[i]];
  }
  return o;
}

interface Trained {
  losses: number[];
  initial: Float32Array[];
}

async function train(backend: 'wasm' | 'cpu', model: ModelName, side: number, pixels: Float32Array, labels: Int32Array, initial: Float32Array[] | null): Promise<Trained> {
  await tf.setBackend(backend);
  const net = buildModel(model, { inputShape: [side, side, 1], numClasses: 10, seed: 3 });
  if (initial) {
    const shapes = net.getWeights().map((w) => w.shape);
    const ws = initial.map((v, k) => tf.tensor(v, shapes[k]));
    net.setWeights(ws);
    tf.dispose(ws);
  }
  const start = net.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const optimizer = tf.train.adam(1e-3);
  const xAll = tf.tensor4d(pixels, [N, side, side, 1]);
  const yAll = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
  const seq = order(N);
  const losses: number[] = [];
  try {
    for (let k = 0; k < STEPS; k++) {
      const idx = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => seq[(k * BATCH + i) % N]), 'int32');
      const x = tf.gather(xAll, idx);
      const y = tf.gather(yAll, idx);
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, net.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      losses.push((await cost!.data())[0]);
      tf.dispose([cost!, x, y, idx]);
    }
  } finally {
    tf.dispose([xAll, yAll]);
    optimizer.dispose();
    net.dispose();
  }
  return { losses, initial: start };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

let digits: ReturnType<typeof loadDigits>;

beforeAll(async () => {
  await startWasm();
  digits = loadDigits();
});

describe('training on wasm against the CPU backend', () => {
  // Both backends compute in float32 and differ only in summation order (~1e-7 relative per
  // op), which Adam carries forward: over 200 steps the losses differed by at most 5e-7 when
  // this was written. 1e-4 leaves 200× room; a wrong gradient or tfjs#4326's exploding losses
  // move a loss by 1e-2 or more within tens of steps.
  const TOLERANCE = 1e-4;

  it.each([
    ['mlp', 28],
    ['cnn-tiny', 14],
  ] as const)('%s: the same loss at every one of 200 steps, from the same weights and batches', async (model, side) => {
    const pixels = side === 28 ? digits.full : digits.half;
    const cpu = await train('cpu', model, side, pixels, digits.labels, null);
    const wasm = await train('wasm', model, side, pixels, digits.labels, cpu.initial);
    let worst = 0;
    let at = -1;
    for (let k = 0; k < STEPS; k++) {
      const d = Math.abs(cpu.losses[k] - wasm.losses[k]);
      if (!(d <= worst)) [worst, at] = [d, k];
    }
    expect(worst, `largest loss difference at step ${at}: cpu ${cpu.losses[at]}, wasm ${wasm.losses[at]}`).toBeLessThanOrEqual(TOLERANCE);
    // And it learns: agreement between two runs that stand still would prove nothing.
    expect(mean(wasm.losses.slice(-20))).toBeLessThan(0.6 * mean(wasm.losses.slice(0, 20)));
  });
});
