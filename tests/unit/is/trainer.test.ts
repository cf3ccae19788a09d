import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asLogitsModel,
  createRng,
  ImportanceTrainer,
  setLearningRate,
  tauFromScores,
  type LogitsModel,
  type StepReport,
  type TrainerSettings,
} from '../../../src/is';
import { TABLE_TAU_THRESHOLD } from '../../../src/is/tau';
import { perSampleGradients, randomData, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A "model" whose logits are a table, one row per sample (x is the identity), so each
 * sample's score is set by hand. A learning rate of 1e-9 keeps the scores where they are.
 */
function lookup(rows: number[][]): { model: LogitsModel; x: tf.Tensor2D; y: tf.Tensor2D; dispose: () => void } {
  const n = rows.length;
  const c = rows[0].length;
  const w = tf.variable(tf.tensor2d(rows));
  const x = tf.eye(n) as tf.Tensor2D;
  const y = tf.oneHot(tf.zeros([n], 'int32') as tf.Tensor1D, c).toFloat() as tf.Tensor2D;
  const model: LogitsModel = { classes: c, logits: (xx) => tf.matMul(xx, w), trainableWeights: () => [w] };
  return { model, x, y, dispose: () => tf.dispose([w, x, y]) };
}

const HARD = [-20, 20, 0]; // label 0 predicted as 1: score ≈ √2
const EASY = [20, -20, 0]; // score ≈ 6e-9
const fixedScores: Partial<TrainerSettings> = { optimizer: 'sgd', momentum: 0, learningRate: 1e-9 };

async function run(trainer: ImportanceTrainer, steps: number): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (let i = 0; i < steps; i++) reports.push(await trainer.step());
  return reports;
}

/** importanceActive_t must equal (EMA after step t−1 > τ_th), EMA from 0 with momentum 0.9. */
function checkAlgorithm1(reports: StepReport[]): void {
  let ema = 0;
  for (const r of reports) {
    expect(r.importanceActive, `step ${r.step}: EMA ${ema} vs τ_th ${r.tauThreshold}`).toBe(ema > r.tauThreshold);
    if (r.sampler === 'presample') expect(r.tauRaw).toBeCloseTo(tauFromScores(r.presampleScores), 12);
    ema = 0.9 * ema + 0.1 * r.tauRaw;
    expect(r.tauSmoothed).toBeCloseTo(ema, 12);
  }
}

