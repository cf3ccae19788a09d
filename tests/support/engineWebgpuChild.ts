// Child process of tests/unit/engine/webgpu.test.ts (started with the WebGPU environment by
// spawnWithWebgpu): runs the engine on tfjs's WebGPU backend through Dawn, then loses the
// device on purpose and checks the recovery. Prints one JSON line with what it saw.
import { printChildResult } from './childOutput';
import { installNodeWebgpu } from './nodeWebgpu';

interface Out {
  ok: boolean;
  reason?: string;
  [k: string]: unknown;
}

async function main(): Promise<Out> {
  const gpu = await installNodeWebgpu();
  if (!gpu.ok) return { ok: false, reason: gpu.reason };
  const tf = await import('@tensorflow/tfjs');
  const { harness, tinyLoader, tinySettings, waitUntil } = await import('./engineHarness');
  const h = harness({ backendOrder: ['webgpu', 'cpu'], loadData: tinyLoader({ train: 96, test: 40 }) });
  const out: Out = { ok: true, adapter: gpu.adapter };
  const t0 = Date.now();
  await h.engine.handle({
    type: 'init',
    // One step per block: the recovery below counts single steps (blocks are checked in clockFairnessChild.ts).
    settings: tinySettings({ batchSize: 4, presampleFactor: 2, evalSize: 32, evalInterval: 2, mode: 'auto', blockSteps: 1, backend: 'webgpu' }),
  });
  out.initErrors = h.of('error').map((e) => e.message);
  out.backend = h.status().backend;
  // Auto mode starts uniform: both runs' first steps coincide.
  for (let i = 0; i < 2; i++) await h.engine.handle({ type: 'step' });
  out.firstLossesImportance = h.steps('importance').map((p) => p.batchLoss);
  out.firstLossesUniform = h.steps('uniform').map((p) => p.batchLoss);
  await h.engine.handle({ type: 'update', change: { mode: 'importance' } });
  await h.engine.handle({ type: 'step' });
  const tensorsAt3 = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
  out.tensorGrowth = tf.memory().numTensors - tensorsAt3;
  const s = h.status();
  out.steps = { importance: s.runs.importance?.step, uniform: s.runs.uniform?.step };
  out.importanceActive = h.steps('importance').map((p) => p.importanceActive);
  out.evalSteps = h.evals('importance').map((e) => e.step);
  out.evalFinite = h.evals('uniform').every((e) => Number.isFinite(e.trainLoss) && Number.isFinite(e.testAccuracy));
  out.warmup = h.of('progress').filter((p) => p.task === 'warmup').map((p) => p.message);
  out.trainSeconds = (Date.now() - t0) / 1000;

  // Lose the device on purpose: a fatal error, then a start on a new device.
  h.clear();
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.destroy();
  await waitUntil(() => h.status().state === 'error', 20_000, 'the lost-device error');
  out.lostErrors = h.of('error').map((e) => ({ fatal: e.fatal, message: e.message }));
  h.clear();
  await h.engine.handle({ type: 'start' });
  await waitUntil(() => (h.status().runs.importance?.step ?? 0) >= 1 || h.status().state === 'error', 60_000, 'a step after recovery');
  await h.engine.handle({ type: 'pause' });
  await h.engine.whenIdle();
  const r = h.status();
  out.recovered = {
    state: r.state,
    backend: r.backend?.name,
    step: r.runs.importance?.step,
    newDevice: (tf.backend() as unknown as { device: GPUDevice }).device !== device,
    errors: h.of('error').map((e) => e.message),
  };
  await h.engine.dispose();
  return out;
}

printChildResult(main());
