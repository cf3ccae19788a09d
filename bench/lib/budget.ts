// Budgets in epochs of uniform sampling (docs/method.md §7). A budget in seconds means
// different amounts of training on different machines and under different load; a budget in
// epochs of uniform does not. It is turned into own-clock milliseconds by timing a short
// uniform run of the same model, batch size and optimizer in the same process, just before
// the race it sizes, so the race and its calibration see the same backend and load.
import type { TrainerSettings } from '../../src/is/index.ts';
import type { ModelName } from '../../src/models/index.ts';
import type { BenchData } from './data.ts';
import { makeRun, stepBlock } from './race.ts';

export interface Calibration {
  /** Own-clock ms per uniform step (after one warm-up block). */
  msPerStep: number;
  /** Uniform steps timed. */
  steps: number;
}

/**
 * Times `blocks` blocks of `blockSteps` uniform steps (after one untimed warm-up block that
 * compiles the kernels) of a throw-away run built like the race's runs. The run is disposed.
 */
export async function calibrateUniform(
  model: ModelName,
  seed: number,
  settings: Partial<TrainerSettings>,
  data: BenchData,
  opts: { blocks?: number; blockSteps?: number } = {},
): Promise<Calibration> {
  const blocks = opts.blocks ?? 4;
  const k = opts.blockSteps ?? 8;
  const run = makeRun(model, seed, { label: 'calibration', settings: { ...settings, mode: 'uniform' } }, data);
  try {
    await stepBlock(run, k);
    const clock0 = run.clockMs;
    for (let i = 0; i < blocks; i++) await stepBlock(run, k);
    const steps = blocks * k;
    return { msPerStep: (run.clockMs - clock0) / steps, steps };
  } finally {
    run.dispose();
  }
}

/** Own-clock budget, ms, of `epochs` epochs of uniform steps of batch size b over n samples. */
export function epochBudgetMs(epochs: number, n: number, batchSize: number, msPerStep: number): number {
  return (epochs * n * msPerStep) / batchSize;
}

/** Epochs of uniform training that `steps` steps of batch size b over n samples make. */
export const epochsOf = (steps: number, n: number, batchSize: number): number => (steps * batchSize) / n;