describe('Algorithm 1 (auto mode)', () => {
  it('switches importance sampling on only after the EMA of τ crosses τ_th', async () => {
    // 4 hard samples in 64: a uniform batch of 16 with k hard ones has τ = sqrt(16/k)
    // (1 when k = 0); a presample of 48 has τ ≈ sqrt(48/k) ≈ 4. τ_th = (48 + 48)/48 = 2.
    const rows = Array.from({ length: 64 }, (_, i) => (i % 16 === 3 ? HARD : EASY));
    const d = lookup(rows);
    const trainer = new ImportanceTrainer({
      ...d,
      rng: createRng(8),
      settings: { ...fixedScores, mode: 'auto', batchSize: 16, presampleFactor: 3 },
    });
    const reports = await run(trainer, 60);
    checkAlgorithm1(reports);
    expect(reports[0].tauThreshold).toBeCloseTo(2, 12);
    const first = reports.findIndex((r) => r.importanceActive);
    // The EMA starts at 0: even at the largest τ (4) it needs 7 steps to pass 2.
    expect(first).toBeGreaterThanOrEqual(7);
    expect(first).toBeLessThan(40);
    for (const r of reports) {
      const hard = Array.from(r.presampleScores).filter((s) => s > 1).length;
      if (r.importanceActive) {
        expect(r.presampleScores.length).toBe(48);
        expect(r.tauRaw).toBeCloseTo(Math.sqrt(48 / hard), 3);
        // Nearly all the probability mass is on the hard samples, weighted Σs/(B·s).
        const sum = r.presampleScores.reduce((a, s) => a + s, 0);
        r.scores.forEach((s, k) => expect(r.weights[k]).toBeCloseTo(sum / (48 * s), 4));
        expect(r.indices.every((i) => i % 16 === 3)).toBe(true);
      } else {
        expect(r.presampleScores.length).toBe(16);
        const k = Array.from(r.indices).filter((i) => i % 16 === 3).length;
        expect(hard).toBe(k);
        expect(r.tauRaw).toBeCloseTo(k > 0 ? Math.sqrt(16 / k) : 1, 3);
        expect(Array.from(r.weights)).toEqual(new Array(16).fill(1));
      }
    }
    // Once on, the presample's τ ≈ 4 keeps it on.
    expect(reports.slice(first).every((r) => r.importanceActive)).toBe(true);
    trainer.dispose();
    d.dispose();
  });

  it('stays uniform while τ stays below τ_th', async () => {
    const rng = createRng(4);
    // Scores between ≈0.3 and ≈1.3: by Kantorovich τ ≤ (M + m)/(2√(Mm)) < 1.4 < τ_th = 2.
    const rows = Array.from({ length: 64 }, () => [rng.next() * 2 - 1, rng.next() * 2 - 1, rng.next() * 2 - 1]);
    const d = lookup(rows);
    const trainer = new ImportanceTrainer({ ...d, rng, settings: { ...fixedScores, mode: 'auto', batchSize: 16 } });
    const reports = await run(trainer, 40);
    checkAlgorithm1(reports);
    expect(reports.every((r) => !r.importanceActive && r.tauRaw < 1.4)).toBe(true);
    expect(trainer.tauSmoothed).toBeGreaterThan(0.9);
    trainer.dispose();
    d.dispose();
  });

  it('forced modes ignore τ, and the mode can change between steps', async () => {
    const equal = lookup(Array.from({ length: 64 }, () => EASY)); // τ = 1 < τ_th
    const forcedOn = new ImportanceTrainer({ ...equal, rng: createRng(1), settings: { ...fixedScores, mode: 'importance', batchSize: 8 } });
    const on = await run(forcedOn, 20);
    expect(on.every((r) => r.importanceActive && r.tauRaw < 1.0001 && r.mode === 'importance')).toBe(true);
    forcedOn.dispose();
    equal.dispose();

    const skewed = lookup(Array.from({ length: 64 }, (_, i) => (i % 16 === 3 ? HARD : EASY)));
    const trainer = new ImportanceTrainer({ ...skewed, rng: createRng(2), settings: { ...fixedScores, mode: 'uniform', batchSize: 16 } });
    const off = await run(trainer, 40);
    expect(off.every((r) => !r.importanceActive)).toBe(true);
    expect(trainer.tauSmoothed).toBeGreaterThan(trainer.tauThreshold); // auto would have switched
    trainer.updateSettings({ mode: 'auto' });
    expect((await trainer.step()).importanceActive).toBe(true);
    trainer.updateSettings({ mode: 'uniform' });
    expect((await trainer.step()).importanceActive).toBe(false);
    trainer.updateSettings({ mode: 'importance', tauThreshold: 100 });
    const r = await trainer.step();
    expect(r.importanceActive).toBe(true);
    expect(r.tauThreshold).toBe(100);
    trainer.updateSettings({ mode: 'auto' });
    expect((await trainer.step()).importanceActive).toBe(false);
    trainer.dispose();
    skewed.dispose();
  });

  it('with the score table: τ measured on its batches, τ_th = TABLE_TAU_THRESHOLD + the meter\'s margin by default, same switching rule', async () => {
    const rows = Array.from({ length: 64 }, (_, i) => (i % 16 === 3 ? HARD : EASY));
    const d = lookup(rows);
    const trainer = new ImportanceTrainer({
      ...d,
      rng: createRng(8),
      settings: { ...fixedScores, mode: 'auto', sampler: 'table', batchSize: 16 },
    });
    const reports = await run(trainer, 40);
    checkAlgorithm1(reports);
    // τ_th in force = the cost model's plus two standard errors of the table's τ meter, as it
    // stood when the step was decided (the reports of one block share it).
    expect(reports.every((r) => r.tauThreshold >= TABLE_TAU_THRESHOLD)).toBe(true);
    expect(reports.some((r) => r.tauThreshold > TABLE_TAU_THRESHOLD)).toBe(true);
    expect(trainer.tauThreshold).toBeCloseTo(TABLE_TAU_THRESHOLD + 2 * trainer.scoreTable!.measuredTauError, 12);
    const first = reports.findIndex((r) => r.importanceActive);
    expect(first).toBeGreaterThan(0);
    // Once the table knows the hard samples, the draws go to them.
    const last = reports[reports.length - 1];
    expect(last.importanceActive).toBe(true);
    expect(last.indices.filter((i) => i % 16 === 3).length).toBeGreaterThan(12);
    trainer.dispose();
    d.dispose();
  });
});

