// Shared fixtures for the src/is tests: tiny seeded models and random data.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/is';

/** A small seeded MLP: inputs → hidden (relu) → classes with the given last activation. */
export function tinyMlp(
  seed: number,
  inputs: number,
  hidden: number,
  classes: number,
  lastActivation: 'linear' | 'softmax' = 'linear',
): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [inputs],
      units: hidden,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: classes,
      activation: lastActivation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 3 }),
    }),
  );
  return model;
}

/** Random inputs x [n, d] (normal) and labels (one-hot y and integer ids). */
export function randomData(rng: Rng, n: number, d: number, classes: number): {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
  labels: Int32Array;
} {
  const xs = new Float32Array(n * d);
  for (let i = 0; i < xs.length; i++) xs[i] = gaussian(rng);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(classes);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32') as tf.Tensor2D);
  return { x: tf.tensor2d(xs, [n, d]), y, labels };
}

export function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Float64 softmax of one row of logits. */
export function softmax64(z: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]);
  const out = new Float64Array(z.length);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += out[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) out[i] /= sum;
  return out;
}

/** Per-sample gradients of the CE loss over all trainable weights, flattened, in float64. */
export async function perSampleGradients(
  logits: (x: tf.Tensor) => tf.Tensor2D,
  vars: tf.Variable[],
  x: tf.Tensor,
  y: tf.Tensor2D,
): Promise<Float64Array[]> {
  const n = x.shape[0];
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const flat = tf.tidy(() => {
      const xi = tf.slice(x, i, 1);
      const yi = tf.slice(y, i, 1);
      const { grads } = tf.variableGrads(
        () => tf.neg(tf.sum(tf.mul(yi, tf.logSoftmax(logits(xi))))) as tf.Scalar,
        vars,
      );
      return tf.concat(vars.map((v) => tf.reshape(grads[v.name], [-1])));
    });
    out.push(Float64Array.from(await flat.data()));
    flat.dispose();
  }
  return out;
}
