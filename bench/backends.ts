// Benchmark 8: the backends side by side, on the same machine in one process (issue: small
// CNNs on every machine). For each backend tfjs has in Node (its plain-JavaScript CPU backend,
// WebAssembly with our filter-gradient kernel, WebGPU through Dawn when asked) and each model:
// the time of one training step (forward, backward, Adam update, one read) and of the scoring
// forward pass over a presample B = 3b, which decides whether the paper's presampling can pay
// (its cost model assumes forward ≈ 1/3 of a training step per sample, docs/method.md §3).
import * as tf from '@tensorflow/tfjs';
import { CostMeter } from '../src/engine/core/costs.ts';
import { registerRowGather } from '../src/engine/backend/rowGather.ts';
import { startWasm } from '../src/engine/backend/wasm.ts';
import type { ModelName } from '../src/models/index.ts';
import { loadBenchData } from './lib/data.ts';
import { runBenchmark } from './lib/env.ts';
import { makeRun, stepOnce } from './lib/race.ts';
import { median } from './lib/stats.ts';
import { fmt, times, type Table } from './lib/table.ts';

interface Row {
  backend: string;
  model: ModelName;
  b: number;
  B: number;
  stepMs: number;
  forwardMs: number;
  steps: number;
}

/** Makes `name` the active backend; wasm through the page's way of starting it. */
async function use(name: 'cpu' | 'wasm'): Promise<string> {
  if (name === 'wasm') {
    const info = await startWasm({ threads: 'off' });
    return `wasm (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threadCount} thread)`;
  }
  registerRowGather('cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the CPU backend failed to start');
  await tf.ready();
  return 'cpu (plain JavaScript)';
}

await runBenchmark('backends', 'Backends side by side: ms per training step and per scoring pass', async ({ args, tag }) => {
  const b = 64;
  const B = 3 * b;
  const models: ModelName[] = ((args.models as ModelName[] | null) ?? ['mlp', 'cnn-tiny']);
  // Timed steps per (backend, model): a cnn-tiny step on the CPU backend takes ~2 s.
  const plan: Record<string, Record<string, number>> = {
    cpu: { mlp: args.quick ? 6 : 30, 'cnn-tiny': args.quick ? 2 : 6, 'cnn-small': 2 },
    wasm: { mlp: args.quick ? 10 : 60, 'cnn-tiny': args.quick ? 6 : 40, 'cnn-small': args.quick ? 3 : 20 },
  };
  const rows: Row[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    const label = await use(backend);
    // Tensors live on the backend that made them: the data goes up again on each.
    const data = await loadBenchData('mnist', { trainCap: 0, evalSize: 32 });
    for (const model of models) {
      const steps = Math.max(2, Math.round((plan[backend][model] ?? 4) * args.scale));
      const run = makeRun(model, 1, { label: 'step', settings: { batchSize: b, presampleFactor: 3, mode: 'uniform', optimizer: 'adam', learningRate: 1e-3 } }, data);
      const meter = new CostMeter();
      const s = { batchSize: b, presampleFactor: 3, score: 'upperBound', sampler: 'presample', seed: 1 } as const;
      const now = () => performance.now();
      // Warm-up (kernels), then steps and forward passes alternating, so load falls on both alike.
      await stepOnce(run);
      await meter.probeScoring(s, run.logits, data.device, now);
      const stepMs: number[] = [];
      const forwardMs: number[] = [];
      for (let i = 0; i < steps; i++) {
        const t0 = now();
        await stepOnce(run);
        stepMs.push(now() - t0);
        forwardMs.push(await meter.probeScoring(s, run.logits, data.device, now));
      }
      run.dispose();
      const row: Row = { backend: label, model, b, B, stepMs: median(stepMs), forwardMs: median(forwardMs), steps };
      rows.push(row);
      console.log(`${label} ${model}: step ${fmt(row.stepMs)} ms, forward over B = ${B} ${fmt(row.forwardMs)} ms (${steps} timed)`);
    }
    data.dispose();
  }
  const byModel = (model: string, backend: string) => rows.find((r) => r.model === model && r.backend.startsWith(backend));
  const tables: Table[] = [
    {
      title: `Backends side by side: ms per training step and per scoring pass, same machine, one process ${tag}`,
      note:
        `MNIST 28×28, Adam, b = ${b}; a step = trainer.step() in uniform mode (gather, forward, backward, update, one read); ` +
        `forward = the presample's scoring pass over B = ${B} (upper-bound scores, no gradients, one read). Medians, steps and forward passes alternating. ` +
        'fwd(B)/step: the scoring pass as a share of a training step; the paper\'s cost model assumes B/(3b) = 1 at B = 3b.',
      columns: ['model', 'backend', 'ms / step', 'ms / forward over B', 'fwd(B) / step', 'step: faster than CPU by', 'timed'],
      rows: rows.map((r) => {
        const cpu = byModel(r.model, 'cpu');
        return [
          r.model,
          r.backend,
          fmt(r.stepMs),
          fmt(r.forwardMs),
          fmt(r.forwardMs / r.stepMs, 3),
          cpu && cpu !== r ? times(cpu.stepMs / r.stepMs, 1) : '—',
          r.steps,
        ];
      }),
    },
  ];
  return { settings: { dataset: 'mnist', optimizer: 'adam', batchSize: b, presampleSize: B, models }, tables, figures: rows };
});
