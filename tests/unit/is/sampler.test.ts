import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asLogitsModel,
  createRng,
  drawWithReplacement,
  importanceSample,
  samplingProbabilities,
  scoreBatch,
  uniformIndices,
} from '../../../src/is';
import { perSampleGradients, randomData, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sampling probabilities and draws', () => {
  it('p ∝ s + c·mean(s), uniform when every score is zero, an error for NaN', () => {
    const p = samplingProbabilities([1, 3, 0, 4]);
    expect(Array.from(p)).toEqual([0.125, 0.375, 0, 0.5]);
    const smoothed = samplingProbabilities([1, 3, 0, 4], 1); // mean 2: ∝ 3, 5, 2, 6
    [3, 5, 2, 6].forEach((v, i) => expect(smoothed[i]).toBeCloseTo(v / 16, 15));
    expect(Array.from(samplingProbabilities([0, 0, 0, 0]))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(() => samplingProbabilities([1, NaN])).toThrow(/score 1 is NaN.*learningRate/);
  });

  it('draws with replacement at the right frequencies and never draws p = 0', () => {
    const rng = createRng(99);
    const p = samplingProbabilities([5, 0, 1, 2, 0.5, 0, 3, 8, 0.25, 1]);
    const draws = 200_000;
    const counts = new Float64Array(p.length);
    const out = drawWithReplacement(p, draws, rng);
    for (const i of out) counts[i]++;
    let chi2 = 0;
    let dof = -1;
    p.forEach((pi, i) => {
      if (pi === 0) expect(counts[i]).toBe(0);
      else {
        chi2 += (counts[i] - draws * pi) ** 2 / (draws * pi);
        dof++;
      }
    });
    // 7 degrees of freedom: P(χ² > 40) ≈ 1.2e-6.
    expect(dof).toBe(7);
    expect(chi2).toBeLessThan(40);
  });

  it('uniformIndices draws k distinct indices, each index equally often', () => {
    const rng = createRng(1);
    const n = 20;
    const counts = new Float64Array(n);
    const trials = 20_000;
    for (let t = 0; t < trials; t++) {
      const idx = uniformIndices(n, 7, rng);
      expect(new Set(idx).size).toBe(7);
      for (const i of idx) counts[i]++;
    }
    const expected = (trials * 7) / n;
    // Counts are dependent within a draw, so use a loose χ²-style bound on each.
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(6 * Math.sqrt(expected));
    expect(() => uniformIndices(5, 6, rng)).toThrow(/cannot draw 6 distinct indices from 5/);
  });

  it('the same seed gives the same draws', () => {
    const p = samplingProbabilities([1, 2, 3, 4, 5]);
    const a = importanceSample(p, 50, createRng(42));
    const b = importanceSample(p, 50, createRng(42));
    expect(a.positions).toEqual(b.positions);
    expect(a.weights).toEqual(b.weights);
  });
});

