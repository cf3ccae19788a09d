// The test set's confusion counts (src/engine/core/evaluate.ts): counted on the device in chunks,
// read back in the same single read as the losses, equal to a float64 count in plain JS.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PiecewiseEvaluation, evaluate, evaluateSets, type EvalSet } from '../../../src/engine/core/evaluate';
import { createRng } from '../../../src/is';
import { harness, runFor, tinySettings, type Harness } from '../../support/engineHarness';
import { gaussian } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let engine: Harness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await engine?.engine.dispose();
  engine = null;
});

/** A linear logits model z = x·W + b with float32 weights drawn from `seed`, and its float64 twin. */
function linearModel(seed: number, d: number, k: number) {
  const rng = createRng(seed);
  const w = Float32Array.from({ length: d * k }, () => gaussian(rng));
  const b = Float32Array.from({ length: k }, () => 0.3 * gaussian(rng));
  const W = tf.tensor2d(w, [d, k]);
  const B = tf.tensor1d(b);
  const logitsOf = (x: tf.Tensor): tf.Tensor2D => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], d]), W), B));
  /** Logits of one sample in float64, from the same float32 inputs and weights. */
  const logits64 = (xs: Float32Array, i: number): Float64Array => {
    const z = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = b[c];
      for (let j = 0; j < d; j++) s += xs[i * d + j] * w[j * k + c];
      z[c] = s;
    }
    return z;
  };
  return { logitsOf, logits64, dispose: () => tf.dispose([W, B]) };
}

/** n samples of d features as an EvalSet ([n, d, 1, 1]); `labelOf` picks each label. */
function dataset(seed: number, n: number, d: number, k: number, labelOf: (i: number, xs: Float32Array, rng: () => number) => number) {
  const rng = createRng(seed);
  const xs = Float32Array.from({ length: n * d }, () => gaussian(rng));
  const labels = Array.from({ length: n }, (_, i) => labelOf(i, xs, () => rng.next()));
  const set: EvalSet = {
    x: tf.tensor4d(xs, [n, d, 1, 1]),
    y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), k), 'float32') as tf.Tensor2D),
    count: n,
  };
  return { set, xs, labels, dispose: () => tf.dispose([set.x, set.y]) };
}

function argmax(z: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < z.length; c++) if (z[c] > z[best]) best = c;
  return best;
}

/** Smallest gap between the largest and second-largest logit (argmax in float32 and float64 agree above it). */
function topGap(z: ArrayLike<number>): number {
  const sorted = Array.from(z).sort((a, b) => b - a);
  return sorted[0] - sorted[1];
}

describe('test-set confusion counts', () => {
  it('equal a float64 count from the logits, over chunks that do not divide the set', async () => {
    const d = 6;
    const k = 4;
    const n = 203;
    const model = linearModel(11, d, k);
    // Labels: the model's own prediction for about 60 % of the samples, a random class for the rest,
    // so that the diagonal and the off-diagonal cells are both well filled.
    const test = dataset(12, n, d, k, (i, xs, r) => (r() < 0.6 ? argmax(model.logits64(xs, i)) : Math.floor(r() * k)));
    const train = dataset(13, 57, d, k, (_i, _xs, r) => Math.floor(r() * k));

    const expected = new Array<number>(k * k).fill(0);
    let minGap = Infinity;
    let lossSum = 0;
    for (let i = 0; i < n; i++) {
      const z = model.logits64(test.xs, i);
      expected[test.labels[i] * k + argmax(z)]++;
      minGap = Math.min(minGap, topGap(z));
      const max = Math.max(...z);
      lossSum += max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) - z[test.labels[i]];
    }
    // The reference argmax is the device's only if no sample sits on a near-tie.
    expect(minGap).toBeGreaterThan(1e-4);

    const before = tf.memory().numTensors;
    const r = await evaluate(model.logitsOf, train.set, test.set, 50);
    expect(tf.memory().numTensors).toBe(before);

    expect(r.testConfusion).toEqual(expected);
    // Row sums are the per-class counts of the test labels.
    for (let t = 0; t < k; t++) {
      const rowSum = r.testConfusion.slice(t * k, (t + 1) * k).reduce((a, b) => a + b, 0);
      expect(rowSum).toBe(test.labels.filter((l) => l === t).length);
    }
    // trace / N is the test accuracy the same pass reports.
    let trace = 0;
    for (let t = 0; t < k; t++) trace += r.testConfusion[t * k + t];
    expect(trace / n).toBeCloseTo(r.testAccuracy, 12);
    expect(trace).toBeGreaterThan(0);
    expect(trace).toBeLessThan(n);
    expect(r.testLoss).toBeCloseTo(lossSum / n, 5);

    model.dispose();
    test.dispose();
    train.dispose();
  });

  it('come back in the one device read of the evaluation', async () => {
    const model = linearModel(21, 5, 3);
    const test = dataset(22, 40, 5, 3, (_i, _xs, r) => Math.floor(r() * 3));
    const train = dataset(23, 40, 5, 3, (_i, _xs, r) => Math.floor(r() * 3));
    const proto = tf.Tensor.prototype;
    const reads = [vi.spyOn(proto, 'data'), vi.spyOn(proto, 'dataSync'), vi.spyOn(proto, 'array'), vi.spyOn(proto, 'arraySync')];
    const r = await evaluate(model.logitsOf, train.set, test.set, 16);
    expect(reads.map((s) => s.mock.calls.length)).toEqual([1, 0, 0, 0]);
    expect(r.testConfusion).toHaveLength(9);
    expect(r.testConfusion.reduce((a, b) => a + b, 0)).toBe(40);
    model.dispose();
    test.dispose();
    train.dispose();
  });

  it('are counted only where asked: the train set and plain evaluateSets calls get none', async () => {
    const model = linearModel(31, 5, 3);
    const a = dataset(32, 30, 5, 3, (_i, _xs, r) => Math.floor(r() * 3));
    const b = dataset(33, 20, 5, 3, (_i, _xs, r) => Math.floor(r() * 3));
    const before = tf.memory().numTensors;
    const plain = await evaluateSets(model.logitsOf, [a.set, b.set]);
    expect(plain.every((s) => s.confusion === undefined)).toBe(true);
    const second = await evaluateSets(model.logitsOf, [a.set, b.set], 7, [false, true]);
    expect(second[0].confusion).toBeUndefined();
    expect(second[1].confusion?.reduce((x, y) => x + y, 0)).toBe(20);
    // The confusion does not shift the losses and accuracies packed before it.
    expect(second.map((s) => [s.loss, s.accuracy])).toEqual(plain.map((s) => [s.loss, s.accuracy]).map(([l, acc]) => [expect.closeTo(l, 5), acc]));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    a.dispose();
    b.dispose();
  });
});

