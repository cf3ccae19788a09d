// The presample is scored in chunks of at most SCORE_CHUNK samples (docs/method.md §2): the
// same scores as one pass, and the memory of one chunk however large B is.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  SCORE_CHUNK,
  PresampleSampler,
  asLogitsModel,
  createRng,
  scoreBatch,
  scoreRows,
  type LogitsModel,
  type TrainerSettings,
} from '../../../src/is';
import { randomData, softmax64, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const owned: (tf.Tensor | tf.LayersModel)[] = [];
afterEach(() => {
  for (const t of owned.splice(0)) t.dispose();
});

/** A model that records the batch size of each forward pass. */
function passRecorder(inner: LogitsModel): { model: LogitsModel; passes: number[] } {
  const passes: number[] = [];
  const model: LogitsModel = {
    logits(x, training) {
      passes.push(x.shape[0]);
      return inner.logits(x, training);
    },
    trainableWeights: () => inner.trainableWeights(),
    classes: inner.classes,
  };
  return { model, passes };
}

/** The most bytes of tensors alive at once while f runs, above what was alive before; and f's result. */
async function peakAbove<T extends tf.TensorContainer>(f: () => T): Promise<{ bytes: number; result: T }> {
  const before = tf.memory().numBytes;
  let result: T | undefined;
  const info = await tf.profile(() => (result = f()));
  return { bytes: info.peakBytes - before, result: result as T };
}

async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

/** Float64 upper-bound scores ‖softmax(z) − y‖ of the MLP relu(x·W1 + b1)·W2 + b2, from its weights. */
async function upperBound64(model: tf.LayersModel, x: Float32Array, labels: Int32Array, d: number): Promise<Float64Array> {
  const [w1, b1, w2, b2] = await Promise.all(model.getWeights().map((w) => w.data()));
  const hidden = b1.length;
  const classes = b2.length;
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const h = new Float64Array(hidden);
    for (let j = 0; j < hidden; j++) {
      let a = b1[j];
      for (let k = 0; k < d; k++) a += x[i * d + k] * w1[k * hidden + j];
      h[j] = Math.max(0, a);
    }
    const z = new Float64Array(classes);
    for (let c = 0; c < classes; c++) {
      let a = b2[c];
      for (let j = 0; j < hidden; j++) a += h[j] * w2[j * classes + c];
      z[c] = a;
    }
    const p = softmax64(z);
    let sq = 0;
    for (let c = 0; c < classes; c++) sq += (p[c] - (c === labels[i] ? 1 : 0)) ** 2;
    out[i] = Math.sqrt(sq);
  }
  return out;
}

