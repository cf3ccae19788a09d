import { describe, expect, it } from 'vitest';
import { createRng, TauEstimator, tauFromScores, tauThresholdFor, tauThresholdOf, DEFAULT_SETTINGS } from '../../../src/is';
import { importanceSample, samplingProbabilities } from '../../../src/is/sampler';
import { TABLE_TAU_THRESHOLD, tauForSampling } from '../../../src/is/tau';
import { gaussian } from '../../support/isHelpers';

/** τ straight from its definition, float64: g = s/Σs, u = 1/B, τ = 1/sqrt(1 − ‖g−u‖²/‖g‖²). */
function tauByDefinition(s: number[]): number {
  const sum = s.reduce((a, v) => a + v, 0);
  const g = s.map((v) => v / sum);
  const u = 1 / s.length;
  const gu = g.reduce((a, v) => a + (v - u) ** 2, 0);
  const gg = g.reduce((a, v) => a + v * v, 0);
  return 1 / Math.sqrt(1 - gu / gg);
}

describe('τ (paper Eq. 26-27)', () => {
  it('matches the variance reduction computed from its definition on random gradient sets', () => {
    const rng = createRng(2024);
    for (let trial = 0; trial < 200; trial++) {
      const B = 2 + rng.int(200);
      const dim = 1 + rng.int(6);
      // Per-sample "gradients" with heavy-tailed norms; their norms are the scores.
      const grads = Array.from({ length: B }, () => {
        const scale = Math.exp(2 * gaussian(rng));
        return Array.from({ length: dim }, () => scale * gaussian(rng));
      });
      const norms = grads.map((g) => Math.hypot(...g));
      const sumNorm = norms.reduce((a, v) => a + v, 0);
      // Second moment of the one-draw estimator g_I / (B·p_I) of the mean gradient:
      // E‖ĝ‖² = Σ_i p_i ‖g_i‖² / (B p_i)², under uniform p = 1/B and under p ∝ ‖g_i‖.
      let uniform = 0;
      let importance = 0;
      for (let i = 0; i < B; i++) {
        const sq = norms[i] ** 2;
        uniform += (1 / B) * sq / (B * (1 / B)) ** 2;
        const p = norms[i] / sumNorm;
        importance += p * sq / (B * p) ** 2;
      }
      // The paper's τ² is the ratio of these second moments (Eq. 26 divided by Tr V_u ≈ E_u‖ĝ‖²).
      const reduction = Math.sqrt(uniform / importance);
      const tau = tauFromScores(norms);
      expect(tau).toBeCloseTo(reduction, 9);
      expect(tau).toBeCloseTo(tauByDefinition(norms), 9);
      expect(tau).toBeGreaterThanOrEqual(1);
      expect(tauFromScores(Float32Array.from(norms))).toBeCloseTo(tau, 4);
    }
  });

  it('is 1 for equal scores and for all-zero scores (zero-sum guard), sqrt(B/k) for k equal non-zero ones', () => {
    expect(tauFromScores([0.3, 0.3, 0.3, 0.3])).toBe(1);
    expect(tauFromScores(new Float32Array(64).fill(1e-30))).toBeCloseTo(1, 12);
    expect(tauFromScores([0, 0, 0])).toBe(1);
    expect(tauFromScores([])).toBe(1);
    expect(tauFromScores([0, 0, 2, 0, 0, 0, 2, 0])).toBeCloseTo(2, 12);
    expect(tauFromScores([0, 0, 0, 5])).toBeCloseTo(2, 12);
    expect(Number.isFinite(tauFromScores([0, 1e300, 1e300]))).toBe(true);
  });

  it('EMA starts at 0 with momentum 0.9', () => {
    const ema = new TauEstimator(0.9);
    expect(ema.smoothed).toBe(0);
    expect(ema.update(2)).toBeCloseTo(0.2, 12);
    expect(ema.update(2)).toBeCloseTo(0.38, 12);
    for (let i = 0; i < 300; i++) ema.update(3);
    expect(ema.smoothed).toBeCloseTo(3, 9);
  });

  it('threshold τ_th = (B + 3b)/(3b) by default, the set value otherwise, 1 for the score table', () => {
    expect(tauThresholdFor(96, 32)).toBeCloseTo(2, 12);
    expect(tauThresholdFor(640, 128)).toBeCloseTo(1 + 5 / 3, 12);
    expect(tauThresholdOf({ ...DEFAULT_SETTINGS, batchSize: 32, presampleFactor: 3 })).toBeCloseTo(2, 12);
    expect(tauThresholdOf({ ...DEFAULT_SETTINGS, batchSize: 10, presampleFactor: 5 })).toBeCloseTo(80 / 30, 12);
    expect(tauThresholdOf({ ...DEFAULT_SETTINGS, tauThreshold: 1.7 })).toBe(1.7);
    expect(tauThresholdOf({ ...DEFAULT_SETTINGS, sampler: 'table' })).toBe(TABLE_TAU_THRESHOLD);
  });
});