describe('an evaluation in pieces (the page runs one piece per turn, so Pause gets in)', () => {
  it('gives the same floats as in one piece, whatever the pieces, and frees every tensor (also dropped half-way)', async () => {
    const d = 6;
    const k = 4;
    const model = linearModel(21, d, k);
    const test = dataset(22, 203, d, k, (_i, _xs, r) => Math.floor(r() * k));
    const train = dataset(23, 57, d, k, (_i, _xs, r) => Math.floor(r() * k));
    const empty = dataset(24, 0, d, k, () => 0);
    const sets = [train.set, empty.set, test.set];
    const confusion = [false, false, true];
    const whole = await evaluateSets(model.logitsOf, sets, 50, confusion);
    // The float64 loss of the test set, as the one-piece evaluation is checked above.
    let lossSum = 0;
    for (let i = 0; i < 203; i++) {
      const z = model.logits64(test.xs, i);
      const max = Math.max(...z);
      lossSum += max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0)) - z[test.labels[i]];
    }
    expect(whole[2].loss).toBeCloseTo(lossSum / 203, 5);
    const before = tf.memory().numTensors;
    // Pieces smaller than a chunk, across chunk and set boundaries, a chunk exactly, and ragged.
    for (const sizes of [[1], [7], [49, 1, 50], [50], [13, 200, 3], [1000]]) {
      const ev = new PiecewiseEvaluation(model.logitsOf, sets, 50, confusion);
      let pieces = 0;
      while (!ev.done) ev.step(sizes[pieces++ % sizes.length]);
      const got = await ev.result();
      ev.dispose();
      expect(got, `pieces of ${sizes.join(', ')}`).toEqual(whole);
      // A piece runs on across set boundaries: 260 samples in all.
      if (sizes.length === 1) expect(pieces).toBe(Math.ceil(260 / sizes[0]));
    }
    const dropped = new PiecewiseEvaluation(model.logitsOf, sets, 50, confusion);
    dropped.step(75); // half a chunk of the test set is held
    dropped.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(dropped.result()).rejects.toThrow(/before its last piece|read twice/);
    model.dispose();
    test.dispose();
    train.dispose();
    empty.dispose();
  });
});

describe('the engine\'s evaluation points', () => {
  it('carry the test confusion counts of each run', async () => {
    engine = harness();
    await engine.engine.handle({ type: 'init', settings: tinySettings() });
    await runFor(engine, 12);
    const testCount = engine.status().dataset!.testEvalCount!;
    expect(testCount).toBe(120);
    for (const run of ['importance', 'uniform'] as const) {
      const evals = engine.evals(run);
      expect(evals.length).toBeGreaterThan(0);
      for (const e of evals) {
        // 4 classes of the tiny set, 30 test samples each (sample i has class i mod 4).
        const m = e.testConfusion!;
        expect(m).toHaveLength(16);
        for (let t = 0; t < 4; t++) expect(m.slice(4 * t, 4 * t + 4).reduce((a, b) => a + b, 0)).toBe(testCount / 4);
        expect((m[0] + m[5] + m[10] + m[15]) / testCount).toBeCloseTo(e.testAccuracy, 6);
      }
    }
  });
});