describe('uniform mode', () => {
  it('trains as a uniform run does whatever the sampler: the same draws, losses and τ, no table upkeep', async () => {
    // An A/A race (docs/method.md §6) needs two runs in uniform mode to do the same work: before,
    // the score table's run kept drawing its weights and updating its table in uniform mode
    // (1.3-1.5× a uniform step on small settings).
    const { x, y } = randomData(createRng(11), 96, 6, 3);
    const trainers = (['table', 'presample'] as const).map((sampler) => {
      const model = tinyMlp(5, 6, 4, 3);
      return { model, trainer: new ImportanceTrainer({ model: asLogitsModel(model), x, y, rng: createRng(4), settings: { mode: 'uniform', sampler, batchSize: 8 } }) };
    });
    const [table, presample] = await Promise.all(trainers.map(({ trainer }) => trainer.trainBlock(6)));
    for (let k = 0; k < 6; k++) {
      expect(Array.from(table[k].indices)).toEqual(Array.from(presample[k].indices));
      expect(table[k].batchLoss).toBe(presample[k].batchLoss);
      expect(table[k].tauRaw).toBe(presample[k].tauRaw);
      expect(table[k].tauRaw).toBe(tauFromScores(table[k].scores));
    }
    expect(trainers[0].trainer.scoreTable).toBeNull();
    // Auto mode brings the table back (and uniform steps under τ_th then keep it warm).
    trainers[0].trainer.updateSettings({ mode: 'auto' });
    await trainers[0].trainer.step();
    expect(trainers[0].trainer.scoreTable?.step).toBe(1);
    for (const { model, trainer } of trainers) {
      trainer.dispose();
      model.dispose();
    }
    tf.dispose([x, y]);
  });
});

