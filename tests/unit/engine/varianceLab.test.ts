// The variance lab (docs/method.md §8): the closed form of the batch gradient's variance
// against enumeration and a Monte Carlo of the library's own draw, the tfjs measurement
// against a float64 reference on a tiny MLP, what theory orders, and the engine's probes.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceData, type Dataset } from '../../../src/data';
import { VarianceLabMeasurement, VarianceLabProbes, importanceMeanVariance, measureVarianceLab, varianceLabFromMoments, type VarianceLabResult } from '../../../src/engine/core/varianceLab';
import { createRng, deriveSeed, importanceSample, samplingProbabilities, tauForSampling, tauFromScores, uniformIndices, type LogitsModel, type Rng, type ScoreKind } from '../../../src/is';
import { harness, runFor, tinySettings, type Harness } from '../../support/engineHarness';
import { gaussian, softmax64 } from '../../support/isHelpers';

type Vec = Float64Array;

const dot = (a: Vec, b: Vec) => a.reduce((s, v, i) => s + v * b[i], 0);
const meanOf = (gs: Vec[]): Vec => {
  const m = new Float64Array(gs[0].length);
  for (const g of gs) for (let j = 0; j < m.length; j++) m[j] += g[j] / gs.length;
  return m;
};

/** ‖(1/b) Σ_k g_{i_k}/(B·p_{i_k}) − ḡ‖² for one draw. */
function squaredError(gs: Vec[], p: ArrayLike<number>, draw: ArrayLike<number>, mean: Vec): number {
  const B = gs.length;
  const e = Float64Array.from(mean, (v) => -v);
  for (let k = 0; k < draw.length; k++) {
    const i = draw[k];
    for (let j = 0; j < e.length; j++) e[j] += gs[i][j] / (B * p[i]) / draw.length;
  }
  return dot(e, e);
}

function randomGradients(rng: Rng, B: number, dim: number): Vec[] {
  // A shared direction (so ‖ḡ‖² matters) plus heavy-tailed per-sample parts.
  const shared = Float64Array.from({ length: dim }, () => gaussian(rng));
  return Array.from({ length: B }, () => {
    const scale = Math.exp(gaussian(rng));
    return Float64Array.from(shared, (v) => v + scale * gaussian(rng));
  });
}