describe('scoring in chunks', () => {
  it('gives the scores and losses of one pass, for every score kind and any chunk size', async () => {
    const d = 12;
    const model = tinyMlp(5, d, 16, 4);
    owned.push(model);
    const { x, y, labels } = randomData(createRng(9), 80, d, 4);
    owned.push(x, y);
    const lm = asLogitsModel(model);
    // Rows in a scrambled order with repeats, as a presample's indices would be.
    const rows = Int32Array.from({ length: 50 }, (_, i) => (i * 37 + 11) % 80);
    const idx = tf.tensor1d(rows, 'int32');
    owned.push(idx);
    const xs = await values(x);
    const ref64 = await upperBound64(model, Float32Array.from(Array.from(rows).flatMap((r) => Array.from(xs.subarray(r * d, (r + 1) * d)))), Int32Array.from(rows, (r) => labels[r]), d);
    for (const kind of ['upperBound', 'loss', 'gnorm'] as const) {
      const whole = tf.tidy(() => scoreBatch(lm, tf.gather(x, idx), tf.gather(y, idx) as tf.Tensor2D, kind));
      const [ws, wl] = [await values(whole.scores), await values(whole.losses)];
      tf.dispose([whole.scores, whole.losses]);
      for (const chunk of [1, 7, 16, 50, 1000]) {
        const before = tf.memory().numTensors;
        const part = scoreRows(lm, x, y, idx, kind, chunk);
        // Only the two results are left: every chunk's inputs, activations and scores were freed.
        expect(tf.memory().numTensors - before).toBe(2);
        const [ps, pl] = [await values(part.scores), await values(part.losses)];
        tf.dispose([part.scores, part.losses]);
        expect(ps.length).toBe(50);
        // The same float32 arithmetic per sample: equal up to rounding of a batched matmul.
        for (let i = 0; i < 50; i++) {
          expect(Math.abs(ps[i] - ws[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ws[i])));
          expect(Math.abs(pl[i] - wl[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(wl[i])));
          // float32 logits of a 12-16-4 MLP against float64: within 1e-5 of a score in [0, √2].
          if (kind === 'upperBound') expect(Math.abs(ps[i] - ref64[i])).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('rejects a chunk size that is not a whole number ≥ 1', () => {
    const model = tinyMlp(5, 4, 4, 2);
    owned.push(model);
    const { x, y } = randomData(createRng(1), 4, 4, 2);
    const idx = tf.tensor1d([0, 1], 'int32');
    owned.push(x, y, idx);
    expect(() => scoreRows(asLogitsModel(model), x, y, idx, 'loss', 0)).toThrow('chunk must be a whole number ≥ 1, got 0');
  });

  it('a presample of B = 16,384 holds the memory of one chunk, not of B samples', async () => {
    const d = 64;
    const n = 20_000;
    const model = tinyMlp(3, d, 128, 4);
    owned.push(model);
    const { x, y } = randomData(createRng(4), n, d, 4);
    owned.push(x, y);
    const lm = asLogitsModel(model);

    // One chunk's cost on this model: the peak of scoring exactly SCORE_CHUNK rows.
    const idx = tf.tensor1d(Int32Array.from({ length: SCORE_CHUNK }, (_, i) => i), 'int32');
    owned.push(idx);
    const one = await peakAbove(() => scoreRows(lm, x, y, idx, 'upperBound'));
    tf.dispose([one.result.scores, one.result.losses]);
    const chunkBytes = one.bytes;
    // Sanity: a chunk holds at least its inputs and hidden activations (64 + 128 floats a sample).
    expect(chunkBytes).toBeGreaterThan(SCORE_CHUNK * (64 + 128) * 4);

    const settings: TrainerSettings = { ...DEFAULT_SETTINGS, batchSize: 512, presampleFactor: 32, score: 'upperBound', smoothing: 0 };
    const B = 512 * 32;
    const recorder = passRecorder(lm);
    const sampler = new PresampleSampler({ n, model: recorder.model, x, y, rng: createRng(8), settings });
    const { bytes: peak, result: draw } = await peakAbove(() => {
      const d = sampler.draw(settings, true);
      return [d.indices, d.weights, d.presampleScores, d.scores].filter((t): t is tf.Tensor1D => t instanceof tf.Tensor);
    });
    expect(draw.map((t) => t.shape[0])).toEqual([512, 512, B]);
    tf.dispose(draw);
    sampler.dispose();
    // The peak: one chunk, plus what the earlier chunks left (a score and a loss per sample,
    // and the concatenation's copy of both: 16 bytes), the presample's indices (4 bytes a
    // sample) and 64 KiB for the small tensors of the draw. Scored in one pass, the presample
    // would hold 16 chunks' worth of inputs and activations, four times this bound and more.
    const bound = chunkBytes + B * (16 + 4) + 64 * 1024;
    expect(peak).toBeLessThanOrEqual(bound);
    expect((B / SCORE_CHUNK) * chunkBytes).toBeGreaterThan(4 * bound);
    // Every forward pass is at most one chunk, and together they cover the presample once.
    expect(Math.max(...recorder.passes)).toBeLessThanOrEqual(SCORE_CHUNK);
    expect(recorder.passes.reduce((a, b) => a + b, 0)).toBe(B);
  });
});
