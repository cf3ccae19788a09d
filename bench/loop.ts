// Benchmark `loop` (docs/method.md §7): the training loop itself. Two identical runs (both
// uniform, same weights, same draws) race on the page's race core, first with one step per
// block (a device read after every step, as the loop was before blocks), then with blocks of
// 8 steps (one read per block). Reported per backend: steps/s and samples/s of the whole
// loop (wall clock, evaluations included), device reads awaited per step, and the ratio of
// the two identical runs' own clocks (1.00 when the clocks are fair). Goals: reads per step
// ≤ 1/8 in steady state; clock ratio 1.00 ± 0.05.
import { runBenchmark } from './lib/env.ts';
import { loadBenchData } from './lib/data.ts';
import { makeRuns, race } from './lib/race.ts';
import { fmt, type Table } from './lib/table.ts';
import type { ModelName } from '../src/models/index.ts';

interface Row {
  model: ModelName;
  b: number;
  blockSteps: number;
  steps: number;
  wallMs: number;
  stepsPerSecond: number;
  samplesPerSecond: number;
  readsPerStep: number;
  clockRatio: number;
}

await runBenchmark('loop', 'Training loop: a read per step vs blocks of steps', async ({ args, backend, tag }) => {
  const realGpu = backend.name === 'webgpu' && !backend.emulated;
  const models: ModelName[] = realGpu ? ['mlp', 'cnn-tiny'] : ['mlp'];
  const b = backend.emulated ? 16 : 64;
  const steps = Math.max(16, Math.round((args.quick ? 32 : realGpu ? 800 : backend.emulated ? 64 : 240) * args.scale));
  const evalEvery = Math.max(8, Math.round(steps / 4));
  const data = await loadBenchData('mnist', { trainCap: 8000, evalSize: 256, testCap: 500 });
  const rows: Row[] = [];
  for (const model of models) {
    for (const blockSteps of [1, 8]) {
      // Warm-up off the record (kernels of both block sizes).
      const warm = makeRuns(model, 1, [{ label: 'warm', settings: { batchSize: b, mode: 'uniform' } }], data);
      await race(warm, { budgetMs: Infinity, maxSteps: 16, checkpoints: 1, data, blockSteps });
      warm.forEach((r) => r.dispose());
      const runs = makeRuns(model, 1, [
        { label: 'first', settings: { batchSize: b, mode: 'uniform' } },
        { label: 'second', settings: { batchSize: b, mode: 'uniform' } },
      ], data);
      const t0 = performance.now();
      // Alternate by block ("furthest behind" on own clocks would hide unfair clocks: use checkpoints by steps).
      const out = await race(runs, { budgetMs: Infinity, maxSteps: steps, checkpoints: Math.ceil(steps / evalEvery), data, blockSteps, schedule: 'alternate' });
      const wallMs = performance.now() - t0;
      const total = out.reduce((a, r) => a + r.steps, 0);
      const reads = runs.map((r) => r.readsPerStep);
      rows.push({
        model,
        b,
        blockSteps,
        steps: total,
        wallMs,
        stepsPerSecond: (total / wallMs) * 1000,
        samplesPerSecond: ((total * b) / wallMs) * 1000,
        readsPerStep: reads.reduce((a, x) => a + x, 0) / reads.length,
        clockRatio: out[0].msPerStep / out[1].msPerStep,
      });
      runs.forEach((r) => r.dispose());
      const last = rows[rows.length - 1];
      console.log(`${model} b=${b} blocks of ${blockSteps}: ${fmt(last.stepsPerSecond)} steps/s, ${fmt(last.readsPerStep, 3)} reads/step, clock ratio ${fmt(last.clockRatio, 3)}`);
    }
  }
  data.dispose();
  const table: Table = {
    title: `The loop: one read per step vs one per block of 8 steps, two identical runs ${tag}`,
    note:
      'mnist (8,000 train), uniform mode in both runs (identical work from identical weights), Adam; runs alternate block by block; ' +
      `an evaluation every ${evalEvery} steps per run. steps/s and samples/s: both runs together, wall clock, evaluations included. ` +
      "reads/step: device reads the training loop awaited per step (one per block; the benchmark's evaluations are not counted). Clock ratio: first run / second run own-clock ms per step (fair = 1.00).",
    columns: ['model', 'b', 'steps per block', 'steps (both runs)', 'steps/s', 'samples/s', 'reads/step', 'clock ratio'],
    rows: rows.map((r) => [r.model, r.b, r.blockSteps, r.steps, fmt(r.stepsPerSecond), fmt(r.samplesPerSecond), fmt(r.readsPerStep, 3), fmt(r.clockRatio, 3)]),
  };
  const speedups = models.map((m) => {
    const one = rows.find((r) => r.model === m && r.blockSteps === 1)!;
    const eight = rows.find((r) => r.model === m && r.blockSteps === 8)!;
    return `${m}: blocks of 8 run at ${fmt(eight.stepsPerSecond / one.stepsPerSecond, 3)}× the steps/s of a read per step`;
  });
  return { settings: { dataset: 'mnist', b, steps, evalEvery, models }, tables: [table], figures: rows, notes: speedups };
});
