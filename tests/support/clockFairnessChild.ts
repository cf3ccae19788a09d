// Child process (started with the WebGPU environment by spawnWithWebgpu): two runs with
// identical settings (both uniform, same weights, same draws) race in the engine on tfjs's
// WebGPU backend through Dawn, with evaluations between steps. Identical work must show on
// identical own clocks. Prints one JSON line: the clocks, steps and their ratio.
import { installNodeWebgpu } from './nodeWebgpu';

async function main(): Promise<Record<string, unknown>> {
  const gpu = await installNodeWebgpu();
  if (!gpu.ok) return { ok: false, reason: gpu.reason };
  const steps = Number(process.argv[2] ?? 100);
  const evalInterval = Number(process.argv[3] ?? 25);
  const blockSteps = Number(process.argv[4] ?? 8);
  const size = Number(process.argv[5] ?? 28);
  const batchSize = Number(process.argv[6] ?? 32);
  const { harness, tinyLoader, tinySettings, waitUntil } = await import('./engineHarness');
  const h = harness({ backendOrder: ['webgpu'], loadData: tinyLoader({ train: 512, test: 128, size }) });
  await h.engine.handle({
    type: 'init',
    settings: tinySettings({ model: 'mlp', batchSize, mode: 'uniform', evalInterval, evalSize: 256, blockSteps }),
  });
  const errors = h.of('error').map((e) => e.message);
  await h.engine.handle({ type: 'start' });
  await waitUntil(() => (h.status().runs.uniform?.step ?? 0) >= steps, 240_000, `${steps} steps`);
  await h.engine.handle({ type: 'pause' });
  await h.engine.whenIdle();
  const runs = h.status().runs;
  const imp = runs.importance!;
  const uni = runs.uniform!;
  // Clock per step of each run, compared at their own step counts.
  const ratio = imp.clockMs / imp.step / (uni.clockMs / uni.step);
  await h.engine.dispose();
  const readsPerStep = { importance: imp.readsPerStep, uniform: uni.readsPerStep };
  return { ok: true, adapter: gpu.adapter, errors, blockSteps, steps: { importance: imp.step, uniform: uni.step }, clockMs: { importance: imp.clockMs, uniform: uni.clockMs }, ratio, readsPerStep };
}

main().then(
  (out) => {
    console.log(JSON.stringify(out));
    process.exit(0);
  },
  (e) => {
    console.log(JSON.stringify({ ok: false, reason: String(e?.stack ?? e) }));
    process.exit(0);
  },
);