describe('variance lab: the closed form', () => {
  it('equals the exact expectation over every ordered draw of b samples (enumeration, float64)', () => {
    const rng = createRng(11);
    for (const [B, b] of [[5, 1], [5, 3], [4, 4]] as const) {
      const gs = randomGradients(rng, B, 3);
      const mean = meanOf(gs);
      const p = samplingProbabilities(Array.from({ length: B }, () => 0.05 + rng.next()));
      let expected = 0;
      for (let code = 0; code < B ** b; code++) {
        const draw: number[] = [];
        let prob = 1;
        for (let k = 0, c = code; k < b; k++, c = Math.floor(c / B)) {
          draw.push(c % B);
          prob *= p[c % B];
        }
        expected += prob * squaredError(gs, p, draw, mean);
      }
      const closed = importanceMeanVariance(gs.map((g) => dot(g, g)), dot(mean, mean), p, b);
      expect(closed).toBeGreaterThan(0);
      expect(Math.abs(closed - expected) / expected).toBeLessThan(1e-12);
    }
  });

  it('matches a Monte Carlo of the library’s importanceSample (its positions and weights) within 4 standard errors', () => {
    const rng = createRng(5);
    const B = 24;
    const b = 6;
    const c = 0.3;
    const gs = randomGradients(rng, B, 4);
    const mean = meanOf(gs);
    const scores = gs.map((g) => Math.sqrt(dot(g, g)) * (0.5 + rng.next())); // an imperfect score
    const p = samplingProbabilities(scores, c);
    const draws = 40_000;
    let sum = 0;
    let sumSq = 0;
    let worstWeight = 0;
    for (let d = 0; d < draws; d++) {
      const draw = importanceSample(scores, b, rng, c);
      // The draw's own weights (float32) must be 1/(B·p): the estimator the lab's formula describes.
      for (let k = 0; k < b; k++) worstWeight = Math.max(worstWeight, Math.abs(draw.weights[k] * B * p[draw.positions[k]] - 1));
      const e = squaredError(gs, p, draw.positions, mean);
      sum += e;
      sumSq += e * e;
    }
    expect(worstWeight).toBeLessThan(1e-6);
    const mc = sum / draws;
    const se = Math.sqrt((sumSq / draws - mc * mc) / draws);
    const closed = importanceMeanVariance(gs.map((g) => dot(g, g)), dot(mean, mean), p, b);
    // The mean of 40 000 independent squared errors is normal to a good approximation; 4 SE
    // leaves a false failure with probability below 1e-4 (and the seed is fixed).
    expect(Math.abs(mc - closed)).toBeLessThan(4 * se);
    expect(se / closed).toBeLessThan(0.02); // the check has the power to see a 10 % error
  });

  it('orders the optimum below uniform and below any score; the score itself may lose to uniform', () => {
    const rng = createRng(3);
    let scoreLost = 0;
    for (let trial = 0; trial < 200; trial++) {
      const B = 2 + rng.int(40);
      const gs = randomGradients(rng, B, 1 + rng.int(5));
      const mean = meanOf(gs);
      const scores = Array.from({ length: B }, () => rng.next()); // unrelated to the gradients
      const r = varianceLabFromMoments({ squaredNorms: gs.map((g) => dot(g, g)), meanGradientSquaredNorm: dot(mean, mean), scores }, 1 + rng.int(16), rng.next());
      expect(r.optimalVariance).toBeLessThanOrEqual(r.uniformVariance * (1 + 1e-12));
      expect(r.optimalVariance).toBeLessThanOrEqual(r.scoreVariance * (1 + 1e-12));
      if (r.scoreVariance > r.uniformVariance) scoreLost++;
      expect(r.measuredReduction).toBeCloseTo(r.uniformVariance / r.scoreVariance, 12);
    }
    expect(scoreLost).toBeGreaterThan(0); // no guarantee for an arbitrary score, and the lab shows it
  });

  it('with scores equal to the gradient norms, the score variance is the optimum and τ the reduction when ‖ḡ‖ = 0', () => {
    const rng = createRng(9);
    const gs = randomGradients(rng, 16, 3);
    const mean = meanOf(gs);
    const centred = gs.map((g) => Float64Array.from(g, (v, j) => v - mean[j])); // ‖ḡ‖ = 0
    const sq = centred.map((g) => dot(g, g));
    const r = varianceLabFromMoments({ squaredNorms: sq, meanGradientSquaredNorm: 0, scores: sq.map(Math.sqrt) }, 4, 0);
    expect(r.scoreVariance).toBeCloseTo(r.optimalVariance, 12);
    expect(r.measuredReduction).toBeCloseTo(r.predictedTau ** 2, 9); // docs/method.md §3: τ² = the ratio
  });

  it('names the value to change on bad input', () => {
    expect(() => importanceMeanVariance([1, 2], 0, [0.5], 1)).toThrow(/2 squared norms but 1 probabilities/);
    expect(() => importanceMeanVariance([1], 0, [1], 0)).toThrow(/batchSize 0/);
    expect(() => importanceMeanVariance([1], 0, [0], 1)).toThrow(/sum to 0/);
  });
});

// ---- the tfjs measurement against a float64 reference --------------------------------------

const D = 4; // 2×2×1 images
const H = 5;
const C = 3;

/** A tiny MLP D → H (relu) → C with its weights as plain variables, so the reference can read them. */
function tinyModel(seed: number): { model: LogitsModel; vars: tf.Variable[] } {
  const rng = createRng(seed);
  const v = (shape: number[], scale: number) =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * gaussian(rng)), shape));
  const vars = [v([D, H], 1.2), v([H], 0.3), v([H, C], 1.2), v([C], 0.3)];
  const [w1, b1, w2, b2] = vars;
  return {
    vars,
    model: {
      classes: C,
      logits: (x) => tf.tidy(() => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.reshape(x, [-1, D]), w1), b1)), w2), b2) as tf.Tensor2D),
      trainableWeights: () => vars,
    },
  };
}

