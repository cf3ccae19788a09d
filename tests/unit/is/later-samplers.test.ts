// The two later selection methods as sampler folders (docs/method.md §9), through the trainer:
// online batch selection draws by the rank of the scores its training passes left and weights
// (1/(N·q))^β; InfoBatch trains in pruned epochs, the kept low-score samples weighted 1/(1 − r),
// full epochs from pruneFullFrom on. Scores are set by hand with a "lookup" model whose logits
// are a table (one row per sample) and a learning rate that leaves them where they are.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImportanceTrainer, createRng, type LogitsModel, type StepReport, type TrainerSettings } from '../../../src/is';
import { TABLE_TAU_THRESHOLD } from '../../../src/is/tau';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** logits = a table row per sample (x is the identity), label 0 for all. */
function lookup(rows: number[][]) {
  const n = rows.length;
  const w = tf.variable(tf.tensor2d(rows));
  const x = tf.eye(n) as tf.Tensor2D;
  const y = tf.oneHot(tf.zeros([n], 'int32') as tf.Tensor1D, rows[0].length).toFloat() as tf.Tensor2D;
  const model: LogitsModel = { classes: rows[0].length, logits: (xx) => tf.matMul(xx, w), trainableWeights: () => [w] };
  return { model, x, y, dispose: () => tf.dispose([w, x, y]) };
}

const HARD = [-20, 20]; // label 0 predicted as 1: upper-bound score √2
const EASY = [20, -20]; // score ≈ 6e-18
const still: Partial<TrainerSettings> = { optimizer: 'sgd', momentum: 0, learningRate: 1e-9 };

async function steps(trainer: ImportanceTrainer, k: number): Promise<StepReport[]> {
  const out: StepReport[] = [];
  while (out.length < k) out.push(...(await trainer.trainBlock(Math.min(8, k - out.length))));
  return out;
}

describe('online batch selection (sampler online-batch)', () => {
  const n = 64;
  const hard = (i: number) => i % 8 === 3; // 8 hard samples
  const rows = Array.from({ length: n }, (_, i) => (hard(i) ? HARD : EASY));

  it('after a uniform pass scores every sample, draws the hard ones by rank with weights 1/(N·q), and measures τ against q', async () => {
    const d = lookup(rows);
    const trainer = new ImportanceTrainer({ ...d, rng: createRng(2), settings: { ...still, mode: 'uniform', sampler: 'online-batch', batchSize: 16, rankPressure: 100 } });
    // Auto mode below τ_th first: the sampler draws uniformly and learns every score.
    trainer.updateSettings({ mode: 'auto', tauThreshold: 1e6 });
    await steps(trainer, 48); // each sample missed by all 48 batches of 16 with chance 0.75^48 ≈ 1e-6
    expect(trainer.scoreTable?.seenCount).toBe(n);
    trainer.updateSettings({ mode: 'importance', tauThreshold: null });
    const reports = await steps(trainer, 16);
    // The 8 hard samples hold ranks 0-7: q_r = λ^r(1 − λ)/(1 − 1/s), λ = 100^(−1/64).
    const lambda = 100 ** (-1 / n);
    const q = (r: number) => (lambda ** r * (1 - lambda)) / (1 - 1 / 100);
    const hardMass = Array.from({ length: 8 }, (_, r) => q(r)).reduce((a, b) => a + b, 0);
    const drawn = reports.flatMap((r) => Array.from(r.indices));
    const hardShare = drawn.filter(hard).length / drawn.length;
    // 256 draws, binomial sd ≈ 0.03 around the hard mass (≈ 0.19, against 0.125 uniformly).
    expect(Math.abs(hardShare - hardMass)).toBeLessThan(0.1);
    expect(hardMass).toBeGreaterThan(0.18);
    for (const r of reports) {
      expect(r.importanceActive).toBe(true);
      // Weights are 1/(N·q) of each drawn sample's rank: the largest for the last ranks, at most (s − 1)/ln s.
      for (const w of r.weights) {
        expect(w).toBeGreaterThan(0);
        expect(w).toBeLessThanOrEqual((100 - 1) / Math.log(100) + 1e-4);
      }
      const hardW = Array.from(r.weights).filter((_, k) => hard(r.indices[k]));
      for (const w of hardW) expect(w).toBeLessThan(1); // top ranks: q > 1/N
      expect(r.tauThreshold).toBeGreaterThanOrEqual(TABLE_TAU_THRESHOLD);
    }
    // τ of sampling by rank on these scores: sampling favours the 8 hard ones, τ > 1.
    expect(reports.at(-1)!.tauRaw).toBeGreaterThan(1);
    trainer.dispose();
    d.dispose();
  });

  it('β = 0 trains unweighted (the paper\'s biased form), β between weights by (1/(N·q))^β', async () => {
    const d = lookup(rows);
    const trainer = new ImportanceTrainer({ ...d, rng: createRng(5), settings: { ...still, mode: 'importance', sampler: 'online-batch', batchSize: 16, rankPressure: 50, rankCorrection: 0 } });
    for (const r of await steps(trainer, 4)) expect(Array.from(r.weights).every((w) => w === 1)).toBe(true);
    trainer.updateSettings({ rankCorrection: 0.5 });
    const [r] = await trainer.trainBlock(1);
    const full = Array.from(r.indices, (i) => 1 / (n * trainer.samplingProbabilities(Int32Array.of(i), new Float64Array(1))[0]));
    r.weights.forEach((w, k) => expect(w).toBeCloseTo(Math.sqrt(full[k]), 5));
    trainer.dispose();
    d.dispose();
  });
});

