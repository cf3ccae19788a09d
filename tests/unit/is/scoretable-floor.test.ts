// The score table's floor (docs/method.md §5): a share ε of the draws is uniform, so no sample
// is locked out by a stale zero score (unbiased weighted means) and no weight exceeds 1/ε.
import { describe, expect, it } from 'vitest';
import { importanceWeights } from '../../../src/is/reweighting';
import { createRng } from '../../../src/is/rng';
import { DEFAULT_TABLE_FLOOR, ScoreTable } from '../../../src/is/samplers/table/scoreTable';
import { chiSquare, chiSquareCritical } from '../../support/chiSquare';

// z-tests at |z| < 4 (two-sided α ≈ 6e-5), fixed seeds: see scoretable.test.ts.
const Z_MAX = 4;

const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** Σ_i q_i · v_i / (N·q_i) over the samples the table can draw: the expectation of one weighted draw, float64. */
function expectedWeightedMean(t: ScoreTable, v: Float64Array): number {
  let e = 0;
  for (let i = 0; i < t.size; i++) {
    const q = t.probability(i);
    if (q > 0) e += q * (v[i] / (t.size * q));
  }
  return e;
}

const mean = (v: ArrayLike<number>): number => Array.from(v).reduce((a, x) => a + x, 0) / v.length;

describe('ScoreTable floor: no lock-out', () => {
  it('is on by default and keeps every q_i ≥ ε/N; options and setFloor are validated', () => {
    expect(DEFAULT_TABLE_FLOOR).toBeGreaterThan(0);
    const t = new ScoreTable(40);
    expect(t.floor).toBe(DEFAULT_TABLE_FLOOR);
    t.update(range(40), Float64Array.from(range(40), (i) => (i < 30 ? 0 : 1)));
    for (let i = 0; i < 40; i++) expect(t.probability(i)).toBeGreaterThanOrEqual(DEFAULT_TABLE_FLOOR / 40);
    expect(() => new ScoreTable(10, { floor: 1 })).toThrow(/floor 1 must be a number in \[0, 1\)/);
    expect(() => new ScoreTable(10, { floor: -0.1 })).toThrow(/floor -0.1/);
    expect(() => t.setFloor(Number.NaN)).toThrow(/ScoreTable.setFloor: floor NaN/);
    expect(t.floor).toBe(DEFAULT_TABLE_FLOOR);
    t.setFloor(0);
    expect(t.probability(0)).toBe(0);
  });

  it('the expectation of the weighted estimator equals the true mean when some table scores are 0 (exact, float64)', () => {
    // 50 samples; every 5th was stored with score 0 and its true value has grown since.
    const rng = createRng(11);
    const n = 50;
    const stored = Float64Array.from(range(n), (i) => (i % 5 === 0 ? 0 : 0.1 + rng.next()));
    const truth = Float64Array.from(stored, (s, i) => (i % 5 === 0 ? 1 + rng.next() : s));
    for (const opts of [{}, { smoothing: 0.2 }, { floor: 0.02 }]) {
      const t = new ScoreTable(n, opts);
      t.update(range(n), stored);
      let total = 0;
      for (let i = 0; i < n; i++) total += t.probability(i);
      expect(total).toBeCloseTo(1, 14);
      // Σ_i q_i · v_i/(N q_i) = mean(v) exactly when every q_i > 0; a locked-out sample drops its v_i/N.
      expect(Math.abs(expectedWeightedMean(t, truth) - mean(truth)), JSON.stringify(opts)).toBeLessThan(1e-14);
    }
    // Control: with the floor off (and c = 0) the zero-stored samples are locked out.
    const locked = new ScoreTable(n, { floor: 0 });
    locked.update(range(n), stored);
    let missing = 0;
    for (let i = 0; i < n; i += 5) missing += truth[i] / n;
    expect(expectedWeightedMean(locked, truth)).toBeCloseTo(mean(truth) - missing, 14);
    expect(missing).toBeGreaterThan(0.2);
  });

  it('draws at the exact q, floor included (chi-square), and reports it', () => {
    const rng = createRng(12);
    const n = 80;
    const t = new ScoreTable(n);
    for (let s = 0; s < 20; s++) {
      const idx = Int32Array.from({ length: 8 }, () => rng.int(70)); // 10 stay unscored
      t.update(
        idx,
        Float64Array.from(idx, (i) => (i % 3 === 0 ? 0 : rng.next() ** 3)),
      );
    }
    const q = Float64Array.from(range(n), (i) => t.probability(i));
    const draws = 200_000;
    const counts = new Float64Array(n);
    const d = t.draw(draws, rng);
    let mismatches = 0;
    for (let k = 0; k < draws; k++) {
      counts[d.indices[k]]++;
      if (d.probabilities[k] !== q[d.indices[k]]) mismatches++;
    }
    expect(mismatches).toBe(0);
    const { stat, df } = chiSquare(counts, q, draws);
    expect(stat).toBeLessThan(chiSquareCritical(df));
    // Power: the same counts reject the distribution without the floor's uniform share.
    t.setFloor(0);
    const noFloor = Float64Array.from(range(n), (i) => t.probability(i));
    expect(noFloor.some((p) => p === 0)).toBe(true);
    const blended = noFloor.map((p) => 0.99 * p + 0.01 / n); // keeps every bin testable
    expect(chiSquare(counts, blended, draws).stat).toBeGreaterThan(chiSquareCritical(df));
  });

  it('a sample stored as 0 whose value grows is found again: the weighted mean converges to the truth', () => {
    // A training-like loop: each step draws b from the table, estimates the mean of the
    // current true values with weights 1/(N q), and writes the drawn samples' true values
    // back (as the trainer does with the batch's scores). 20 of 100 samples were stored as 0
    // and are now worth 1. Given the table, each step's estimate is unbiased, so the mean of
    // the estimates over T steps has standard error ≈ sd/√T (martingale differences).
    const n = 100;
    const b = 10;
    const steps = 20_000;
    const run = (floor: number, seed: number): { z: number; gap: number; recovered: number } => {
      const rng = createRng(seed);
      const truth = Float64Array.from(range(n), () => 0.5 + rng.next());
      const stored = truth.slice();
      for (let i = 0; i < 20; i++) {
        stored[i] = 0;
        truth[i] = 1;
      }
      const t = new ScoreTable(n, { floor });
      t.update(range(n), stored);
      const target = mean(truth);
      let s1 = 0;
      let s2 = 0;
      for (let step = 0; step < steps; step++) {
        const d = t.draw(b, rng);
        let est = 0;
        for (let k = 0; k < b; k++) est += truth[d.indices[k]] / (n * d.probabilities[k]);
        est /= b;
        s1 += est;
        s2 += est * est;
        t.update(
          d.indices,
          Float64Array.from(d.indices, (i) => truth[i]),
        );
      }
      const m = s1 / steps;
      const sd = Math.sqrt((s2 - steps * m * m) / (steps - 1));
      let recovered = 0;
      for (let i = 0; i < 20; i++) if (t.score(i) === 1) recovered++;
      return { z: (m - target) / (sd / Math.sqrt(steps)), gap: m - target, recovered };
    };
    const floored = run(DEFAULT_TABLE_FLOOR, 13);
    expect(Math.abs(floored.z)).toBeLessThan(Z_MAX);
    expect(Math.abs(floored.gap)).toBeLessThan(0.01);
    expect(floored.recovered).toBe(20);
    // Power: without the floor the 20 samples are never drawn again and the mean misses their
    // 20·1/100 for good (here every step's estimate is that same biased number: q ∝ v on the rest).
    const locked = run(0, 13);
    expect(locked.recovered).toBe(0);
    expect(locked.gap).toBeCloseTo(-0.2, 9);
  });
});

