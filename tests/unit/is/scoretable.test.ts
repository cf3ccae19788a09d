import { describe, expect, it } from 'vitest';
import { DEFAULT_TABLE_FLOOR, ScoreTable } from '../../../src/is/samplers/table/scoreTable';
import { createRng } from '../../../src/is/rng';
import type { Rng } from '../../../src/is/types';
import { chiSquare, chiSquareCritical } from '../../support/chiSquare';

// Statistical thresholds. Every test uses a fixed seed, so it passes or fails
// deterministically; the thresholds bound the chance that a correct table fails when a
// seed or draw order changes: χ² at α = 1e-4, z-tests at |z| < 4 (two-sided α ≈ 6e-5).
// Each test also shows that the statistic catches a real error (power checks).
const Z_MAX = 4;

/**
 * The table's distribution written out directly, O(N), from the documented semantics:
 * e_i = last score, unscored → running max of all scores; μ = mean of the e_i; p ∝ e + c·μ;
 * q = (1 − ε)·p + ε/N with the floor ε; uniform when μ = 0.
 */
class Reference {
  readonly raw: Float64Array;
  readonly seen: Uint8Array;
  max = 0;
  constructor(
    readonly n: number,
    public c = 0,
    public floor = DEFAULT_TABLE_FLOOR,
  ) {
    this.raw = new Float64Array(n);
    this.seen = new Uint8Array(n);
  }
  update(idx: ArrayLike<number>, sc: ArrayLike<number>): void {
    for (let k = 0; k < idx.length; k++) {
      this.raw[idx[k]] = sc[k];
      this.seen[idx[k]] = 1;
      this.max = Math.max(this.max, sc[k]);
    }
  }
  scores(): { e: Float64Array; mu: number } {
    const n = this.n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.seen[i] ? this.raw[i] : this.max;
    const mu = sum / n;
    const e = new Float64Array(n);
    for (let i = 0; i < n; i++) e[i] = this.seen[i] ? this.raw[i] : this.max;
    return { e, mu };
  }
  probabilities(): Float64Array {
    const n = this.n;
    const { e, mu } = this.scores();
    if (!(mu > 0)) return new Float64Array(n).fill(1 / n);
    const w = e.map((x) => x + this.c * mu);
    const z = w.reduce((acc, x) => acc + x, 0);
    return w.map((x) => (1 - this.floor) * (x / z) + this.floor / n);
  }
}