describe('one step', () => {
  /** θ_after − θ_before must be −lr · (1/b) Σ w_k ∇ℓ_{i_k}(θ_before); the batch loss (1/b) Σ w_k ℓ_{i_k}(θ_before). */
  async function checkStep(settings: Partial<TrainerSettings>, steps = 3): Promise<StepReport[]> {
    const rng = createRng(30);
    const model = asLogitsModel(tinyMlp(9, 4, 5, 3));
    const { x, y, labels } = randomData(rng, 24, 4, 3);
    const lr = 0.1;
    const trainer = new ImportanceTrainer({
      model, x, y, rng,
      settings: { optimizer: 'sgd', momentum: 0, learningRate: lr, batchSize: 4, presampleFactor: 3, ...settings },
    });
    const flat = async (): Promise<Float64Array> => {
      const t = tf.tidy(() => tf.concat(model.trainableWeights().map((v) => tf.reshape(v, [-1]))));
      const out = Float64Array.from(await t.data());
      t.dispose();
      return out;
    };
    const reports: StepReport[] = [];
    for (let s = 0; s < steps; s++) {
      const grads = await perSampleGradients((xi) => model.logits(xi, true), model.trainableWeights(), x, y);
      const lossT = tf.tidy(() => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(model.logits(x, false))), 1)));
      const losses = await lossT.data();
      lossT.dispose();
      const before = await flat();
      const r = await trainer.step();
      const after = await flat();
      let expectedLoss = 0;
      for (let j = 0; j < before.length; j++) {
        let g = 0;
        r.indices.forEach((i, k) => (g += (r.weights[k] * grads[i][j]) / r.indices.length));
        expect(after[j] - before[j]).toBeCloseTo(-lr * g, 5);
      }
      r.indices.forEach((i, k) => (expectedLoss += (r.weights[k] * losses[i]) / r.indices.length));
      expect(r.batchLoss).toBeCloseTo(expectedLoss, 5);
      expect(r.indices.length).toBe(4);
      expect(labels.length).toBe(24);
      reports.push(r);
    }
    trainer.dispose();
    tf.dispose([x, y]);
    return reports;
  }

  it('uniform: weights 1, plain mean gradient', async () => {
    const reports = await checkStep({ mode: 'uniform' });
    expect(reports.every((r) => r.weights.every((w) => w === 1))).toBe(true);
  });

  it('presample importance: weighted gradient with w = 1/(B·p), scores of the drawn samples', async () => {
    const reports = await checkStep({ mode: 'importance', smoothing: 0.2 });
    for (const r of reports) {
      const mean = r.presampleScores.reduce((a, s) => a + s, 0) / 12;
      const total = r.presampleScores.reduce((a, s) => a + s + 0.2 * mean, 0);
      r.scores.forEach((s, k) => expect(r.weights[k]).toBeCloseTo(total / (12 * (s + 0.2 * mean)), 4));
      expect(r.presampleSummary.count).toBe(12);
    }
  });

  it('score table: weighted gradient with w = 1/(N·p), table updated with the batch scores, τ from the table', async () => {
    const reports = await checkStep({ mode: 'importance', sampler: 'table' }, 4);
    expect(reports.every((r) => r.importanceActive && r.sampler === 'table')).toBe(true);
    expect(reports.some((r) => r.weights.some((w) => Math.abs(w - 1) > 1e-3))).toBe(true);
  });

  it('score table keeps the batch scores and reports the τ measured on its batches', async () => {
    const rng = createRng(3);
    const model = asLogitsModel(tinyMlp(9, 4, 5, 3));
    const { x, y } = randomData(rng, 40, 4, 3);
    const trainer = new ImportanceTrainer({ model, x, y, rng, settings: { mode: 'importance', sampler: 'table', batchSize: 5, score: 'loss' } });
    for (let s = 0; s < 6; s++) {
      const r = await trainer.step();
      const table = trainer.scoreTable;
      if (!table) throw new Error('no table');
      expect(r.tauRaw).toBe(table.measuredTau);
      // Last write wins for repeated indices.
      const last = new Map<number, number>();
      r.indices.forEach((i, k) => last.set(i, r.scores[k]));
      for (const [i, s] of last) expect(table.score(i)).toBeCloseTo(s, 6);
    }
    trainer.dispose();
    tf.dispose([x, y]);
  });

  it('the same seed gives the same run', async () => {
    const go = async (): Promise<Int32Array[]> => {
      const rng = createRng(77);
      const model = asLogitsModel(tinyMlp(3, 4, 5, 3));
      const { x, y } = randomData(rng, 32, 4, 3);
      const trainer = new ImportanceTrainer({ model, x, y, rng, settings: { mode: 'importance', batchSize: 4, learningRate: 0.01 } });
      const out: Int32Array[] = [];
      for (let s = 0; s < 4; s++) out.push((await trainer.step()).indices);
      trainer.updateSettings({ sampler: 'table' });
      for (let s = 0; s < 4; s++) out.push((await trainer.step()).indices);
      trainer.dispose();
      tf.dispose([x, y]);
      return out;
    };
    expect(await go()).toEqual(await go());
  });

  it('settings change between steps: a learning rate change keeps the optimizer state (SGD and Adam)', async () => {
    for (const make of [() => tf.train.momentum(0.1, 0.5), () => tf.train.adam(0.1)]) {
      const v = tf.variable(tf.scalar(1));
      const opt = make();
      const stepOnce = async (): Promise<number> => {
        const before = (await v.data())[0];
        opt.minimize(() => tf.square(v) as tf.Scalar, false, [v]);
        return (await v.data())[0] - before;
      };
      const first = await stepOnce();
      expect(Math.abs(first)).toBeGreaterThan(0.05);
      expect(setLearningRate(opt, 1e-4)).toBe(true);
      const second = await stepOnce();
      expect(Math.abs(second)).toBeLessThan(1e-3);
      expect(Math.abs(second)).toBeGreaterThan(1e-6);
      opt.dispose();
      v.dispose();
    }
  });

  it('updateSettings during a step applies from the next step; step() may not overlap', async () => {
    const rng = createRng(5);
    const model = asLogitsModel(tinyMlp(9, 4, 5, 3));
    const { x, y } = randomData(rng, 40, 4, 3);
    const trainer = new ImportanceTrainer({ model, x, y, rng, settings: { mode: 'importance', batchSize: 4 } });
    const pending = trainer.step();
    await expect(trainer.step()).rejects.toThrow(/another step is running/);
    trainer.updateSettings({ batchSize: 6 });
    expect(() => trainer.updateSettings({ presampleFactor: 1 })).toThrow(/presampleFactor/);
    expect((await pending).indices.length).toBe(4);
    expect(trainer.settings.batchSize).toBe(6);
    expect((await trainer.step()).indices.length).toBe(6);
    trainer.dispose();
    tf.dispose([x, y]);
  });
});