describe('InfoBatch (sampler infobatch)', () => {
  const n = 40;
  const hard = (i: number) => i < 10; // 10 hard, 30 easy (below the mean)
  const rows = Array.from({ length: n }, (_, i) => (hard(i) ? HARD : EASY));

  it('prunes low-score samples at rate r per epoch, weights the kept ones 1/(1 − r), and trains on full epochs from pruneFullFrom', async () => {
    const d = lookup(rows);
    const b = 5;
    const trainer = new ImportanceTrainer({ ...d, rng: createRng(7), settings: { ...still, mode: 'importance', sampler: 'infobatch', batchSize: b, pruneRatio: 0.5, pruneFullFrom: 0 } });
    // Epoch 1: nothing scored yet, every sample kept with weight 1 (8 batches of 5 = 40).
    const first = await steps(trainer, 8);
    expect(new Set(first.flatMap((r) => Array.from(r.indices))).size).toBe(n);
    expect(first.every((r) => Array.from(r.weights).every((w) => w === 1))).toBe(true);
    // Later epochs: all 10 hard samples each epoch, weight 1; easy ones kept about half the time, weight 2.
    const later = await steps(trainer, 200);
    const counts = new Map<number, number>();
    for (const r of later) r.indices.forEach((i, k) => {
      counts.set(i, (counts.get(i) ?? 0) + 1);
      expect(r.weights[k]).toBe(hard(i) ? 1 : 2);
    });
    const hardVisits = [...counts].filter(([i]) => hard(i)).reduce((a, [, c]) => a + c, 0) / 10;
    const easyVisits = [...counts].filter(([i]) => !hard(i)).reduce((a, [, c]) => a + c, 0) / 30;
    // Expected: epochs of 10 + 15 = 25 samples, 1,000 draws ≈ 40 epochs: hard 40 visits, easy 20.
    expect(easyVisits / hardVisits).toBeGreaterThan(0.4);
    expect(easyVisits / hardVisits).toBeLessThan(0.6);
    // The weighted visits are unbiased: easy samples' weighted visits ≈ the hard ones'.
    expect(Math.abs((2 * easyVisits) / hardVisits - 1)).toBeLessThan(0.12);
    // From epoch 50 of samples seen on (now ~26), full epochs again.
    trainer.updateSettings({ pruneFullFrom: 20 });
    const full = await steps(trainer, 24);
    // The epoch under way when it switched finishes pruned; after it, every sample, weight 1.
    const tail = full.slice(-8).flatMap((r) => Array.from(r.weights));
    expect(tail.every((w) => w === 1)).toBe(true);
    trainer.dispose();
    d.dispose();
  });
});

describe('the engine with the later samplers', () => {
  it.each(['online-batch', 'infobatch'] as const)('%s trains the importance run beside the uniform run, settings from the link', async (sampler) => {
    const { harness, runFor, tinySettings } = await import('../../support/engineHarness');
    const h = harness();
    try {
      const own = sampler === 'online-batch' ? { rankPressure: 20, rankCorrection: 0.5 } : { pruneRatio: 0.3, pruneFullFrom: 0 };
      await h.engine.handle({ type: 'init', settings: tinySettings({ sampler, mode: 'importance', batchSize: 8, ...own }) });
      expect(h.of('error')).toEqual([]);
      await runFor(h, 12);
      expect(h.of('error')).toEqual([]);
      const points = h.steps('importance');
      expect(points.length).toBeGreaterThanOrEqual(12);
      expect(points.every((p) => p.sampler === sampler && p.importanceActive)).toBe(true);
      expect(h.steps('uniform').every((p) => !p.importanceActive)).toBe(true);
      expect(h.status().settings).toMatchObject(own);
    } finally {
      await h.engine.dispose();
    }
  });
});
