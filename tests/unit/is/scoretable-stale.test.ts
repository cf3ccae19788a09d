// The score table's τ when the table is stale (docs/method.md §5): scores drift between visits,
// so the table's q trails the current gradient norms and sampling by it can do worse than
// uniform. The measured τ must then keep Algorithm 1 uniform: it may not read above the τ_th in
// force, and its standard error must describe its scatter. Runs the real TableSampler (draw →
// observe, blocks of 8 drawn before any is observed, as the trainer does), with scores from a
// seeded drift process instead of a model.
import { describe, expect, it } from 'vitest';
import { conditionFor } from '../../../src/is/condition';
import { createRng } from '../../../src/is/rng';
import { TableSampler } from '../../../src/is/samplers/table/sampler';
import { DEFAULT_SETTINGS } from '../../../src/is/settings';
import { TABLE_TAU_THRESHOLD, TauEstimator, tauForSampling } from '../../../src/is/tau';
import type { LogitsModel, Rng, TrainerSettings } from '../../../src/is/types';
import type * as tf from '@tensorflow/tfjs';

const gauss = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/**
 * N samples whose scores drift: s_i(t) = h_i·exp(X_i(t)), h_i log-normal (a few hard samples, many
 * easy ones, as on MNIST), X_i an AR(1) process with stationary sd `sigma` and correlation time
 * `corrSteps` steps. A visit reads s_i(t) at the step it is trained.
 */
function driftingScores(n: number, rng: Rng, sigma: number, corrSteps: number) {
  const h = Float64Array.from({ length: n }, () => 0.05 * Math.exp(1.5 * gauss(rng)));
  const x = Float64Array.from({ length: n }, () => sigma * gauss(rng));
  const rho = Math.exp(-1 / corrSteps);
  const kick = Math.sqrt(1 - rho * rho) * sigma;
  return {
    now: (): Float64Array => Float64Array.from(h, (hi, i) => Math.min(1.4, hi * Math.exp(x[i]))),
    step: (): void => {
      for (let i = 0; i < n; i++) x[i] = rho * x[i] + kick * gauss(rng);
    },
  };
}

interface StaleRun {
  /** Per block after the warm-up: exact τ_q of the table's q on the current scores, τ̄, τ_th in force, switched on. */
  blocks: { exact: number; tauBar: number; threshold: number; on: boolean; measured: number; se: number }[];
}

/** Algorithm 1 with the table (auto, τ̄ from 0 with momentum 0.9) over `blocks` blocks of 8 steps. */
function staleRace(seed: number, settings: Partial<TrainerSettings>, blocks: number, forced = false): StaleRun {
  const n = 4000;
  const b = 32;
  const rng = createRng(seed);
  const scores = driftingScores(n, createRng(seed + 1000), 1.5, 200);
  const s: TrainerSettings = { ...DEFAULT_SETTINGS, sampler: 'table', mode: 'auto', batchSize: b, ...settings };
  // The table sampler draws and observes on the CPU only: the model and data are never touched.
  const sampler = new TableSampler({ n, rng, settings: s, model: {} as LogitsModel, x: {} as tf.Tensor, y: {} as tf.Tensor2D });
  const first = Int32Array.from({ length: n }, (_, i) => i);
  sampler.scoreTable.update(first, scores.now()); // a warm table: every sample scored once
  const ema = new TauEstimator(0.9);
  const auto = conditionFor(forced ? 'importance' : 'auto');
  const out: StaleRun['blocks'] = [];
  for (let block = 0; block < blocks; block++) {
    const threshold = TABLE_TAU_THRESHOLD + (sampler.tauMargin?.() ?? 0);
    const on = auto.isMet({ smoothed: ema.smoothed, threshold });
    const table = sampler.scoreTable;
    const q = Float64Array.from({ length: n }, (_, i) => table.probability(i));
    const exact = tauForSampling(scores.now(), q);
    if (block >= 60) out.push({ exact, tauBar: ema.smoothed, threshold, on, measured: table.measuredTau, se: table.measuredTauError ?? 0 });
    const draws = Array.from({ length: 8 }, () => sampler.draw(s, on));
    for (const d of draws) {
      scores.step();
      const cur = scores.now();
      const indices = d.indices as Int32Array;
      const weights = d.weights === null ? new Float32Array(b).fill(1) : (d.weights as Float32Array);
      ema.update(sampler.observe({ indices, weights, scores: Float32Array.from(indices, (i) => cur[i]), presampleScores: null }));
    }
  }
  return { blocks: out };
}

