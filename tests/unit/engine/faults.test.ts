import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ImportanceTrainer, TrainingDivergedError, type StepReport } from '../../../src/is';
import type { TrainerFactory } from '../../../src/engine/page/engine';
import { harness, runFor, tinySettings, waitUntil, type Harness } from '../../support/engineHarness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});

/** The real trainer, but step number `failAt` (1-based, per run) throws `message` once. */
function failingTrainer(failAt: number, message: string, runs: string[] = ['importance', 'uniform']): TrainerFactory {
  let fired = false;
  return (ctx) => {
    const t = new ImportanceTrainer({ model: ctx.model, x: ctx.data.train.x, y: ctx.data.train.y, rng: ctx.rng, settings: ctx.settings });
    let n = 0;
    const block = t.trainBlock.bind(t);
    // Blocks run step by step here, so that the failure lands on exactly step `failAt`.
    t.trainBlock = async (k: number) => {
      const reports = [];
      for (let i = 0; i < k; i++) {
        n++;
        if (!fired && n === failAt && runs.includes(ctx.run)) {
          fired = true;
          throw new Error(message);
        }
        reports.push(...(await block(1)));
      }
      return reports;
    };
    return t;
  };
}

/** Runs block(1) k times; a divergence carries every step completed before it. */
async function stepByStep(block: (k: number) => Promise<StepReport[]>, k: number, before: (i: number) => void): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (let i = 0; i < k; i++) {
    before(i);
    try {
      reports.push(...(await block(1)));
    } catch (e) {
      if (e instanceof TrainingDivergedError) throw new TrainingDivergedError(e.message, [...reports, ...e.completed]);
      throw e;
    }
  }
  return reports;
}

/** The real trainer; after `steps` steps its weights are multiplied by 1e30 (once). */
function poisonAfter(steps: number): TrainerFactory {
  return (ctx) => {
    const t = new ImportanceTrainer({ model: ctx.model, x: ctx.data.train.x, y: ctx.data.train.y, rng: ctx.rng, settings: ctx.settings });
    let n = 0;
    const block = t.trainBlock.bind(t);
    t.trainBlock = (k: number) =>
      stepByStep(block, k, () => {
        if (n++ === steps) {
          for (const w of ctx.model.trainableWeights()) w.assign(tf.tidy(() => tf.mul(w, 1e30)));
        }
      });
    return t;
  };
}

