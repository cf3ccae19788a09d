import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asLogitsModel,
  createRng,
  perSampleGradientNorms,
  perSampleLoss,
  scoreBatch,
  trainableVariables,
  upperBoundScores,
} from '../../../src/is';
import { gaussian, perSampleGradients, randomData, softmax64, tinyMlp } from '../../support/isHelpers';

/** Reads a tensor and disposes it. */
async function take(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('upperBound score (paper Eq. 20)', () => {
  it("equals the norm of tfjs's own gradient of the CE loss w.r.t. the logits, and a float64 reference", async () => {
    const rng = createRng(Date.now() >>> 0); // fresh inputs every run; the seed is in any failure message
    const seed = rng.seed31();
    const r = createRng(seed);
    const n = 64;
    const c = 10;
    const z = new Float32Array(n * c);
    // Logits at several scales, up to ±40, where a naive softmax loses precision.
    for (let i = 0; i < n; i++) {
      const scale = [0.1, 1, 5, 40][i % 4];
      for (let k = 0; k < c; k++) z[i * c + k] = scale * gaussian(r);
    }
    const labels = Array.from({ length: n }, () => r.int(c));
    const logits = tf.tensor2d(z, [n, c]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), c).toFloat() as tf.Tensor2D;

    const scores = await upperBoundScores(logits, y).data();
    // d(Σ_i CE_i)/dz has row i equal to the gradient of CE_i alone.
    const grad = tf.grad((zz: tf.Tensor) => tf.sum(perSampleLoss(zz as tf.Tensor2D, y)))(logits);
    const gradNorms = await tf.norm(grad, 'euclidean', 1).data();

    for (let i = 0; i < n; i++) {
      const p = softmax64(z.subarray(i * c, (i + 1) * c));
      let sq = 0;
      for (let k = 0; k < c; k++) sq += (p[k] - (k === labels[i] ? 1 : 0)) ** 2;
      const ref = Math.sqrt(sq);
      // float32: a few ulps of values ≤ √2, plus the rounding of the logits' softmax.
      expect(Math.abs(scores[i] - ref), `seed ${seed}, sample ${i}`).toBeLessThan(1e-6 + 1e-5 * ref);
      expect(Math.abs(scores[i] - gradNorms[i]), `seed ${seed}, sample ${i}`).toBeLessThan(1e-6 + 1e-5 * ref);
    }
    tf.dispose([logits, y, grad]);
  });

  it('per-sample loss matches a float64 cross-entropy and stays finite for huge logits', async () => {
    const logits = tf.tensor2d([[1000, 0, -1000], [0.5, 0.25, -3], [-1000, 1000, 0]]);
    const y = tf.tensor2d([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    const losses = await perSampleLoss(logits, y).data();
    expect(losses[0]).toBeCloseTo(2000, 3);
    const p = softmax64([0.5, 0.25, -3]);
    expect(losses[1]).toBeCloseTo(-Math.log(p[0]), 5);
    expect(losses[2]).toBeCloseTo(0, 6);
    const scores = await upperBoundScores(logits, y).data();
    expect(scores[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(scores[2]).toBeCloseTo(0, 6);
    tf.dispose([logits, y]);
  });
});

describe('gnorm score', () => {
  it('is the exact per-sample gradient norm over all trainable weights', async () => {
    const rng = createRng(7);
    const model = asLogitsModel(tinyMlp(11, 5, 7, 3));
    const { x, y } = randomData(rng, 12, 5, 3);
    const norms = await perSampleGradientNorms(model, x, y).data();
    const grads = await perSampleGradients((xi) => model.logits(xi, false), model.trainableWeights(), x, y);
    grads.forEach((g, i) => {
      const ref = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
      expect(norms[i]).toBeCloseTo(ref, 5);
    });
    tf.dispose([x, y]);
  });
});

describe('scoreBatch', () => {
  it('returns scores and losses from one forward pass with no gradient tape and no leak', async () => {
    const rng = createRng(3);
    const model = asLogitsModel(tinyMlp(1, 4, 6, 3));
    const { x, y } = randomData(rng, 10, 4, 3);
    const before = tf.memory().numTensors;
    const { scores, losses } = scoreBatch(model, x, y, 'upperBound');
    expect(tf.memory().numTensors).toBe(before + 2);
    const lossScores = scoreBatch(model, x, y, 'loss');
    expect(await lossScores.scores.data()).toEqual(await losses.data());
    const direct = tf.tidy(() => upperBoundScores(model.logits(x, false), y));
    expect(await scores.data()).toEqual(await direct.data());
    tf.dispose([scores, losses, lossScores.scores, lossScores.losses, direct]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);

    // The scoring forward pass runs with no gradient tape; inside a gradient function the
    // same wrapper sees the tape on (the control that shows the probe works).
    const tapeOn: boolean[] = [];
    const probe = { ...model, logits: (xx: tf.Tensor, training: boolean) => {
      tapeOn.push(tf.engine().isTapeOn());
      return model.logits(xx, training);
    } };
    const { x: x2, y: y2 } = randomData(rng, 10, 4, 3);
    tf.tidy(() => {
      scoreBatch(probe, x2, y2, 'upperBound');
      scoreBatch(probe, x2, y2, 'loss');
    });
    const taped = tf.variableGrads(() => {
      scoreBatch(probe, x2, y2, 'upperBound');
      return tf.sum(model.logits(x2, true)) as tf.Scalar;
    }, model.trainableWeights());
    tf.dispose([taped.value, ...Object.values(taped.grads), x2, y2]);
    expect(tapeOn).toEqual([false, false, true]);
  });
});

describe('asLogitsModel', () => {
  it('gives the pre-softmax logits of a softmax Dense model (Sequential and functional) without changing it', async () => {
    const rng = createRng(5);
    const { x } = randomData(rng, 8, 4, 3);
    const seq = tinyMlp(21, 4, 6, 3, 'softmax');
    const input = tf.input({ shape: [4] });
    const hidden = tf.layers.dense({ units: 5, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(hidden) as tf.SymbolicTensor;
    const functional = tf.model({ inputs: input, outputs: out });
    const separate = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.softmax()],
    });
    for (const model of [seq, functional, separate]) {
      const before = tf.memory().numTensors;
      const lm = asLogitsModel(model);
      expect(tf.memory().numTensors).toBe(before);
      expect(lm.classes).toBe(3);
      const logits = lm.logits(x, false);
      const probs = model.predict(x) as tf.Tensor;
      const fromLogits = tf.softmax(logits);
      const diff = await take(tf.tidy(() => tf.max(tf.abs(tf.sub(probs, fromLogits)))));
      expect(diff[0]).toBeLessThan(1e-6);
      // Logits, not probabilities: rows do not sum to 1.
      const sums = await take(tf.tidy(() => tf.sum(logits, 1)));
      expect(Array.from(sums).some((s) => Math.abs(s - 1) > 1e-3)).toBe(true);
      // The model itself still outputs softmax and all its weights are trainable variables.
      const stillSoftmax = await take(tf.tidy(() => tf.sum(model.predict(x) as tf.Tensor, 1)));
      stillSoftmax.forEach((s) => expect(s).toBeCloseTo(1, 5));
      expect(lm.trainableWeights()).toEqual(trainableVariables(model));
      tf.dispose([logits, probs, fromLogits]);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose(x);
  });

  it('passes linear outputs through and rejects other last activations with a clear message', () => {
    const linear = tinyMlp(1, 4, 5, 3, 'linear');
    expect(asLogitsModel(linear).classes).toBe(3);
    const sigmoid = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'sigmoid' })] });
    expect(() => asLogitsModel(sigmoid)).toThrow(/activation 'sigmoid'.*'linear'.*'softmax'/);
  });
});