function tinyData(seed: number, n: number): Dataset {
  const rng = createRng(seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % C);
  // Class c brightens pixel c: learnable, yet the untrained model errs on many samples.
  const images = Uint8Array.from({ length: n * D }, (_, k) => Math.min(255, Math.floor(rng.next() * 120) + (k % D === labels[Math.floor(k / D)] ? 100 : 0)));
  const split = { count: n, images, labels };
  return {
    name: 'synthetic-shapes',
    title: 'variance lab test data',
    imageShape: [2, 2, 1],
    numClasses: C,
    classNames: ['a', 'b', 'c'],
    train: split,
    test: split,
    description: 'test data',
  };
}

/** Float64 per-sample gradients (w1, b1, w2, b2 flattened) and the scores, by hand. */
function reference(vars: tf.Variable[], data: DeviceData, indices: Int32Array, score: ScoreKind): { gs: Vec[]; scores: number[] } {
  const [w1, b1, w2, b2] = vars.map((t) => Float64Array.from(t.dataSync()));
  const X = data.train.x.dataSync();
  const Y = data.train.y.dataSync();
  const gs: Vec[] = [];
  const scores: number[] = [];
  for (const i of indices) {
    const x = Float64Array.from(X.subarray(i * D, (i + 1) * D));
    const y = Float64Array.from(Y.subarray(i * C, (i + 1) * C));
    const pre = Float64Array.from({ length: H }, (_, h) => b1[h] + x.reduce((s, xv, d) => s + xv * w1[d * H + h], 0));
    const hid = pre.map((v) => Math.max(0, v));
    const z = Float64Array.from({ length: C }, (_, c) => b2[c] + hid.reduce((s, hv, h) => s + hv * w2[h * C + c], 0));
    const q = softmax64(z);
    const r = q.map((v, c) => v - y[c]); // ∂ℓ/∂z
    const dh = Float64Array.from({ length: H }, (_, h) => (pre[h] > 0 ? r.reduce((s, rv, c) => s + rv * w2[h * C + c], 0) : 0));
    const g = new Float64Array(D * H + H + H * C + C);
    let o = 0;
    for (let d = 0; d < D; d++) for (let h = 0; h < H; h++) g[o++] = x[d] * dh[h];
    for (let h = 0; h < H; h++) g[o++] = dh[h];
    for (let h = 0; h < H; h++) for (let c = 0; c < C; c++) g[o++] = hid[h] * r[c];
    for (let c = 0; c < C; c++) g[o++] = r[c];
    gs.push(g);
    const loss = -Math.log(q[y.indexOf(1)]);
    scores.push(score === 'loss' ? loss : score === 'upperBound' ? Math.sqrt(dot(r, r)) : Math.sqrt(dot(g, g)));
  }
  return { gs, scores };
}

