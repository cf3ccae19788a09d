import { describe, expect, it } from 'vitest';
import { SumTree } from '../../../src/is/samplers/table/sumTree';
import { createRng } from '../../../src/is/rng';
import type { Rng } from '../../../src/is/types';
import { chiSquare, chiSquareCritical } from '../../support/chiSquare';

// Chi-square tests run at α = 1e-4. Every test here uses a fixed seed, so it passes or fails
// deterministically; α only bounds the chance that a correct sampler fails when a seed or
// a draw order changes (1 in 10,000 per test), while a real bias is far beyond it: the
// power checks below show that a 20% error on one bin pushes the statistic several times
// past the critical value.
function drawCounts(tree: SumTree, n: number, rng: Rng): Float64Array {
  const counts = new Float64Array(tree.size);
  const total = tree.total();
  for (let k = 0; k < n; k++) counts[tree.sample(rng.next() * total)]++;
  return counts;
}

function normalized(w: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return Float64Array.from(w, (x) => x / s);
}

function leafSum(tree: SumTree): number {
  let s = 0;
  for (let i = 0; i < tree.size; i++) s += tree.get(i);
  return s;
}

describe('SumTree', () => {
  it('rejects bad input with messages naming the value and the fix', () => {
    expect(() => new SumTree(0)).toThrow(/size 0 must be a positive integer/);
    expect(() => new SumTree(-5)).toThrow(/size -5/);
    expect(() => new SumTree(2.5)).toThrow(/size 2.5/);
    const t = new SumTree(50);
    expect(() => t.sample(0)).toThrow(/empty.*set a positive weight/);
    expect(() => t.set(50, 1)).toThrow(/index 50 is out of range; use an integer with 0 ≤ index < 50/);
    expect(() => t.set(-1, 1)).toThrow(/index -1/);
    expect(() => t.set(0, -2)).toThrow(/weight -2 .*≥ 0/);
    expect(() => t.set(0, Number.NaN)).toThrow(/weight NaN/);
    expect(() => t.set(0, Number.POSITIVE_INFINITY)).toThrow(/weight Infinity/);
    t.set(3, 2);
    expect(() => t.sample(2)).toThrow(/u = 2 must lie in \[0, total\) = \[0, 2\)/);
    expect(() => t.sample(-0.1)).toThrow(/u = -0.1/);
    expect(t.sample(1.999)).toBe(3);
  });

  it('handles a single leaf and sizes that are not powers of two', () => {
    const one = new SumTree(1);
    one.set(0, 0.5);
    expect(one.total()).toBe(0.5);
    expect(one.sample(0.49)).toBe(0);
    for (const n of [2, 3, 5, 7, 13, 100]) {
      const t = new SumTree(n);
      for (let i = 0; i < n; i++) t.set(i, i + 1);
      expect(t.total()).toBe((n * (n + 1)) / 2);
      // u walks the prefix sums: leaf i covers [i(i+1)/2, (i+1)(i+2)/2).
      for (let i = 0; i < n; i++) {
        expect(t.sample((i * (i + 1)) / 2)).toBe(i);
        expect(t.sample(((i + 1) * (i + 2)) / 2 - 0.5)).toBe(i);
      }
    }
  });

  it('draws each leaf with its weight frequency (chi-square, 300,000 draws over 50 weights)', () => {
    const rng = createRng(11);
    const n = 300_000;
    const w = Array.from({ length: 50 }, () => 10 * rng.next() ** 3);
    w[7] = 0;
    w[23] = 0;
    const tree = new SumTree(50);
    w.forEach((v, i) => tree.set(i, v));
    const counts = drawCounts(tree, n, rng);
    const p = normalized(w);
    const { stat, df } = chiSquare(counts, p, n);
    expect(df).toBe(47);
    expect(stat).toBeLessThan(chiSquareCritical(df));

    // Power: the same counts against a distribution with the heaviest weight 20% off fail.
    const heaviest = w.indexOf(Math.max(...w));
    const wrong = w.slice();
    wrong[heaviest] *= 1.2;
    expect(chiSquare(counts, normalized(wrong), n).stat).toBeGreaterThan(3 * chiSquareCritical(df));
  });

  it('stays consistent under random updates (totals, leaves, frequencies)', () => {
    const rng = createRng(12);
    const size = 50;
    const tree = new SumTree(size);
    const w = new Float64Array(size);
    for (let step = 0; step < 20_000; step++) {
      const i = rng.int(size);
      // Magnitudes over 12 decades, with exact zeros now and then.
      const v = rng.next() < 0.05 ? 0 : 10 ** (12 * rng.next() - 6);
      tree.set(i, v);
      w[i] = v;
      if (step % 1000 === 999) {
        for (let j = 0; j < size; j++) expect(tree.get(j)).toBe(w[j]);
        expect(tree.total()).toBeCloseTo(leafSum(tree), 0);
        expect(Math.abs(tree.total() - leafSum(tree))).toBeLessThanOrEqual(1e-13 * leafSum(tree));
      }
    }
    // Now a well-conditioned weight vector written over the old one: frequencies follow it.
    for (let i = 0; i < size; i++) {
      w[i] = i % 9 === 0 ? 0 : 0.5 + rng.next();
      tree.set(i, w[i]);
    }
    expect(Math.abs(tree.total() - leafSum(tree))).toBeLessThanOrEqual(1e-13 * leafSum(tree));
    const n = 300_000;
    const counts = drawCounts(tree, n, rng);
    const { stat, df } = chiSquare(counts, normalized(w), n);
    expect(stat).toBeLessThan(chiSquareCritical(df));
  });

  it('does not drift over a million updates (sums are recomputed, never accumulated)', () => {
    const rng = createRng(13);
    const size = 1000;
    const tree = new SumTree(size);
    for (let k = 0; k < 1_000_000; k++) tree.set(rng.int(size), 10 ** (20 * rng.next() - 8));
    // Large values gone: a delta-accumulating tree would keep a residue of about
    // 1e12·2^-52 ≈ 2e-4 per node, far above the new total's rounding.
    for (let i = 0; i < size; i++) tree.set(i, 1e-3 * (1 + (i % 7)));
    const exact = leafSum(tree);
    expect(Math.abs(tree.total() - exact)).toBeLessThanOrEqual(1e-13 * exact);
    expect(tree.sample(0)).toBe(0);
    expect(tree.sample(tree.total() * (1 - 1e-12))).toBe(size - 1);
  });

  it('visits at most ⌈log2 N⌉ + 1 nodes per set and per sample (N = 60,000)', () => {
    const rng = createRng(14);
    const size = 60_000;
    const tree = new SumTree(size);
    const depth = Math.ceil(Math.log2(size)) + 1; // 17
    for (let i = 0; i < size; i++) tree.set(i, rng.next());
    expect(tree.operations).toBeLessThanOrEqual(size * depth);
    for (let k = 0; k < 1000; k++) {
      const before = tree.operations;
      tree.set(rng.int(size), rng.next());
      expect(tree.operations - before).toBeLessThanOrEqual(depth);
      const mid = tree.operations;
      tree.sample(rng.next() * tree.total());
      expect(tree.operations - mid).toBeLessThanOrEqual(depth);
      expect(tree.operations - mid).toBeGreaterThanOrEqual(depth - 1);
    }
  });

  it('samples a non-negative linear combination of channels', () => {
    const rng = createRng(15);
    const size = 30;
    const tree = new SumTree(size, 3);
    const coeffs = [2, 0.5, 1];
    const w = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const v = [rng.next(), rng.next(), i % 5 === 0 ? 0 : 1];
      if (i === 4) v.fill(0);
      tree.setLeaf(i, v);
      w[i] = 2 * v[0] + 0.5 * v[1] + v[2];
    }
    expect(tree.totalOf(coeffs)).toBeCloseTo(w.reduce((a, b) => a + b, 0), 12);
    const n = 200_000;
    const counts = new Float64Array(size);
    const total = tree.totalOf(coeffs);
    for (let k = 0; k < n; k++) counts[tree.sampleLinear(rng.next() * total, coeffs)]++;
    const { stat, df } = chiSquare(counts, normalized(w), n);
    expect(stat).toBeLessThan(chiSquareCritical(df));
    expect(() => tree.setLeaf(0, [1, 2])).toThrow(/2 values for a tree with 3 channels/);
  });
});
