// GPU backends compile a kernel the first time they meet an op and shape. Whichever run
// stepped first would pay that on its clock, so before the first step (and after a change
// of model or batch shapes) a scratch copy of the model takes one importance and one uniform
// step, on no run's clock, and is thrown away (docs/method.md §7).
import type { DeviceData } from '../data';
import { asLogitsModel, createRng, presampleSize, type TrainerSettings } from '../is';
import { cloneModel, type ModelConfig, type ModelName } from '../models';
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
  createTrainer?: TrainerFactory;
}

/** What the compiled kernels depend on: warm up again when it changes. */
export function warmUpKey(model: ModelName, inputShape: readonly number[], s: TrainerSettings): string {
  return JSON.stringify([model, inputShape, s.batchSize, presampleSize(s), s.score, s.sampler]);
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
    await trainer.trainBlock(1);
    trainer.updateSettings({ mode: 'uniform' });
    await trainer.trainBlock(1);
  } catch (e) {
    // Only a warm-up: the real steps report their own errors.
    if (isDeviceLost(errorText(e))) throw e;
  } finally {
    trainer?.dispose();
    scratch.dispose();
  }
}