describe('τ of the distribution actually sampled (smoothing c, any q)', () => {
  /** Closed form, float64, from the definition: M_u = (1/B) Σ s², M_q = (1/B²) Σ s²/q, τ = sqrt(M_u/M_q). */
  function reductionFor(s: ArrayLike<number>, q: ArrayLike<number>): number {
    const B = s.length;
    let mu = 0;
    let mq = 0;
    for (let i = 0; i < B; i++) {
      mu += (s[i] * s[i]) / B;
      if (s[i] > 0) mq += (s[i] * s[i]) / q[i] / (B * B);
    }
    return Math.sqrt(mu / mq);
  }

  it('with c = 0 it is today\'s τ, bit for bit', () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 50; trial++) {
      const s = Array.from({ length: 1 + rng.int(100) }, () => (rng.next() < 0.2 ? 0 : Math.exp(2 * gaussian(rng))));
      const old = (() => {
        let sum = 0;
        let sq = 0;
        for (const v of s) {
          sum += v;
          sq += v * v;
        }
        return sum > 0 ? Math.max(1, Math.sqrt(s.length * sq) / sum) : 1;
      })();
      expect(tauFromScores(s, 0)).toBe(old);
      expect(tauFromScores(s)).toBe(old);
    }
  });

  it('is the achieved reduction for the smoothed q: √2 = 1.41, not the raw 2, for one non-zero score of 4 at c = 2', () => {
    // q = (s + c·s̄) / Σ(s + c·s̄) = [1/2, 1/6, 1/6, 1/6]; M_u = 1/4, M_q = (1/16)·(1/(1/2)) = 1/8.
    expect(tauFromScores([1, 0, 0, 0])).toBeCloseTo(2, 14);
    expect(tauFromScores([1, 0, 0, 0], 2)).toBeCloseTo(Math.SQRT2, 14);
    // Three equal scores of 8: raw sqrt(8/3) = 1.63, achieved at c = 2 sqrt(14/9) = 1.25.
    expect(tauFromScores([1, 1, 1, 0, 0, 0, 0, 0])).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(tauFromScores([1, 1, 1, 0, 0, 0, 0, 0], 2)).toBeCloseTo(Math.sqrt(14 / 9), 14);
  });

  it('matches the closed-form reduction of samplingProbabilities(s, c), for random heavy-tailed scores', () => {
    const rng = createRng(6);
    for (let trial = 0; trial < 200; trial++) {
      const B = 2 + rng.int(300);
      const c = [0, 0.05, 0.2, 1, 2, 10][trial % 6];
      const s = Float64Array.from({ length: B }, () => (rng.next() < 0.1 ? 0 : Math.exp(2 * gaussian(rng))));
      const q = samplingProbabilities(s, c);
      const exact = reductionFor(s, q);
      if (!Number.isFinite(exact)) continue; // all-zero draw
      expect(tauFromScores(s, c)).toBeCloseTo(exact, 10);
      expect(tauForSampling(s, q)).toBeCloseTo(exact, 10);
      expect(tauFromScores(s, c)).toBeLessThanOrEqual(tauFromScores(s) * (1 + 1e-12)); // smoothing never gains
      expect(tauFromScores(s, c)).toBeGreaterThanOrEqual(1);
    }
    // Scale-free and overflow-safe.
    expect(tauFromScores([3e300, 1e300, 0], 0.5)).toBeCloseTo(tauFromScores([3, 1, 0], 0.5), 12);
    expect(tauFromScores([0, 0, 0], 2)).toBe(1);
    expect(() => tauFromScores([1, 2], -1)).toThrow(/smoothing -1 must be a finite number ≥ 0/);
  });

  it('agrees with a Monte-Carlo of the weighted one-draw estimator under importanceSample (c = 2)', () => {
    // One-draw estimate of the mean of "gradients" g_i = s_i: w·g = s_I/(B·q_I). Its second
    // moment under the sampler against (1/B)Σ s² for a uniform draw gives τ². 400,000 draws;
    // the second moment's standard error is estimated from the draws and the check is |z| < 4.
    const rng = createRng(7);
    const B = 64;
    const s = Float64Array.from({ length: B }, (_, i) => (i < 8 ? 1 + rng.next() : 0.02 * rng.next()));
    const c = 2;
    const draws = 400_000;
    const d = importanceSample(s, draws, rng, c);
    let m1 = 0;
    let m2 = 0;
    for (let k = 0; k < draws; k++) {
      const x = (s[d.positions[k]] * d.weights[k]) ** 2; // (w·s)², w = 1/(B q) in float32
      m1 += x;
      m2 += x * x;
    }
    m1 /= draws;
    const se = Math.sqrt((m2 / draws - m1 * m1) / draws);
    const mu = s.reduce((a, v) => a + v * v, 0) / B;
    const q = samplingProbabilities(s, c);
    const mq = s.reduce((a, v, i) => a + (v * v) / q[i], 0) / (B * B);
    // float32 weights: relative error ≤ 2^-24 each, 2·2^-24 on the square: far below se.
    expect(Math.abs(m1 - mq) / se).toBeLessThan(4);
    const tauMc = Math.sqrt(mu / m1);
    expect(tauMc).toBeCloseTo(tauFromScores(s, c), 2);
    // The raw τ overstates what this draw achieves, by far more than the Monte-Carlo error.
    expect(tauFromScores(s) / tauMc).toBeGreaterThan(1.3);
  });

  it('tauForSampling: 1 for uniform q, below 1 for a q that underrates the large scores, an error for q = 0 under a non-zero score', () => {
    const s = [4, 1, 1, 1, 1, 0];
    expect(tauForSampling(s, new Array(6).fill(1 / 6))).toBeCloseTo(1, 14);
    expect(tauForSampling(s, [1, 1, 1, 1, 1, 1])).toBeCloseTo(1, 14); // normalised inside
    const wrong = [0.05, 0.2, 0.2, 0.2, 0.2, 0.15];
    expect(tauForSampling(s, wrong)).toBeCloseTo(reductionFor(s, wrong), 12);
    expect(tauForSampling(s, wrong)).toBeLessThan(0.75);
    expect(tauForSampling(s, [0.5, 0.1, 0.1, 0.1, 0.2, 0])).toBeGreaterThan(1); // q = 0 where s = 0 is fine
    expect(() => tauForSampling(s, [0, 0.2, 0.2, 0.2, 0.2, 0.2])).toThrow(/sample 0 has score 4 but probability 0/);
    expect(() => tauForSampling(s, [1, 1])).toThrow(/6 scores but 2 probabilities/);
    expect(tauForSampling([0, 0], [0.5, 0.5])).toBe(1);
  });
});
