// Training runs as the playground makes them: a zoo model from a seed (so runs with the same
// seed start from identical weights), the library's ImportanceTrainer on the device data.
import * as tf from '@tensorflow/tfjs';
import { asLogitsModel, createRng, deriveSeed, ImportanceTrainer, type StepReport, type TrainerSettings } from '../../src/is/index.ts';
import { buildModel, type ModelName } from '../../src/models/index.ts';
import type { BenchData } from './data.ts';
import type { Racer } from './race.ts';

export interface RunSpec {
  label: string;
  model: ModelName;
  /** Initial weights and draws. */
  seed: number;
  settings: Partial<TrainerSettings>;
}

export interface BenchRun extends Racer {
  trainer: ImportanceTrainer;
  last: StepReport | null;
  dispose(): void;
}

/**
 * On webgpu, importance steps dispatch the update without reading back; this fence (as the
 * engine's) makes the step's own time include its device work.
 */
export function deviceFence(model: tf.LayersModel): (() => Promise<void>) | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const backend = tf.backend() as unknown as {
    device?: GPUDevice;
    commandEncoder?: GPUCommandEncoder | null;
    endComputePassEncoder?: () => void;
    submitQueue?: () => void;
  };
  const device = backend.device;
  if (device && typeof backend.submitQueue === 'function' && typeof backend.endComputePassEncoder === 'function') {
    return async () => {
      // tfjs keeps a compute pass open between dispatches: end it before submitting (as its
      // own read path does), or the command buffer is invalid and the work is dropped.
      backend.endComputePassEncoder!();
      if (backend.commandEncoder) backend.submitQueue!();
      await device.queue.onSubmittedWorkDone();
    };
  }
  return async () => {
    const t = tf.tidy(() => tf.slice(tf.reshape(model.trainableWeights[0].read(), [-1]), 0, 1));
    await t.data();
    t.dispose();
  };
}

export function makeRun(spec: RunSpec, data: BenchData): BenchRun {
  const model = buildModel(spec.model, {
    inputShape: data.device.imageShape,
    numClasses: data.device.numClasses,
    seed: spec.seed,
  });
  const trainer = new ImportanceTrainer({
    model: asLogitsModel(model),
    x: data.device.train.x,
    y: data.device.train.y,
    rng: createRng(deriveSeed(spec.seed, 'bench.draws')),
    settings: spec.settings,
    awaitDevice: deviceFence(model),
  });
  const run: BenchRun = {
    label: spec.label,
    model,
    trainer,
    last: null,
    async step() {
      const r = await trainer.step();
      run.last = r;
      return { importanceActive: r.importanceActive, tau: r.tauRaw, tauThreshold: r.tauThreshold };
    },
    dispose() {
      trainer.dispose();
      model.dispose();
    },
  };
  return run;
}
