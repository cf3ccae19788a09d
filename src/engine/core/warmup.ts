// GPU backends compile a kernel the first time they meet an op and shape. Whichever run
// stepped first would pay that on its clock, so before the first step (and after a change
// of model or batch shapes) a scratch copy of the model takes one importance and one uniform
// step, on no run's clock, and is thrown away (docs/method.md §7).
import type { DeviceData } from '../../data';
import { asLogitsModel, createRng, presampleSize, type TrainerSettings } from '../../is';
import { cloneModel, type ModelConfig, type ModelName } from '../../models';
import type * as tf from '@tensorflow/tfjs';
import { errorText, isDeviceLost } from './faults';
import { defaultTrainerFactory, type TrainerFactory } from './race';
import type { RunTrainer } from './run';

export interface WarmUpSpec {
  model: ModelName;
  modelConfig: ModelConfig;
  /** Weights to copy (any run's model). Not owned. */
  source: tf.LayersModel;
  data: DeviceData;
  /** The importance run's settings; the scratch trainer forces importance, then uniform. */
  settings: TrainerSettings;
  seed: number;
  /**
   * The block sizes the race will run (a block's packed read has a shape per size, and each
   * shape is a kernel of its own). Default [1].
   */
  blockSizes?: readonly number[];
  createTrainer?: TrainerFactory;
}

/** What the compiled kernels depend on: warm up again when it changes. */
export function warmUpKey(model: ModelName, inputShape: readonly number[], s: TrainerSettings, blockSizes: readonly number[] = [1]): string {
  return JSON.stringify([model, inputShape, s.batchSize, presampleSize(s), s.score, s.sampler, [...blockSizes].sort((a, b) => a - b)]);
}

/** The block sizes a race with these settings runs: k, and the shorter block that ends on an evaluation step. */
export function blockSizesOf(blockSteps: number, evalInterval: number): number[] {
  const k = Math.max(1, Math.min(blockSteps, evalInterval));
  const rest = evalInterval % k;
  return rest ? [k, rest] : [k];
}

/** Compiles the kernels of both kinds of step. Errors other than a lost device are ignored. */
export async function compileKernels(spec: WarmUpSpec): Promise<void> {
  const scratch = cloneModel(spec.model, spec.modelConfig, spec.source);
  let trainer: RunTrainer | null = null;
  try {
    const settings: TrainerSettings = { ...spec.settings, mode: 'importance', tauThreshold: null };
    if (presampleSize(settings) > spec.data.train.count) settings.mode = 'uniform';
    trainer = (spec.createTrainer ?? defaultTrainerFactory)({
      run: 'importance',
      model: asLogitsModel(scratch),
      data: spec.data,
      settings,
      rng: createRng(spec.seed),
    });
    // Each ends with a read: the queue is empty when the first clock starts.
    const sizes = spec.blockSizes ?? [1];
    for (const k of sizes) await trainer.trainBlock(k);
    trainer.updateSettings({ mode: 'uniform' });
    for (const k of sizes) await trainer.trainBlock(k);
  } catch (e) {
    // Only a warm-up: the real steps report their own errors.
    if (isDeviceLost(errorText(e))) throw e;
  } finally {
    trainer?.dispose();
    scratch.dispose();
  }
}
