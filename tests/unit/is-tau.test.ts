import { describe, expect, it } from 'vitest';
import { createRng, TauEstimator, tauFromScores, tauThresholdFor, tauThresholdOf, DEFAULT_SETTINGS } from '../../src/is';
import { gaussian } from './is-helpers';

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
    expect(tauThresholdOf({ ...DEFAULT_SETTINGS, sampler: 'table' })).toBe(1);
  });
});