function randomBatch(rng: Rng, n: number, b: number, scale = 1): { idx: Int32Array; sc: Float64Array } {
  const idx = new Int32Array(b);
  const sc = new Float64Array(b);
  for (let k = 0; k < b; k++) {
    idx[k] = rng.int(n);
    sc[k] = scale * rng.next() ** 2;
  }
  return { idx, sc };
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

describe('ScoreTable', () => {
  it('rejects bad input with messages naming the value and the fix, and writes nothing then', () => {
    expect(() => new ScoreTable(0)).toThrow(/size 0 must be a positive integer/);
    expect(() => new ScoreTable(-3)).toThrow(/size -3/);
    expect(() => new ScoreTable(1.5)).toThrow(/size 1.5/);
    expect(() => new ScoreTable(10, { smoothing: -1 })).toThrow(/smoothing -1 must be a finite number ≥ 0/);
    const t = new ScoreTable(10);
    expect(() => t.setSmoothing(Number.NaN)).toThrow(/smoothing NaN/);
    expect(() => t.update([10], [1])).toThrow(/sample index 10 is out of range; use an integer with 0 ≤ index < 10/);
    expect(() => t.update([2.5], [1])).toThrow(/sample index 2.5/);
    expect(() => t.update([0, 1], [0.3, -0.5])).toThrow(/score -0.5 for sample 1 is not a finite number ≥ 0/);
    expect(() => t.update([0], [Number.NaN])).toThrow(/score NaN/);
    expect(() => t.update([0, 1], [1])).toThrow(/2 indices but 1 scores/);
    expect(() => t.draw(0, createRng(1))).toThrow(/batch size 0 must be a positive integer/);
    expect(() => t.top(-1)).toThrow(/k = -1/);
    expect(() => t.probability(-1)).toThrow(/sample index -1/);
    // A rejected update changed nothing (validation runs before any write).
    expect(t.seenCount).toBe(0);
    expect(t.step).toBe(0);
    expect(t.prior).toBe(0);
  });

  it('is uniform before any score and for equal scores', () => {
    const rng = createRng(2);
    for (const opts of [{}, { smoothing: 0.5 }]) {
      const t = new ScoreTable(100, opts);
      const d = t.draw(500, rng);
      expect(Array.from(d.probabilities).every((p) => p === 1 / 100)).toBe(true);
      // Equal scores for everyone, in several batches.
      for (let s = 0; s < 4; s++) {
        const idx = Int32Array.from({ length: 25 }, (_, k) => s * 25 + k);
        t.update(idx, new Float64Array(25).fill(0.7));
      }
      for (let i = 0; i < 100; i++) expect(t.probability(i)).toBeCloseTo(0.01, 14);
      // All zero scores: still uniform (μ = 0).
      const z = new ScoreTable(10, opts);
      z.update([1, 2], [0, 0]);
      expect(z.probability(1)).toBe(0.1);
    }
  });

  it('keeps unscored samples likely: they get the running maximum as prior and come up', () => {
    const rng = createRng(3);
    const n = 1000;
    const t = new ScoreTable(n);
    const ref = new Reference(n);
    const idx = Int32Array.from({ length: 10 }, (_, k) => k * 7);
    const sc = Float64Array.from({ length: 10 }, (_, k) => 0.01 * (k + 1));
    t.update(idx, sc);
    ref.update(idx, sc);
    expect(t.prior).toBe(0.1);
    const p = ref.probabilities();
    // Unseen samples: exactly p = m / Z.
    for (let i = 0; i < n; i++) expect(relErr(t.probability(i), p[i])).toBeLessThan(1e-12);
    let pUnseen = 0;
    for (let i = 0; i < n; i++) if (!ref.seen[i]) pUnseen += p[i];
    const draws = 20_000;
    const d = t.draw(draws, rng);
    let unseenDrawn = 0;
    for (let k = 0; k < draws; k++) {
      if (!ref.seen[d.indices[k]]) unseenDrawn++;
      expect(d.probabilities[k]).toBe(t.probability(d.indices[k]));
    }
    const zUnseen = (unseenDrawn - draws * pUnseen) / Math.sqrt(draws * pUnseen * (1 - pUnseen));
    expect(Math.abs(zUnseen)).toBeLessThan(Z_MAX);

    // A training-like loop visits everything: since the prior m ≥ every score (and ≥ μ),
    // an unscored sample is at least as likely as under uniform, so coverage is at least as
    // fast as uniform's coupon collector, whose mean is N·H_N/b steps.
    const n2 = 2000;
    const b = 32;
    const t2 = new ScoreTable(n2, { smoothing: 0.1 });
    let steps = 0;
    while (t2.seenCount < n2 && steps < 10_000) {
      const dd = t2.draw(b, rng);
      t2.update(
        dd.indices,
        Float64Array.from(dd.indices, () => rng.next()),
      );
      steps++;
    }
    let harmonic = 0;
    for (let k = 1; k <= n2; k++) harmonic += 1 / k;
    expect(t2.seenCount).toBe(n2);
    expect(steps).toBeLessThan((n2 * harmonic) / b);
  });

  it('without the floor, smoothing c > 0 keeps zero-score samples reachable with the exact p', () => {
    const rng = createRng(4);
    const n = 200;
    const t = new ScoreTable(n, { floor: 0 });
    const ref = new Reference(n, 0, 0);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const sc = Float64Array.from(idx, (i) => (i % 2 === 0 ? 0 : 0.2 + rng.next()));
    t.update(idx, sc);
    ref.update(idx, sc);
    // c = 0 and no floor: zero scores have p = 0 and are never drawn (the lock-out the
    // default floor prevents, see scoretable-floor.test.ts).
    const d0 = t.draw(20_000, rng);
    expect(Array.from(d0.indices).every((i) => i % 2 === 1)).toBe(true);
    expect(t.probability(0)).toBe(0);

    t.setSmoothing(0.3);
    ref.c = 0.3;
    const p = ref.probabilities();
    const mu = sc.reduce((a, b) => a + b, 0) / n;
    const z = sc.reduce((a, b) => a + b + 0.3 * mu, 0);
    for (let i = 0; i < n; i++) expect(relErr(t.probability(i), p[i])).toBeLessThan(1e-12);
    expect(relErr(t.probability(0), (0.3 * mu) / z)).toBeLessThan(1e-12);
    const draws = 50_000;
    const d = t.draw(draws, rng);
    let zeros = 0;
    for (let k = 0; k < draws; k++) {
      const i = d.indices[k];
      expect(relErr(d.probabilities[k], p[i])).toBeLessThan(1e-12);
      if (i % 2 === 0) zeros++;
    }
    const pZero = (100 * 0.3 * mu) / z;
    const zz = (zeros - draws * pZero) / Math.sqrt(draws * pZero * (1 - pZero));
    expect(Math.abs(zz)).toBeLessThan(Z_MAX);
  });

  it('returns exact p_i that match the empirical frequencies (chi-square), with and without smoothing', () => {
    const configs = [{ smoothing: 0 }, { smoothing: 0.5 }, { smoothing: 0.2 }];
    for (const [ci, cfg] of configs.entries()) {
      const rng = createRng(50 + ci);
      const n = 60;
      const t = new ScoreTable(n, cfg);
      const ref = new Reference(n, cfg.smoothing);
      // 30 steps on samples 0..49 (10 stay unscored); a few exact zeros.
      for (let s = 0; s < 30; s++) {
        const idx = Int32Array.from({ length: 6 }, () => rng.int(50));
        const sc = Float64Array.from(idx, (i) => (i % 11 === 0 ? 0 : 0.1 + rng.next()));
        t.update(idx, sc);
        ref.update(idx, sc);
      }
      const p = ref.probabilities();
      const draws = 200_000;
      const counts = new Float64Array(n);
      let worstRel = 0;
      for (let r = 0; r < draws / 1000; r++) {
        const d = t.draw(1000, rng);
        for (let k = 0; k < 1000; k++) {
          const i = d.indices[k];
          counts[i]++;
          worstRel = Math.max(worstRel, relErr(d.probabilities[k], p[i]));
        }
      }
      expect(worstRel).toBeLessThan(1e-11);
      const { stat, df } = chiSquare(counts, p, draws);
      expect(stat, JSON.stringify(cfg)).toBeLessThan(chiSquareCritical(df));
      // Power: the counts reject the same table with its most likely sample's p 20% off.
      const wrong = p.slice();
      const top = p.indexOf(Math.max(...p));
      wrong[top] *= 1.2;
      const sum = wrong.reduce((a, b) => a + b, 0);
      expect(chiSquare(counts, wrong.map((x) => x / sum), draws).stat).toBeGreaterThan(chiSquareCritical(df));
    }
  });

  it('score() and probability() equal a direct float64 computation after random updates', () => {
    const configs = [{ smoothing: 0 }, { smoothing: 0, floor: 0 }, { smoothing: 0.7 }, { smoothing: 0.1, floor: 0.3 }];
    for (const [ci, cfg] of configs.entries()) {
      const rng = createRng(60 + ci);
      const n = 500;
      const t = new ScoreTable(n, cfg);
      const ref = new Reference(n, cfg.smoothing, cfg.floor);
      for (let s = 1; s <= 400; s++) {
        // Batches with repeated indices (last write wins) and scores over several decades.
        const { idx, sc } = randomBatch(rng, n, 16, 10 ** (4 * rng.next() - 2));
        idx[3] = idx[0];
        t.update(idx, sc);
        ref.update(idx, sc);
        if (s % 25 === 0 || s < 5) {
          const p = ref.probabilities();
          const { e } = ref.scores();
          for (let i = 0; i < n; i++) {
            expect(Math.abs(t.probability(i) - p[i]), `${JSON.stringify(cfg)} step ${s}`).toBeLessThanOrEqual(1e-11 * p[i] + 1e-17);
            expect(t.score(i)).toBe(e[i]);
          }
        }
      }
      // The check is not vacuous: the distribution is far from uniform.
      const p = ref.probabilities();
      expect(Math.max(...p) / Math.min(...p)).toBeGreaterThan(10);
    }
  });

  it('keeps q exact when scores shrink by twelve decades (no accumulated cancellation)', () => {
    const rng = createRng(7);
    const n = 300;
    for (const smoothing of [0, 0.1]) {
      const t = new ScoreTable(n, { smoothing });
      const ref = new Reference(n, smoothing);
      const all = Int32Array.from({ length: n }, (_, i) => i);
      const big = Float64Array.from(all, () => 1e6 * (1 + rng.next()));
      t.update(all, big);
      ref.update(all, big);
      const small = Float64Array.from(all, (i) => (i < 30 ? 1e-6 * (1 + 5 * rng.next()) : 1e-6));
      t.update(all, small);
      ref.update(all, small);
      const p = ref.probabilities();
      for (let i = 0; i < n; i++) expect(relErr(t.probability(i), p[i])).toBeLessThan(1e-10);
      expect(Math.max(...p) / Math.min(...p)).toBeGreaterThan(1.2); // the check is not vacuous
    }
  });

  it('top(k) lists the highest table scores, highest first, scored samples only', () => {
    const rng = createRng(8);
    const n = 100;
    const t = new ScoreTable(n);
    expect(t.top(5).indices.length).toBe(0);
    const idx = Int32Array.from({ length: 60 }, (_, k) => k);
    const sc = Float64Array.from(idx, () => rng.next());
    sc[10] = 2;
    sc[20] = 2; // tie: lower index first
    t.update(idx, sc);
    const top = t.top(5);
    const expected = Array.from(idx)
      .sort((a, b) => sc[b] - sc[a] || a - b)
      .slice(0, 5);
    expect(Array.from(top.indices)).toEqual(expected);
    expect(Array.from(top.scores)).toEqual(expected.map((i) => sc[i]));
    expect(top.indices[0]).toBe(10);
    expect(top.indices[1]).toBe(20);
    expect(t.top(1000).indices.length).toBe(60); // unscored samples are not listed
  });

  it('gives unbiased weighted means: E[(1/b) Σ v_i/(N p_i)] = mean(v)', () => {
    // z-test: the estimator's mean over R draws against the exact mean(v), with the
    // empirical std/√R; |z| < 4. Power: the unweighted mean of the same draws is biased
    // (v is correlated with the scores) and must fail the same test by far.
    for (const [ci, cfg] of [{ smoothing: 0 }, { smoothing: 0.2 }].entries()) {
      const rng = createRng(90 + ci);
      const n = 500;
      const b = 32;
      const t = new ScoreTable(n, cfg);
      const v = new Float64Array(n);
      for (let s = 0; s < 40; s++) {
        const { idx, sc } = randomBatch(rng, n - 50, 10); // the last 50 stay unscored
        t.update(idx, sc);
      }
      for (let i = 0; i < n; i++) v[i] = 3 * t.score(i) + normal(rng);
      const meanV = v.reduce((a, x) => a + x, 0) / n;
      const r = 20_000;
      let s1 = 0;
      let s2 = 0;
      let u1 = 0;
      let u2 = 0;
      for (let k = 0; k < r; k++) {
        const d = t.draw(b, rng);
        let est = 0;
        let naive = 0;
        for (let j = 0; j < b; j++) {
          const i = d.indices[j];
          est += v[i] / (n * d.probabilities[j]);
          naive += v[i];
        }
        est /= b;
        naive /= b;
        s1 += est;
        s2 += est * est;
        u1 += naive;
        u2 += naive * naive;
      }
      const zOf = (a: number, q: number): number => {
        const mean = a / r;
        const sd = Math.sqrt((q - r * mean * mean) / (r - 1));
        return (mean - meanV) / (sd / Math.sqrt(r));
      };
      expect(Math.abs(zOf(s1, s2)), JSON.stringify(cfg)).toBeLessThan(Z_MAX);
      expect(Math.abs(zOf(u1, u2))).toBeGreaterThan(10 * Z_MAX);
    }
  });

  it('costs O(b log N) per draw + update of b on N = 60,000 (operations counted)', () => {
    const n = 60_000;
    const b = 64;
    const bound = 3 * b * Math.log2(n); // ≈ 3,049
    for (const cfg of [{ smoothing: 0 }, { smoothing: 0.1 }]) {
      const rng = createRng(10);
      const t = new ScoreTable(n, cfg);
      // Half the set scored, half still unscored.
      for (let s = 0; s < n / 2; s += 1000) {
        const idx = Int32Array.from({ length: 1000 }, (_, k) => s + k);
        t.update(
          idx,
          Float64Array.from(idx, () => rng.next()),
        );
      }
      const steps = 3000;
      let worst = 0;
      const start = t.operations;
      for (let s = 0; s < steps; s++) {
        const before = t.operations;
        const d = t.draw(b, rng);
        t.update(
          d.indices,
          Float64Array.from(d.indices, () => rng.next()),
        );
        worst = Math.max(worst, t.operations - before);
        if (s === 0) expect(t.operations - before).toBeLessThanOrEqual(bound);
      }
      const mean = (t.operations - start) / steps;
      expect(mean, JSON.stringify(cfg)).toBeLessThanOrEqual(bound);
      expect(worst).toBeLessThanOrEqual(bound);
    }
  });
});
