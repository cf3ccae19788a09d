// Online batch selection's rank distribution (src/is/samplers/online-batch/ranking.ts): the
// closed-form q_r against a float64 sum, the inverse-CDF draw against q_r by χ², and the
// unbiasedness of the 1/(N·q) weighting.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/is/rng';
import { MAX_SELECTION_PRESSURE, RankedSelection } from '../../../src/is/samplers/online-batch/ranking';

describe('RankedSelection', () => {
  it('q_r decays exponentially with rank, sums to 1, and the top rank is s^((N−1)/N) times the last', () => {
    for (const [n, s] of [[10, 1], [10, 100], [777, 5], [60000, 1000]] as const) {
      const sel = new RankedSelection(n, s);
      let sum = 0;
      for (let r = 0; r < n; r++) sum += sel.rankProbability(r);
      expect(sum, `N ${n}, s ${s}`).toBeCloseTo(1, 10);
      expect(sel.rankProbability(0) / sel.rankProbability(n - 1)).toBeCloseTo(s ** ((n - 1) / n), 8);
      // A constant ratio between neighbours: λ = s^(−1/N).
      if (n > 2) expect(sel.rankProbability(2) / sel.rankProbability(1)).toBeCloseTo(s ** (-1 / n), 12);
    }
  });

  it('ranks by score, highest first, ties by index; q follows the rank', () => {
    const sel = new RankedSelection(5, 10);
    const scores = [0.2, 0.9, 0.2, 0.0, 0.5];
    sel.rerank((i) => scores[i]);
    expect([0, 1, 2, 3, 4].map((i) => sel.rank(i))).toEqual([2, 0, 3, 4, 1]);
    expect(sel.probability(1)).toBe(sel.rankProbability(0));
    expect(sel.probability(3)).toBe(sel.rankProbability(4));
    expect(() => sel.rerank((i) => (i === 2 ? NaN : 1))).toThrow(/score of sample 2 is NaN/);
    expect(() => sel.setPressure(0.5)).toThrow(/pressure 0.5 must be a number in \[1, 1000\]/);
    expect(() => new RankedSelection(3, MAX_SELECTION_PRESSURE + 1)).toThrow(/in \[1, 1000\]/);
  });

  it('draws each rank with its q_r (χ² over 50 ranks, 200,000 draws)', () => {
    const n = 50;
    const sel = new RankedSelection(n, 40);
    const rng = createRng(12);
    const counts = new Float64Array(n);
    const draws = 200_000;
    for (let t = 0; t < draws / 1000; t++) {
      const { indices, probabilities } = sel.draw(1000, rng);
      for (let k = 0; k < indices.length; k++) {
        counts[indices[k]]++; // the identity ranking: index = rank
        expect(probabilities[k]).toBe(sel.rankProbability(indices[k]));
      }
    }
    let chi2 = 0;
    for (let r = 0; r < n; r++) {
      const e = draws * sel.rankProbability(r);
      chi2 += (counts[r] - e) ** 2 / e;
    }
    // 49 degrees of freedom: P(χ² > 85.4) = 0.001. A draw off by one rank (a floor/ceil slip)
    // moves a whole bin of ~4,000 draws and gives χ² in the thousands.
    expect(chi2).toBeLessThan(85.4);
  });

  it('the weighted mean with w = 1/(N·q) is unbiased for the plain mean (and the unweighted one is not)', () => {
    const n = 200;
    const sel = new RankedSelection(n, 100);
    const g = Float64Array.from({ length: n }, (_, i) => Math.sin(i) + (i < 20 ? 3 : 0));
    sel.rerank((i) => Math.abs(g[i]));
    const rng = createRng(4);
    const m = 400_000;
    let sum = 0;
    let sumSq = 0;
    let plain = 0;
    const { indices, probabilities } = sel.draw(m, rng);
    for (let k = 0; k < m; k++) {
      const v = g[indices[k]] / (n * probabilities[k]);
      sum += v;
      sumSq += v * v;
      plain += g[indices[k]];
    }
    const mean = sum / m;
    const se = Math.sqrt((sumSq / m - mean * mean) / m);
    const truth = g.reduce((a, x) => a + x, 0) / n;
    expect(Math.abs(mean - truth) / se).toBeLessThan(4);
    expect(Math.abs(plain / m - truth) / se).toBeGreaterThan(20);
  });

  it('s = 1 is uniform', () => {
    const sel = new RankedSelection(8, 1);
    for (let r = 0; r < 8; r++) expect(sel.rankProbability(r)).toBe(1 / 8);
    const { indices } = sel.draw(8000, createRng(1));
    const counts = new Array(8).fill(0);
    for (const i of indices) counts[i]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(4 * Math.sqrt(1000 * (7 / 8)));
  });
});