describe('importance-sampled gradients (presample of a small model)', () => {
  const B = 32;
  const b = 8;
  const trials = 4000;
  let grads: Float64Array[] = [];
  let upperBound: Float32Array;
  let gnorm: Float32Array;
  let mean: Float64Array;
  let dim = 0;

  beforeAll(async () => {
    const rng = createRng(12);
    const model = asLogitsModel(tinyMlp(5, 5, 4, 3));
    const { x, y } = randomData(rng, B, 5, 3);
    grads = await perSampleGradients((xi) => model.logits(xi, false), model.trainableWeights(), x, y);
    dim = grads[0].length;
    mean = new Float64Array(dim);
    for (const g of grads) for (let j = 0; j < dim; j++) mean[j] += g[j] / B;
    const ub = scoreBatch(model, x, y, 'upperBound');
    const gn = scoreBatch(model, x, y, 'gnorm');
    upperBound = (await ub.scores.data()) as Float32Array;
    gnorm = (await gn.scores.data()) as Float32Array;
    tf.dispose([x, y, ub.scores, ub.losses, gn.scores, gn.losses]);
  });
  afterAll(() => {
    grads = [];
  });

  /** Mean and per-coordinate variance, over `trials` batches, of (1/b) Σ w_k g_k (float64). */
  function estimate(scores: ArrayLike<number>, seed: number, opts: { smoothing?: number; unweighted?: boolean } = {}) {
    const rng = createRng(seed);
    const sum = new Float64Array(dim);
    const sumSq = new Float64Array(dim);
    let traceVar = 0;
    const est = new Float64Array(dim);
    for (let t = 0; t < trials; t++) {
      const draw = importanceSample(scores, b, rng, opts.smoothing ?? 0);
      est.fill(0);
      for (let k = 0; k < b; k++) {
        const w = opts.unweighted ? 1 : draw.weights[k];
        const g = grads[draw.positions[k]];
        for (let j = 0; j < dim; j++) est[j] += (w * g[j]) / b;
      }
      for (let j = 0; j < dim; j++) {
        sum[j] += est[j];
        sumSq[j] += est[j] * est[j];
        traceVar += (est[j] - mean[j]) ** 2;
      }
    }
    const m = sum.map((s) => s / trials);
    const v = sumSq.map((s, j) => s / trials - m[j] * m[j]);
    return { mean: m, variance: v, traceVar: traceVar / trials };
  }

  /** Largest |z| over coordinates of the test "estimator mean = presample mean gradient". */
  function maxZ(e: { mean: Float64Array; variance: Float64Array }): number {
    let worst = 0;
    for (let j = 0; j < dim; j++) {
      const se = Math.sqrt(Math.max(e.variance[j], 0) / trials);
      const diff = Math.abs(e.mean[j] - mean[j]);
      // A coordinate no sample moves (e.g. a dead ReLU) has zero variance: it must match exactly.
      if (se < 1e-12) expect(diff).toBeLessThan(1e-9);
      else worst = Math.max(worst, diff / se);
    }
    return worst;
  }

  // Justification of the bound. Each batch estimate is a bounded random vector (every p_i > 0),
  // so by the CLT each coordinate's mean over 4000 independent batches is ≈ normal with the
  // standard error estimated by std/√4000. Under unbiasedness z_j ~ N(0, 1); P(|z_j| > 5)
  // ≈ 5.7e-7, and with Bonferroni over the model's `dim` = 39 coordinates the chance that
  // any one exceeds 5 is below 39 · 5.7e-7 ≈ 2.2e-5. The draws are seeded, so the test is
  // deterministic; the bound says a correct sampler fails it for almost no seed. The
  // unweighted control shows the test has the power to detect a biased estimator.
  const Z = 5;

  it('the weighted batch gradient is unbiased for the presample mean (upper-bound scores, with and without smoothing)', () => {
    expect(dim).toBe(39);
    expect(maxZ(estimate(upperBound, 1))).toBeLessThan(Z);
    expect(maxZ(estimate(upperBound, 2, { smoothing: 0.5 }))).toBeLessThan(Z);
    expect(maxZ(estimate(upperBound, 3, { unweighted: true }))).toBeGreaterThan(Z);
  });

  it('p ∝ exact gradient norms gives a lower variance than uniform sampling, as predicted', () => {
    const norms = grads.map((g) => Math.sqrt(g.reduce((a, v) => a + v * v, 0)));
    norms.forEach((n, i) => expect(gnorm[i]).toBeCloseTo(n, 5));
    const uniform = estimate(new Float64Array(B).fill(1), 4);
    const importance = estimate(gnorm, 5);
    // Exact Tr Var of (1/b) Σ g_I/(B p_I): (1/b)(Σ ‖g_i‖²/(B² p_i) − ‖ḡ‖²).
    const meanSq = mean.reduce((a, v) => a + v * v, 0);
    const sumN = norms.reduce((a, v) => a + v, 0);
    const exactUniform = (norms.reduce((a, n) => a + n * n, 0) / B - meanSq) / b;
    const exactImportance = ((sumN * sumN) / (B * B) - meanSq) / b;
    expect(uniform.traceVar).toBeGreaterThan(0.9 * exactUniform);
    expect(uniform.traceVar).toBeLessThan(1.1 * exactUniform);
    expect(importance.traceVar).toBeGreaterThan(0.9 * exactImportance);
    expect(importance.traceVar).toBeLessThan(1.1 * exactImportance);
    expect(exactImportance).toBeLessThan(0.9 * exactUniform);
    expect(importance.traceVar).toBeLessThan(uniform.traceVar);
    expect(maxZ(importance)).toBeLessThan(Z);
  });
});