describe('ScoreTable floor: bounded weights', () => {
  /** Adversarial tables: one huge score, many tiny and zero ones, some unscored. */
  function adversarial(opts: ConstructorParameters<typeof ScoreTable>[1], seed: number): ScoreTable {
    const rng = createRng(seed);
    const n = 1000;
    const t = new ScoreTable(n, opts);
    const idx = range(900);
    t.update(
      idx,
      Float64Array.from(idx, (i) => (i === 7 ? 1e12 : i % 4 === 0 ? 0 : 1e-12 * rng.next())),
    );
    // Some later steps, so ages differ and the prior is the huge score.
    for (let s = 0; s < 10; s++) {
      const j = Int32Array.from({ length: 20 }, () => rng.int(900));
      t.update(
        j,
        Float64Array.from(j, () => (rng.next() < 0.5 ? 0 : 1e-9 * rng.next())),
      );
    }
    return t;
  }

  const configs = [{}, { smoothing: 0.2 }, { floor: 0.02 }, { smoothing: 1e-6, floor: 0.3 }];

  it('maxWeight bounds the weight 1/(N·q) of every draw, for one huge score and many tiny ones', () => {
    for (const [ci, opts] of configs.entries()) {
      const t = adversarial(opts, 20 + ci);
      const eps = t.floor;
      const bound = t.maxWeight;
      expect(bound).toBeLessThanOrEqual((1 / eps) * (1 + 1e-12));
      const d = t.draw(100_000, createRng(30 + ci));
      let worst = 0;
      for (let k = 0; k < d.probabilities.length; k++) worst = Math.max(worst, 1 / (t.size * d.probabilities[k]));
      expect(worst, JSON.stringify(opts)).toBeLessThanOrEqual(bound * (1 + 1e-12));
      // Every sample, not only those drawn.
      let worstAll = 0;
      for (let i = 0; i < t.size; i++) worstAll = Math.max(worstAll, 1 / (t.size * t.probability(i)));
      expect(worstAll).toBeLessThanOrEqual(bound * (1 + 1e-12));
      // The float32 weights training uses: within float32 rounding of the bound.
      expect(Math.max(...importanceWeights(d.probabilities, t.size))).toBeLessThanOrEqual(bound * (1 + 2 ** -23));
      // The bound is tight here: nearly every sample has q ≈ ε/N, and those are drawn.
      if (!('smoothing' in opts)) expect(worst).toBeGreaterThan(0.99 * bound);
    }
  });

  it('maxWeight is (1 + c)/c with smoothing alone, Infinity with neither, 1 while uniform', () => {
    const t = new ScoreTable(100, { floor: 0, smoothing: 0.2 });
    expect(t.maxWeight).toBe(1);
    t.update(range(100), Float64Array.from(range(100), (i) => (i < 50 ? 0 : i)));
    expect(t.maxWeight).toBeCloseTo(6, 12);
    expect(1 / (100 * t.probability(0))).toBeCloseTo(6, 12); // attained by a zero score
    t.setSmoothing(0);
    expect(t.maxWeight).toBe(Infinity);
    t.setFloor(0.25);
    expect(t.maxWeight).toBeCloseTo(4, 12);
  });
});
