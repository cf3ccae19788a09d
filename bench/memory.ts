// Benchmark 5: tensors and bytes held by the engine (src/engine Engine: both runs,
// data, evaluation sets) after 100 and after 2,000 steps. Flat counts mean no tensor leak
// per step. mlp with a tiny batch to keep it short; steps driven by the engine's own 'step'
// command (one step of each run), as the UI's Step button does.
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileSource, loadPreparedDataset } from '../src/data/index.ts';
import { Engine } from '../src/engine/page/engine.ts';
import type { EngineEvent } from '../src/contract/protocol.ts';
import { defaultSettings, type Settings } from '../src/contract/settings.ts';
import { ROOT, runBenchmark } from './lib/env.ts';
import { fmt, type Table } from './lib/table.ts';

const VARIANTS: { label: string; change: Partial<Settings> }[] = [
  { label: 'importance (presample) + uniform', change: { mode: 'importance', sampler: 'presample' } },
  { label: 'importance (score table) + uniform', change: { mode: 'importance', sampler: 'table' } },
];

const gc = (globalThis as { gc?: () => void }).gc;

function heapMiB(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

await runBenchmark('memory', 'Memory held by the engine after 100 and 2,000 steps', async ({ args, backend, tag }) => {
  const marks = args.quick ? [20, 100] : [100, Math.max(101, Math.round(2000 * args.scale))];
  const b = 4;
  const dir = path.join(ROOT, 'public', 'data');
  const errors: string[] = [];
  const emit = (e: EngineEvent): void => {
    if (e.type === 'error') errors.push(e.message);
  };
  const engine = new Engine(emit, {
    backendOrder: [backend.name === 'webgpu' ? 'webgpu' : 'cpu'],
    loadData: (s, onProgress) => loadPreparedDataset(s, { source: fileSource(dir), onProgress }),
  });
  const before = tf.memory();
  const rows: (string | number)[][] = [];
  const figures: unknown[] = [];
  for (const v of VARIANTS) {
    const settings: Settings = {
      ...defaultSettings(),
      dataset: 'mnist',
      trainCap: 0,
      model: 'mlp',
      batchSize: b,
      presampleFactor: 3,
      compare: true,
      evalInterval: 500,
      evalSize: 500,
      ...v.change,
    };
    await engine.handle({ type: 'init', settings });
    if (errors.length) throw new Error(`engine: ${errors.join('; ')}`);
    const at: { steps: number; tensors: number; bytes: number; heapMiB: number; ms: number }[] = [];
    let steps = 0;
    const t0 = performance.now();
    for (const m of marks) {
      while (steps < m) {
        await engine.handle({ type: 'step' });
        steps++;
      }
      const st = engine.getStatus();
      at.push({ steps, tensors: st.tensors, bytes: st.bytes, heapMiB: heapMiB(), ms: performance.now() - t0 });
      if (errors.length) throw new Error(`engine: ${errors.join('; ')}`);
    }
    const [a, z] = at;
    rows.push([
      v.label,
      a.tensors,
      fmt(a.bytes / 2 ** 20, 4),
      z.tensors,
      fmt(z.bytes / 2 ** 20, 4),
      fmt((z.tensors - a.tensors) / (z.steps - a.steps), 3),
      `${fmt(a.heapMiB, 3)} → ${fmt(z.heapMiB, 3)}`,
      fmt(z.ms / z.steps, 3),
    ]);
    figures.push({ variant: v.label, marks: at });
    console.log(`${v.label}: ${at.map((x) => `${x.steps} steps: ${x.tensors} tensors, ${x.bytes} B, heap ${fmt(x.heapMiB)} MiB`).join('; ')}`);
  }
  await engine.dispose();
  const after = tf.memory();
  const table: Table = {
    title: `Tensors and bytes held by the engine (data, eval sets, two runs: models, optimizers), mlp, b = ${b}, B = 3b, Adam ${tag}`,
    note:
      `mnist (8,000 train / 2,000 test on the device), evaluation every 500 steps; one engine 'step' = one step of each run. ` +
      `Engine status (tf.memory()). Heap = V8 heap used${gc ? ' after a forced GC' : ' (no forced GC: noisy)'}. After engine.dispose(): ${after.numTensors - before.numTensors} tensors left.`,
    columns: ['runs', `tensors @${marks[0]}`, `MiB @${marks[0]}`, `tensors @${marks[1]}`, `MiB @${marks[1]}`, 'new tensors per step', 'JS heap MiB', 'ms per engine step'],
    rows,
  };
  return {
    settings: { model: 'mlp', batchSize: b, presampleFactor: 3, marks, dataset: 'mnist', evalInterval: 500, evalSize: 500 },
    tables: [table],
    figures: { variants: figures, leftAfterDispose: { tensors: after.numTensors - before.numTensors, bytes: after.numBytes - before.numBytes } },
    notes: [],
  };
});
