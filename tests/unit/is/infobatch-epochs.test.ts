// InfoBatch's pruned epochs (src/is/samplers/infobatch/epochs.ts): each epoch holds every kept
// sample once, prunes low-score samples at the rate r, and its weighted sum is unbiased for the
// full set's sum.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/is/rng';
import { PrunedEpochs } from '../../../src/is/samplers/infobatch/epochs';

const fixed = (scores: (number | null)[]) => ({ scoreOf: (i: number) => scores[i] });

describe('PrunedEpochs', () => {
  it('keeps every sample at or above the mean (weight 1) and prunes those below it at rate r (weight 1/(1 − r))', () => {
    const n = 1000;
    const scores = Array.from({ length: n }, (_, i) => (i < 700 ? 0.1 : 1)); // mean 0.37: 700 below
    const ep = new PrunedEpochs(n);
    const rng = createRng(3);
    const r = 0.5;
    // One whole epoch = the batches until the epoch counter moves.
    const { indices, weights } = ep.nextBatch(1, fixed(scores), r, false, rng);
    const seen = new Map<number, number>([[indices[0], weights[0]]]);
    const kept = ep.epoch.kept;
    while (seen.size < kept) {
      const b = ep.nextBatch(1, fixed(scores), r, false, rng);
      expect(seen.has(b.indices[0])).toBe(false); // each kept sample once per epoch
      seen.set(b.indices[0], b.weights[0]);
    }
    expect(ep.epoch).toMatchObject({ lowScore: 700, epochs: 1 });
    for (let i = 700; i < n; i++) expect(seen.get(i)).toBe(1);
    const keptLow = [...seen.keys()].filter((i) => i < 700);
    for (const i of keptLow) expect(seen.get(i)).toBe(2);
    // Binomial(700, 0.5): sd 13.2; 4 sd.
    expect(Math.abs(keptLow.length - 350)).toBeLessThan(53);
    expect(kept).toBe(300 + keptLow.length);
  });

  it('the weighted sum over an epoch is unbiased for the full sum', () => {
    const n = 60;
    const rng0 = createRng(8);
    const scores = Array.from({ length: n }, () => rng0.next());
    const g = Array.from({ length: n }, (_, i) => Math.cos(i) + 2 * scores[i]); // correlated with the score
    const full = g.reduce((a, x) => a + x, 0);
    const ep = new PrunedEpochs(n);
    const rng = createRng(9);
    const epochs = 4000;
    const sums: number[] = [];
    let current = 0;
    let epoch = 0;
    // One sample at a time; an epoch ends where the epoch counter moves.
    while (sums.length < epochs) {
      const before = ep.epoch.epochs;
      const { indices, weights } = ep.nextBatch(1, fixed(scores), 0.7, false, rng);
      if (ep.epoch.epochs !== before && epoch > 0) {
        sums.push(current);
        current = 0;
      }
      epoch = ep.epoch.epochs;
      current += weights[0] * g[indices[0]];
    }
    const mean = sums.reduce((a, x) => a + x, 0) / epochs;
    const sd = Math.sqrt(sums.reduce((a, x) => a + (x - mean) ** 2, 0) / (epochs - 1));
    expect(Math.abs(mean - full) / (sd / Math.sqrt(epochs))).toBeLessThan(4);
    // Pruning does something: the epoch sums vary (an unpruned epoch's sum is exactly the full sum).
    expect(sd).toBeGreaterThan(0.5);
  });

  it('keeps never-scored samples, trains on everything while annealing, and fills a batch across epochs', () => {
    const scores = [null, 0.1, 0.1, 5, null, 0.1];
    const ep = new PrunedEpochs(6);
    const rng = createRng(1);
    const b = ep.nextBatch(4, fixed(scores), 0.99, false, rng);
    expect(ep.epoch.lowScore).toBe(3);
    for (const i of [0, 3, 4]) expect(Array.from(b.indices)).toContain(i);
    // Annealing: the next epoch is the full set with weight 1. Batches of 4 over epochs of 6.
    const rng2 = createRng(2);
    const annealed = new PrunedEpochs(6);
    const a1 = annealed.nextBatch(4, fixed(scores), 0.9, true, rng2);
    const a2 = annealed.nextBatch(4, fixed(scores), 0.9, true, rng2);
    expect(annealed.epoch).toMatchObject({ kept: 6, epochs: 2 });
    expect([...a1.weights, ...a2.weights].every((w) => w === 1)).toBe(true);
    expect(new Set([...a1.indices, ...a2.indices.slice(0, 2)]).size).toBe(6); // the first epoch, each once
    expect(() => ep.nextBatch(2, fixed(scores), 1, false, rng)).toThrow(/prune ratio 1 must be in \[0, 1\)/);
  });
});