describe('engine faults', () => {
  it('a NaN or infinite loss halts each run with a reason', async () => {
    // The schema's largest learning rate (10) does not reliably diverge these small ReLU
    // models on tfjs (the ReLUs die first and the loss stays finite), so after two steps at
    // that rate the weights are blown up by the factor a runaway update would reach: the
    // next forward pass overflows float32 and the real trainer reports a non-finite loss.
    h = harness({ createTrainer: poisonAfter(2) });
    await h.engine.handle({ type: 'init', settings: tinySettings({ optimizer: 'sgd', learningRate: 10, mode: 'uniform' }) });
    await h.engine.handle({ type: 'start' });
    await waitUntil(() => h!.status().state !== 'running', 60_000, 'both runs to halt');
    await h.engine.whenIdle();
    const s = h.status();
    expect(s.state).toBe('paused');
    for (const id of ['importance', 'uniform'] as const) {
      expect(s.runs[id]?.haltedReason).toMatch(/non-finite|NaN|Infinity/);
      expect(s.runs[id]?.step).toBe(2);
    }
    expect(h.of('error')).toEqual([]);
    expect(h.of('notice').filter((n) => /halted/.test(n.message)).length).toBe(2);
    // Nothing non-finite reached the charts as a training step.
    h.clear();
    await h.engine.handle({ type: 'start' });
    expect(h.of('notice').some((n) => /Every run has halted/.test(n.message))).toBe(true);
    expect(h.status().state).toBe('paused');
    // Lower the learning rate and reset: trains again.
    await h.engine.handle({ type: 'update', change: { learningRate: 0.01 } });
    await h.engine.handle({ type: 'reset' });
    expect(h.status().runs.importance?.haltedReason).toBeNull();
    await h.engine.handle({ type: 'step' });
    expect(h.status().runs.importance?.step).toBe(1);
  });

  it('rejects invalid settings with the messages and changes nothing', async () => {
    h = harness();
    // init with invalid settings: error, still idle
    await h.engine.handle({ type: 'init', settings: tinySettings({ learningRate: -1 }) });
    expect(h.of('error')[0]).toMatchObject({ fatal: false });
    expect(h.of('error')[0].message).toMatch(/Learning rate must be between/);
    expect(h.status().state).toBe('idle');

    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await h.engine.handle({ type: 'step' });
    const before = h.status();
    h.clear();
    const bad = [
      { learningRate: -1 },
      { batchSize: 2.5 },
      { mode: 'sometimes' },
      { nonsense: 1 },
      { evalSize: 10_000, trainCap: 100 },
      // B = 3 · 300 = 900 > N = 400: the trainer's rule
      { batchSize: 300 },
      // same rule through a restarting change: trainCap leaves N = 40 < B = 24? no: b = 8, B = 24 ≤ 40; so cap 20
      { trainCap: 20, evalSize: 32 },
    ];
    for (const change of bad) {
      await h.engine.handle({ type: 'update', change: change as never });
    }
    const errors = h.of('error');
    expect(errors).toHaveLength(bad.length);
    expect(errors.every((e) => !e.fatal && /Invalid settings|must|exceed|set /.test(e.message))).toBe(true);
    expect(errors[0].message).toMatch(/Learning rate/);
    expect(errors[3].message).toMatch(/unknown setting "nonsense"/);
    expect(errors[5].message).toMatch(/presampleFactor|batchSize/);
    expect(h.of('notice')).toEqual([]);
    const after = h.status();
    expect(after.settings).toEqual(before.settings);
    expect(after.runs).toEqual(before.runs);
    expect(after.dataset).toEqual(before.dataset);
    // still usable
    await h.engine.handle({ type: 'step' });
    expect(h.status().runs.importance?.step).toBe(2);
  });

  it('an exception in a run reaches the UI as an error with its message; the other run goes on', async () => {
    h = harness({ createTrainer: failingTrainer(2, 'boom in the sampler', ['importance']) });
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    const err = h.of('error');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ fatal: false });
    expect(err[0].message).toMatch(/boom in the sampler/);
    const s = h.status();
    expect(s.runs.importance?.haltedReason).toMatch(/boom in the sampler/);
    expect(s.runs.importance?.step).toBe(1);
    expect(s.runs.uniform?.step).toBe(3);
  });

  it('commands before init are answered with an error, not a crash', async () => {
    h = harness();
    await h.engine.handle({ type: 'start' });
    await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'bogus' } as never);
    const errors = h.of('error');
    expect(errors).toHaveLength(3);
    expect(errors[0].message).toMatch(/not initialized/);
    expect(errors[2].message).toMatch(/unknown command/);
    expect(errors.every((e) => !e.fatal)).toBe(true);
  });

  it('a lost GPU device is a fatal error; the next start recovers on a new backend instance', async () => {
    h = harness({ createTrainer: failingTrainer(3, 'GPU device was lost (unknown): simulated') });
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await h.engine.handle({ type: 'start' });
    await waitUntil(() => h!.status().state === 'error', 30_000, 'the fatal error');
    await h.engine.whenIdle();
    const fatal = h.of('error').filter((e) => e.fatal);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].message).toMatch(/device was lost.*press Start/);
    // Recovery on the next start: rebuilt from step 0 and training.
    h.clear();
    await runFor(h, 4);
    expect(h.of('notice').some((n) => /new GPU device/.test(n.message))).toBe(true);
    expect(h.status().state).toBe('paused');
    expect(h.status().runs.importance?.step).toBeGreaterThanOrEqual(4);
    expect(h.status().runs.importance?.haltedReason).toBeNull();
  });
});