describe('variance lab: measured with tfjs on a tiny MLP', () => {
  let owned: { dispose(): void }[] = [];
  afterEach(() => {
    for (const o of owned) o.dispose();
    owned = [];
  });

  const setup = () => {
    const data = new DeviceData(tinyData(21, 90));
    const { model, vars } = tinyModel(4);
    owned.push(data, { dispose: () => tf.dispose(vars) });
    return { data, model, vars };
  };

  for (const [score, smoothing] of [['upperBound', 0], ['loss', 0.5], ['gnorm', 0]] as const) {
    it(`agrees with the float64 reference (score ${score}, smoothing ${smoothing}) and leaves no tensor behind`, async () => {
      const { data, model, vars } = setup();
      const B = 24;
      const b = 5;
      const before = tf.memory().numTensors;
      const got = await measureVarianceLab({ model, data, rng: createRng(77), presampleSize: B, batchSize: b, score, smoothing });
      expect(tf.memory().numTensors).toBe(before);

      const indices = uniformIndices(data.train.count, B, createRng(77)); // the lab's probe
      const { gs, scores } = reference(vars, data, indices, score);
      const mean = meanOf(gs);
      const sq = gs.map((g) => dot(g, g));
      // The fixture must make ‖ḡ‖² matter, else a formula that drops it would pass too.
      expect(dot(mean, mean) / (sq.reduce((a, v) => a + v, 0) / B)).toBeGreaterThan(0.05);
      const want: VarianceLabResult = varianceLabFromMoments({ squaredNorms: sq, meanGradientSquaredNorm: dot(mean, mean), scores }, b, smoothing);
      // Each variance is a difference of two terms at most a few times larger than it, each
      // summed in float32 over ~60 weights × 24 samples: 1e-4 relative is ~100× that rounding.
      for (const key of ['uniformVariance', 'scoreVariance', 'optimalVariance', 'measuredReduction', 'predictedTau'] as const) {
        expect(Math.abs(got[key] - want[key]) / want[key], key).toBeLessThan(1e-4);
      }
      expect(want.uniformVariance / ((sq.reduce((a, v) => a + v, 0) / B) / b)).toBeGreaterThan(0.2); // the "few times" above
      expect(got.predictedTau).toBeCloseTo(tauFromScores(scores, smoothing), 4);
      expect(got.optimalVariance).toBeLessThanOrEqual(got.uniformVariance);
      expect(got.optimalVariance).toBeLessThanOrEqual(got.scoreVariance * (1 + 1e-6));
      expect(got).toMatchObject({ presampleSize: B, batchSize: b });
    });
  }

  it('disposes everything when a pass fails midway, and names a presample that does not fit', async () => {
    const { data, model } = setup();
    let calls = 0;
    const failing: LogitsModel = {
      ...model,
      logits: (x, training) => {
        if (++calls === 4) throw new Error('boom');
        return model.logits(x, training);
      },
    };
    const before = tf.memory().numTensors;
    await expect(measureVarianceLab({ model: failing, data, rng: createRng(1), presampleSize: 8, batchSize: 2, score: 'loss', smoothing: 0 })).rejects.toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
    await expect(measureVarianceLab({ model, data, rng: createRng(1), presampleSize: 91, batchSize: 2, score: 'loss', smoothing: 0 })).rejects.toThrow(/presampleSize 91 .*\[1, 90\]/);
  });
});

describe('variance lab: a probe in pieces (the page runs one piece per turn, so Pause gets in)', () => {
  it('gives the same figures as in one piece, and frees every tensor (also dropped half-way)', async () => {
    const data = new DeviceData(tinyData(31, 90));
    const { model, vars } = tinyModel(6);
    try {
      const options = () => ({ model, data, rng: createRng(5), presampleSize: 24, batchSize: 5, score: 'loss' as const, smoothing: 0.1 });
      const whole = await measureVarianceLab(options());
      const before = tf.memory().numTensors;
      for (const piece of [1, 5, 7, 24]) {
        const m = new VarianceLabMeasurement(options());
        let pieces = 0;
        while (!m.done) {
          m.step(piece);
          pieces++;
        }
        expect(pieces).toBe(Math.ceil(24 / piece));
        expect(await m.result(), `pieces of ${piece}`).toEqual(whole);
      }
      const dropped = new VarianceLabMeasurement(options());
      dropped.step(10);
      dropped.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose(vars);
      data.dispose();
    }
  });
});

