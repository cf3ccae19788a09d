// Steps in blocks (docs/method.md §7): one read per block, reproducible boundaries, no growth.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asLogitsModel, createRng, ImportanceTrainer, type StepReport, type TrainerSettings } from '../../../src/is';
import { harness, runFor, tinySettings, type Harness } from '../../support/engineHarness';
import { randomData, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let engines: Harness[] = [];
afterEach(async () => {
  for (const h of engines) await h.engine.dispose();
  engines = [];
});

function trainer(settings: Partial<TrainerSettings>, seed = 3): { t: ImportanceTrainer; free: () => void } {
  const rng = createRng(seed);
  const model = tinyMlp(seed, 8, 8, 3);
  const { x, y } = randomData(createRng(seed + 100), 64, 8, 3);
  const t = new ImportanceTrainer({ model: asLogitsModel(model), x, y, rng, settings: { batchSize: 8, learningRate: 0.05, ...settings } });
  return { t, free: () => (t.dispose(), model.dispose(), tf.dispose([x, y])) };
}

describe('training in blocks', () => {
  it('awaits one device read per block, whatever its size', async () => {
    const { t, free } = trainer({ mode: 'importance', sampler: 'presample' });
    const sizes = [1, 8, 3, 16];
    const reports: StepReport[] = [];
    for (const k of sizes) reports.push(...(await t.trainBlock(k)));
    expect(t.readsAwaited).toBe(sizes.length);
    expect(reports.map((r) => r.step)).toEqual(Array.from({ length: 28 }, (_, i) => i));
    // Each report has its own draw: indices, weights, scores and the presample read back.
    expect(reports.every((r) => r.indices.length === 8 && r.weights.length === 8 && r.presampleScores.length === 24)).toBe(true);
    expect(reports.every((r) => r.importanceActive && r.weights.some((w) => w !== 1))).toBe(true);
    free();
  });

  it('the same seed and block size give the same run; blocks see τ and the table from their start', async () => {
    for (const settings of [
      { mode: 'auto', sampler: 'table', tauThreshold: 1.02 },
      { mode: 'auto', sampler: 'presample', tauThreshold: 1.05 },
    ] as Partial<TrainerSettings>[]) {
      const run = async (blocks: number[]): Promise<number[]> => {
        const { t, free } = trainer(settings);
        const losses: number[] = [];
        for (const k of blocks) for (const r of await t.trainBlock(k)) losses.push(r.batchLoss);
        free();
        return losses;
      };
      const a = await run([8, 8, 8, 8, 8]);
      const b = await run([8, 8, 8, 8, 8]);
      expect(b).toEqual(a);
      // Within a block the condition does not change: a block is all importance or all uniform.
      const { t, free } = trainer(settings);
      for (let i = 0; i < 6; i++) {
        const block = await t.trainBlock(8);
        expect(new Set(block.map((r) => r.importanceActive)).size).toBe(1);
      }
      free();
    }
  });

  it('holds no growing number of tensors over 2,000 steps in blocks', async () => {
    for (const settings of [
      { mode: 'importance', sampler: 'presample' },
      { mode: 'auto', sampler: 'table', tauThreshold: 1.02 },
    ] as Partial<TrainerSettings>[]) {
      const baseline = tf.memory().numTensors;
      const { t, free } = trainer(settings);
      let at10 = -1;
      for (let block = 1; block <= 250; block++) {
        await t.trainBlock(8);
        if (block === 10) at10 = tf.memory().numTensors;
      }
      expect(t.steps).toBe(2000);
      expect(tf.memory().numTensors).toBe(at10);
      free();
      expect(tf.memory().numTensors).toBe(baseline);
    }
  });

  it('the engine: a pause lands on a block boundary, and resuming continues the same run as without the pause', async () => {
    const settings = tinySettings({ mode: 'auto', sampler: 'table', tauThresholdMode: 'fixed', tauThreshold: 1.02, blockSteps: 4, evalInterval: 12 });
    const straight = harness();
    const paused = harness();
    engines.push(straight, paused);
    await straight.engine.handle({ type: 'init', settings });
    await paused.engine.handle({ type: 'init', settings });
    await runFor(straight, 48);
    // Several pauses at whatever step the loop is at.
    for (const n of [5, 17, 30, 48]) await runFor(paused, n);
    for (const h of [straight, paused]) {
      const steps = h.status().runs.importance!.step;
      expect(steps % 4).toBe(0);
    }
    for (const run of ['importance', 'uniform'] as const) {
      const a = straight.steps(run).map((p) => p.batchLoss);
      const b = paused.steps(run).map((p) => p.batchLoss);
      const n = Math.min(a.length, b.length);
      expect(n).toBeGreaterThanOrEqual(48);
      expect(b.slice(0, n)).toEqual(a.slice(0, n));
    }
    // Evaluations fall on multiples of evalInterval, blocks or not.
    expect(straight.evals('importance').map((e) => e.step).slice(0, 5)).toEqual([0, 12, 24, 36, 48]);
    // One read per block and one per evaluation (the importance run also made the step-0
    // evaluation both runs share): 12 blocks and 4 + 1 evaluations in 48 steps.
    const s = straight.status().runs.importance!;
    const blocks = s.step / 4;
    const evals = Math.floor(s.step / 12) + 1;
    expect(s.readsPerStep).toBeCloseTo((blocks + evals) / s.step, 10);
  });
});
