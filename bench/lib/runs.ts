// Training runs as the playground makes them: a zoo model from a seed (so runs with the same
// seed start from identical weights), the library's ImportanceTrainer on the device data.
import { webgpuFence } from '../../src/engine/backend.ts';
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
 * On webgpu, importance steps dispatch the update without reading back; the engine's fence
 * makes the step's own time include its device work. Undefined on other backends.
 */
export function deviceFence(): (() => Promise<void>) | undefined {
  return webgpuFence() ?? undefined;
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
    awaitDevice: deviceFence(),
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