describe('variance lab: the importance run\'s own sampler', () => {
  it('takes the score line from the sampler\'s probabilities (a table\'s stale q, its smoothing and floor), not ∝ score', async () => {
    // The engine hands the lab the run's Sampler.samplingProbabilities; before, the lab drew the
    // "∝ score" line with the presample's smoothing whatever the sampler (with the default score
    // table: c = 0 instead of its c = 0.2 and floor ε = 0.1, τ off by ~6 %).
    const data = new DeviceData(tinyData(21, 90));
    const { model, vars } = tinyModel(4);
    try {
      const B = 24;
      const b = 5;
      // A made-up q over the training set, as a table would hold: nothing like ∝ the fresh scores.
      const q = (i: number): number => 0.1 / 90 + 0.9 * ((i % 7) + 1) / 360;
      const seen: Int32Array[] = [];
      const run = {
        step: 10,
        logits: model,
        deviceReads: 0,
        trainer: {
          samplingProbabilities: (idx: Int32Array) => {
            seen.push(idx);
            return Float64Array.from(idx, q);
          },
        },
      };
      const probes = new VarianceLabProbes();
      const settings = { seed: 3, batchSize: b, presampleFactor: B / b, score: 'upperBound' as const, smoothing: 0, varianceLabInterval: 10 };
      const probe = probes.probeAfterBlock(run, 2, settings, data)!;
      probe.measurement.step(Infinity);
      probe.record(await probe.measurement.result());
      const [point] = probes.take(run) ?? [];
      expect(point).toBeDefined();
      const indices = uniformIndices(90, B, createRng(deriveSeed(3, 'engine.varianceLab.10'))); // the probe the lab draws
      expect(Array.from(seen[0])).toEqual(Array.from(indices));
      const { gs, scores } = reference(vars, data, indices, 'upperBound');
      const mean = meanOf(gs);
      const sq = gs.map((g) => dot(g, g));
      const p = Float64Array.from(indices, q);
      const want = importanceMeanVariance(sq, dot(mean, mean), p, b);
      expect(Math.abs(point.scoreVariance - want) / want).toBeLessThan(1e-4);
      expect(point.predictedTau).toBeCloseTo(tauForSampling(scores, p), 4);
      // ∝ score would have given another line.
      const proportional = importanceMeanVariance(sq, dot(mean, mean), samplingProbabilities(scores), b);
      expect(Math.abs(proportional - want) / want).toBeGreaterThan(0.05);
    } finally {
      data.dispose();
      tf.dispose(vars);
    }
  });
});

// ---- the engine's probes -------------------------------------------------------------------

describe('variance lab in the engine (CPU backend)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.engine.dispose();
    h = null;
  });

  const labPoints = (hh: Harness, run: 'importance' | 'uniform') => hh.of('metrics').flatMap((m) => m.runs[run]?.varianceLab ?? []);

  it('probes the importance run at each multiple of varianceLabInterval, never the uniform run', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ varianceLabInterval: 5, blockSteps: 3 }) });
    await runFor(h, 16);
    const step = h.status().runs.importance!.step;
    const points = labPoints(h, 'importance');
    // Blocks of 3 cross 5, 10, 15 inside a block: the probe follows the block that crossed.
    expect(points.length).toBe(Math.floor(step / 5));
    for (const [k, p] of points.entries()) {
      expect(p.step).toBeGreaterThanOrEqual(5 * (k + 1));
      expect(p.step).toBeLessThan(5 * (k + 1) + 3);
      for (const v of [p.uniformVariance, p.scoreVariance, p.optimalVariance, p.predictedTau, p.measuredReduction]) expect(Number.isFinite(v)).toBe(true);
      expect(p.optimalVariance).toBeLessThanOrEqual(p.uniformVariance);
      expect(p.optimalVariance).toBeLessThanOrEqual(p.scoreVariance * (1 + 1e-6));
      expect(p.predictedTau).toBeGreaterThanOrEqual(1);
      expect(p).toMatchObject({ presampleSize: 24, batchSize: 8 });
    }
    expect(labPoints(h, 'uniform')).toEqual([]);
  });

  it('is off at 0, and switching it on is live', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ varianceLabInterval: 0 }) });
    await runFor(h, 10);
    expect(labPoints(h, 'importance')).toEqual([]);
    await h.engine.handle({ type: 'update', change: { varianceLabInterval: 2 } });
    expect(h.of('error')).toEqual([]);
    await runFor(h, h.status().runs.importance!.step + 6);
    expect(labPoints(h, 'importance').length).toBeGreaterThan(0);
  });
});
