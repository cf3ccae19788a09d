// τ for the score table (docs/method.md §5): measured on the trained batches' fresh scores
// against the table's q, so that Algorithm 1 switches the table off where its stale scores no
// longer pay, and the table's τ_th.
import { describe, expect, it } from 'vitest';
import { conditionFor } from '../../../src/is/condition';
import { importanceWeights } from '../../../src/is/reweighting';
import { createRng } from '../../../src/is/rng';
import { uniformIndices } from '../../../src/is/sampler';
import { ScoreTable } from '../../../src/is/samplers/table/scoreTable';
import { BatchTauMeter, TABLE_TAU_THRESHOLD, TauEstimator, poolMomentum, tauForSampling, tauOfBatch } from '../../../src/is/tau';
import type { Rng } from '../../../src/is/types';

const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/**
 * The τ the table's own scores predict: τ_q of sampling by its q were its stored scores the
 * current gradient norms (tauForSampling over the whole set, float64). What a table could
 * forecast from stale scores, and the reason τ is measured on the trained batches instead.
 */
function forecastTau(table: ScoreTable): number {
  const all = range(table.size);
  return tauForSampling(Float64Array.from(all, (i) => table.score(i)), Float64Array.from(all, (i) => table.probability(i)));
}

/** Index drawn from q by inverse CDF (a reference sampler independent of the table). */
function drawer(q: Float64Array): (rng: Rng) => number {
  const cdf = new Float64Array(q.length);
  let acc = 0;
  for (let i = 0; i < q.length; i++) cdf[i] = acc += q[i];
  return (rng) => {
    const u = rng.next() * acc;
    let lo = 0;
    let hi = q.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

describe('BatchTauMeter: τ_q measured on batches', () => {
  // Fresh scores s (heavy-tailed: 10% hard) and a q that is either right (∝ s, with a floor)
  // or stale (built from other scores). Exact τ_q = tauForSampling(s, q).
  const n = 5000;
  const rng0 = createRng(1);
  const s = Float64Array.from({ length: n }, () => (rng0.next() < 0.1 ? 0.3 + rng0.next() : 0.002 * Math.exp(3 * rng0.next())));
  const stale = Float64Array.from({ length: n }, () => (rng0.next() < 0.1 ? 0.3 + rng0.next() : 0.002 * Math.exp(3 * rng0.next())));
  const mix = (e: Float64Array, eps: number): Float64Array => {
    const sum = e.reduce((a, x) => a + x, 0);
    return e.map((x) => (1 - eps) * (x / sum) + eps / n);
  };

  it('is consistent for any draw distribution r: one large batch gives τ_q within its standard error', () => {
    // The ratio R = Σ w s² / Σ w v s² of a batch of b draws estimates τ_q²; by the delta method
    // its standard error is sd(a − R·c)/(√b·mean(c)) with a = w s², c = w v s². |z| < 4.
    for (const [name, q] of [
      ['fresh q', mix(s, 0.1)],
      ['stale q', mix(stale, 0.1)],
    ] as const) {
      const exact = tauForSampling(s, q);
      for (const [rName, r] of [
        ['uniform', null],
        ['q', q],
        ['other', mix(stale, 0.5)],
      ] as const) {
        const rng = createRng(2);
        const b = 200_000;
        const pick = r ? drawer(r) : (g: Rng) => g.int(n);
        const scores = new Float64Array(b);
        const w = new Float64Array(b);
        const v = new Float64Array(b);
        for (let k = 0; k < b; k++) {
          const i = pick(rng);
          scores[k] = s[i];
          w[k] = r ? 1 / (n * r[i]) : 1;
          v[k] = 1 / (n * q[i]);
        }
        const tau = tauOfBatch(scores, r ? w : null, v);
        const ratio = tau * tau;
        let meanC = 0;
        for (let k = 0; k < b; k++) meanC += (w[k] * v[k] * scores[k] ** 2) / b;
        let varRes = 0;
        for (let k = 0; k < b; k++) {
          const res = w[k] * scores[k] ** 2 - ratio * w[k] * v[k] * scores[k] ** 2;
          varRes += (res * res) / b;
        }
        const se = Math.sqrt(varRes / b) / meanC;
        expect(Math.abs(ratio - exact * exact) / se, `${name}, drawn from ${rName}`).toBeLessThan(4);
      }
    }
    // The two cases differ: the right q gains, the stale one loses against uniform.
    expect(tauForSampling(s, mix(s, 0.1))).toBeGreaterThan(2);
    expect(tauForSampling(s, mix(stale, 0.1))).toBeLessThan(0.8);
  });

  it('pools batches as a ratio of moving averages, from 0 (the first batch alone gives its own τ)', () => {
    const m = new BatchTauMeter(0.9);
    expect(m.value).toBe(1);
    const b1 = { s: [1, 2, 0], w: [1, 2, 3], v: [0.5, 1, 4] };
    const b2 = { s: [3, 1], w: [0.5, 1], v: [2, 0.25] };
    expect(m.add(b1.s, b1.w, b1.v)).toBeCloseTo(tauOfBatch(b1.s, b1.w, b1.v), 14);
    // num_1 = (1 + 8)/3 = 3, den_1 = (0.5 + 8)/3; num_2 = (4.5 + 1)/2, den_2 = (9 + 0.25)/2.
    const num = 0.9 * 0.1 * 3 + 0.1 * 2.75;
    const den = 0.9 * 0.1 * (8.5 / 3) + 0.1 * 4.625;
    expect(m.add(b2.s, b2.w, b2.v)).toBeCloseTo(Math.sqrt(num / den), 14);
    // Not the mean of per-batch τ.
    expect(Math.abs(m.value - (0.9 * tauOfBatch(b1.s, b1.w, b1.v) + 0.1 * tauOfBatch(b2.s, b2.w, b2.v)))).toBeGreaterThan(0.01);
    m.reset();
    expect(m.value).toBe(1);
    expect(tauOfBatch([0, 0], null, [1, 1])).toBe(1);
    expect(() => m.add([1, 2], null, [1])).toThrow(/2 scores, 2 draw weights and 1 sample weights/);
    expect(() => m.add([1, -2], null, [1, 1])).toThrow(/score 1 is -2/);
    expect(() => m.add([1, 2], [1, 0], [1, 1])).toThrow(/draw weight 1 is 0/);
    expect(() => m.add([1, 2], null, [1, Infinity])).toThrow(/sample weight 1 is Infinity/);
    expect(() => new BatchTauMeter(1)).toThrow(/momentum 1 must be a number in \[0, 1\)/);
  });
});

describe('ScoreTable.observeBatch', () => {
  it('measures against q before writing the batch, then updates exactly as update() would', () => {
    const rng = createRng(3);
    const n = 300;
    const a = new ScoreTable(n, { smoothing: 0.1 });
    const b = new ScoreTable(n, { smoothing: 0.1 });
    // The table pools about min(4096, N/2) samples: momentum 1 − 16/150.
    const meter = new BatchTauMeter(poolMomentum(16, n / 2));
    for (let step = 0; step < 60; step++) {
      const active = step % 3 !== 0;
      const d = active ? a.draw(16, rng) : null;
      const idx = d ? d.indices : uniformIndices(n, 16, rng);
      const w = d ? importanceWeights(d.probabilities, n) : null;
      const sc = Float64Array.from(idx, (i) => (i % 7 === 0 ? 1 : 0.1) * rng.next());
      const expected = meter.add(sc, w, b.sampleWeights(idx));
      expect(a.observeBatch(idx, sc, w)).toBeCloseTo(expected, 14);
      expect(a.measuredTau).toBeCloseTo(expected, 14);
      b.update(idx, sc);
    }
    for (let i = 0; i < n; i++) expect(a.probability(i)).toBe(b.probability(i));
    expect(a.step).toBe(60);
    // Validation before any change.
    expect(() => a.observeBatch([1, 2], [0.5, 0.5], [1])).toThrow(/2 indices but 1 draw weights/);
    expect(() => a.observeBatch([1, n], [0.5, 0.5], null)).toThrow(/sample index 300 is out of range/);
    expect(a.step).toBe(60);
  });

  it('reads exactly 1 while the table is uniform, and for uniform q', () => {
    const t = new ScoreTable(50);
    expect(t.observeBatch([1, 2, 3], [0.2, 0.9, 0.4], null)).toBe(1);
    const eq = new ScoreTable(4);
    eq.update([0, 1, 2, 3], [2, 2, 2, 2]);
    expect(eq.observeBatch([0, 1], [5, 0.1], null)).toBeCloseTo(1, 14);
  });
});

describe('Algorithm 1 with the score table: τ measured on the trained batches against τ_th', () => {
  // The loop the trainer runs with the table (docs/method.md §4, §5): auto mode, τ̄ the
  // paper's moving average (from 0), importance steps draw from the table, uniform steps draw
  // uniformly, and every trained batch goes through observeBatch with its fresh scores.
  const steps = 1500;
  function autoRun(score: (i: number, step: number, rng: Rng) => number, seed: number) {
    const rng = createRng(seed);
    const n = 2000;
    const b = 32;
    const table = new ScoreTable(n);
    const ema = new TauEstimator(0.9);
    const auto = conditionFor('auto');
    const active: boolean[] = [];
    const tauBar: number[] = [];
    const thresholds: number[] = [];
    const forecast: number[] = [];
    for (let step = 0; step < steps; step++) {
      // τ_th in force: the cost model's plus the meter's margin, as the trainer has it.
      const threshold = TABLE_TAU_THRESHOLD + table.tauMargin;
      thresholds.push(threshold);
      const on = auto.isMet({ smoothed: ema.smoothed, threshold });
      active.push(on);
      if (step % 25 === 0) forecast.push(forecastTau(table));
      const d = on ? table.draw(b, rng) : null;
      const idx = d ? d.indices : uniformIndices(n, b, rng);
      const sc = Float64Array.from(idx, (i) => score(i, step, rng));
      tauBar.push(ema.update(table.observeBatch(idx, sc, d ? importanceWeights(d.probabilities, n) : null)));
    }
    const late = active.slice(steps / 2);
    return { table, activeShare: late.filter(Boolean).length / late.length, active, tauBar, thresholds, forecast };
  }

  it('τ_th for the table is a little above 1', () => {
    expect(TABLE_TAU_THRESHOLD).toBeGreaterThan(1);
    expect(TABLE_TAU_THRESHOLD).toBeLessThan(1.1);
  });

  it('switches importance on and keeps it on where hard samples stay hard', () => {
    // 10% of the samples are hard (score ≈ 1), the rest easy (≈ 0.05), persistently.
    const score = (i: number, _step: number, rng: Rng): number => (i % 10 === 0 ? 0.8 : 0.04) * (1 + 0.5 * rng.next());
    const { table, activeShare, tauBar: trace } = autoRun(score, 4);
    const tauBar = trace[steps - 1];
    expect(activeShare).toBeGreaterThan(0.95);
    // τ̄ tracks the reduction the table's q achieves on the current (expected) scores.
    const truth = Float64Array.from(range(2000), (i) => (i % 10 === 0 ? 0.8 : 0.04) * 1.25);
    const q = Float64Array.from(range(2000), (i) => table.probability(i));
    const exact = tauForSampling(truth, q);
    expect(exact).toBeGreaterThan(2);
    expect(Math.abs(tauBar / exact - 1)).toBeLessThan(0.15);
  });

  it('keeps importance off where the table\'s scores say nothing about the next visit', () => {
    // Every visit draws a fresh score, independent of the sample and of its last score: the
    // table's q is noise, and sampling by it costs variance. The table's own forecast τ
    // (from its stale scores) stays well above 1, which is why it cannot be the switch.
    const score = (_i: number, _step: number, rng: Rng): number => -Math.log(1 - rng.next());
    const { table, activeShare, tauBar } = autoRun(score, 5);
    expect(forecastTau(table)).toBeGreaterThan(1.25);
    expect(tauBar[steps - 1]).toBeLessThan(1);
    expect(activeShare).toBeLessThan(0.05);
  });

  it('notices when the table goes stale under importance sampling, trains uniformly, and comes back', () => {
    // The hard 10% move at step 750 (from i ≡ 0 to i ≡ 5 mod 10) while importance is on. The
    // importance batches' fresh scores show the table's q misplaced: τ̄ falls from ≈ 2.2 below
    // τ_th within a few dozen steps, the uniform steps that follow find the new hard samples,
    // and importance comes back. The forecast from the table's own scores never falls: it
    // could not have switched.
    const shift = 750;
    const score = (i: number, step: number, rng: Rng): number =>
      (i % 10 === (step < shift ? 0 : 5) ? 0.8 : 0.04) * (1 + 0.5 * rng.next());
    const { active, tauBar, thresholds, forecast } = autoRun(score, 4);
    expect(active.slice(shift - 100, shift).every(Boolean)).toBe(true);
    expect(tauBar[shift - 1]).toBeGreaterThan(2);
    const after = tauBar.slice(shift, shift + 250);
    expect(after.some((t, k) => t < thresholds[shift + k])).toBe(true);
    expect(active.slice(shift, shift + 250).filter((on) => !on).length).toBeGreaterThan(10);
    expect(tauBar[steps - 1]).toBeGreaterThan(1.8);
    expect(active.slice(-100).filter(Boolean).length).toBeGreaterThan(90);
    expect(Math.min(...forecast.slice(shift / 25))).toBeGreaterThan(2);
  });
});