describe('the score table gone stale', () => {
  it('does not read above the τ_th in force where the exact τ is below 1', () => {
    // c = 0, importance draws (they leave the rest of the table to go stale) and drifting
    // scores: the table's q trails the scores and sampling by it loses (exact τ ≈ 0.94 on
    // average). Where the exact τ is below 1, τ̄ must stay under the τ_th that Algorithm 1
    // would compare it with. Measured with this code: above it in 1.7 % of such blocks (seeds
    // 1-6); with the old meter (v read after the block's earlier batches had updated the table,
    // 19 batches pooled, τ_th 1.05 and no margin) in 26 % (seeds 1-4).
    let below1 = 0;
    let on = 0;
    for (const seed of [1, 2, 3, 4]) {
      for (const blk of staleRace(seed, { tableSmoothing: 0 }, 220, true).blocks) {
        if (blk.exact >= 1) continue;
        below1++;
        if (blk.tauBar > blk.threshold) on++;
      }
    }
    expect(below1).toBeGreaterThan(400); // the scenario is the stale one it claims to be
    expect(on / below1).toBeLessThan(0.04);
  });

  it('measures τ within its standard error: 2·se covers the exact τ from above in most blocks', () => {
    // Importance sampling forced, so that the meter pools importance batches, whose heavy-tailed
    // weights make the measurement hardest. A normal error would put τ − 2·se above the exact τ
    // in 2.3 % of readings; the heavy tail makes it more: measured 12.9 % here (N = 4,000,
    // b = 32, seeds 1-6) and 9.9 % with N = 8,000, b = 64; the bound allows 18 %. Without the
    // margin the same readings stand above the exact τ in 59 % of the blocks.
    let total = 0;
    let over = 0;
    let plainOver = 0;
    for (const seed of [5, 6, 7]) {
      for (const blk of staleRace(seed, { tableSmoothing: 0 }, 200, true).blocks) {
        total++;
        if (blk.measured - 2 * blk.se > blk.exact) over++;
        if (blk.measured > blk.exact) plainOver++;
        expect(blk.se).toBeGreaterThan(0);
        expect(blk.se / blk.measured).toBeLessThan(0.2);
      }
    }
    expect(over / total).toBeLessThan(0.18);
    expect(plainOver / total).toBeGreaterThan(0.4);
  });

  it('weighs each batch with the q it was drawn from, not the table after the block\'s earlier batches', () => {
    // A block whose batches repeat samples: the second batch's samples were rescored by the
    // first. Their v must still be the draw's, 1/(N·q) of the table at the block's start.
    const n = 20;
    const s: TrainerSettings = { ...DEFAULT_SETTINGS, sampler: 'table', mode: 'importance', batchSize: 4 };
    const sampler = new TableSampler({ n, rng: createRng(3), settings: s, model: {} as LogitsModel, x: {} as tf.Tensor, y: {} as tf.Tensor2D });
    const table = sampler.scoreTable;
    table.update(Int32Array.from({ length: n }, (_, i) => i), Float64Array.from({ length: n }, (_, i) => (i < 2 ? 1 : 0.01)));
    const d1 = sampler.draw(s, true);
    const d2 = sampler.draw(s, true);
    const v2 = Float64Array.from(d2.indices as Int32Array, (i) => 1 / (n * table.probability(i)));
    const settle = (d: typeof d1, sc: number) => ({
      indices: d.indices as Int32Array,
      weights: d.weights as Float32Array,
      scores: new Float32Array(4).fill(sc),
      presampleScores: null,
    });
    sampler.observe(settle(d1, 0.5)); // rescoring every sample of d1 changes q
    const before = { num: 0, den: 0 };
    const w2 = d2.weights as Float32Array;
    for (let k = 0; k < 4; k++) {
      before.num += w2[k] * 0.25;
      before.den += w2[k] * v2[k] * 0.25;
    }
    // The meter's τ after d2 = sqrt(EMA(num)/EMA(den)) with d2's terms taken with v at the draw.
    const m = table.measuredTau;
    sampler.observe(settle(d2, 0.5));
    const after = table.measuredTau;
    expect(after).not.toBe(m);
    // Recompute the pooled ratio by hand with the draw-time v (momentum of the pool for b = 4, N = 20: 0.9).
    const d1w = d1.weights as Float32Array;
    const v1 = Float64Array.from(d1w, (w) => w); // for an importance draw, v = w at the draw
    let n1 = 0;
    let dd1 = 0;
    for (let k = 0; k < 4; k++) {
      n1 += d1w[k] * 0.25;
      dd1 += d1w[k] * v1[k] * 0.25;
    }
    const num = 0.9 * 0.1 * (n1 / 4) + 0.1 * (before.num / 4);
    const den = 0.9 * 0.1 * (dd1 / 4) + 0.1 * (before.den / 4);
    expect(after).toBeCloseTo(Math.sqrt(num / den), 5);
  });
});
