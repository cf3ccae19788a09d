// Benchmark 3: our training loop (ImportanceTrainer in uniform mode: index draw,
// gather on the device, train, one read-back per step) against tfjs's own `model.fit` on the
// same model, batch size, optimizer and backend. Samples per second and their ratio.
import * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../src/models/index.ts';
import { buildModel } from '../src/models/index.ts';
import { loadBenchData } from './lib/data.ts';
import { runBenchmark } from './lib/env.ts';
import { makeRun, stepOnce } from './lib/race.ts';
import { median } from './lib/stats.ts';
import { fmt, times, type Table } from './lib/table.ts';

interface Case {
  model: ModelName;
  b: number;
  /** Steps per timed block; blocks alternate ours / fit. */
  steps: number;
  blocks: number;
}

/** samples/s of `steps` uniform steps of our trainer (after warm-up). */
async function ours(c: Case, run: ReturnType<typeof makeRun>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < c.steps; i++) await stepOnce(run);
  return (c.steps * c.b) / ((performance.now() - t0) / 1000);
}

/** samples/s of model.fit over steps·b samples, one epoch, shuffled, batch b. */
async function fit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, c: Case): Promise<number> {
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: c.b, epochs: 1, shuffle: true, verbose: 0 });
  return (x.shape[0] / ((performance.now() - t0) / 1000));
}

await runBenchmark('throughput', 'Training throughput: our loop vs model.fit', async ({ args, backend, tag }) => {
  const s = args.scale;
  const n = (k: number): number => Math.max(2, Math.round(k * s));
  let cases: Case[];
  if (backend.name === 'cpu') {
    cases = args.quick
      ? [{ model: 'mlp', b: 32, steps: n(10), blocks: 2 }]
      : [
          { model: 'mlp', b: 32, steps: n(60), blocks: 3 },
          { model: 'mlp', b: 128, steps: n(20), blocks: 3 },
          { model: 'cnn-tiny', b: 32, steps: n(4), blocks: 2 },
        ];
  } else if (backend.emulated) {
    cases = [
      { model: 'mlp', b: 16, steps: n(args.quick ? 3 : 8), blocks: 2 },
      { model: 'cnn-tiny', b: 8, steps: n(args.quick ? 1 : 3), blocks: 1 },
    ];
  } else {
    cases = (['mlp', 'cnn-tiny', 'cnn-small'] as ModelName[]).flatMap((model) =>
      [64, 256].map((b) => ({ model, b, steps: n(args.quick ? 20 : 100), blocks: 3 })),
    );
  }
  const data = await loadBenchData('mnist', { trainCap: 0, evalSize: 32 });
  const rows: { case: Case; ours: number[]; fit: number[] }[] = [];
  for (const c of cases) {
    const lr = 0.001;
    const run = makeRun(c.model, 1, { label: 'ours', settings: { batchSize: c.b, mode: 'uniform', optimizer: 'adam', learningRate: lr } }, data);
    const model = buildModel(c.model, { inputShape: data.device.imageShape, numClasses: data.device.numClasses, seed: 1 });
    model.compile({
      optimizer: tf.train.adam(lr),
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
    });
    const count = Math.min(data.device.train.count, c.steps * c.b);
    const x = tf.slice(data.device.train.x, [0, 0, 0, 0], [count, -1, -1, -1]);
    const y = tf.slice(data.device.train.y, [0, 0], [count, -1]);
    const wx = tf.slice(x, [0, 0, 0, 0], [Math.min(count, 2 * c.b), -1, -1, -1]);
    const wy = tf.slice(y, [0, 0], [Math.min(count, 2 * c.b), -1]);
    // Warm-up both.
    for (let i = 0; i < 2; i++) await stepOnce(run);
    await model.fit(wx, wy, { batchSize: c.b, epochs: 1, verbose: 0 });
    const r = { case: c, ours: [] as number[], fit: [] as number[] };
    for (let k = 0; k < c.blocks; k++) {
      // Alternate which goes first.
      if (k % 2 === 0) r.ours.push(await ours(c, run));
      r.fit.push(await fit(model, x, y, c));
      if (k % 2 === 1) r.ours.push(await ours(c, run));
    }
    tf.dispose([x, y, wx, wy]);
    run.dispose();
    model.dispose();
    rows.push(r);
    console.log(`${c.model} b=${c.b}: ours ${r.ours.map((v) => fmt(v)).join(' ')} samples/s; model.fit ${r.fit.map((v) => fmt(v)).join(' ')}`);
  }
  data.dispose();
  const table: Table = {
    title: `Training throughput in uniform mode: our loop vs tfjs model.fit ${tag}`,
    note:
      'mnist, Adam lr 0.001, same zoo model and initial weights; median of alternating timed blocks. Ours: ImportanceTrainer.step() in uniform mode (seeded index draw, gather on the device, ' +
      'train, one read of loss and scores per step). model.fit: one epoch over steps·b samples, shuffled, verbose 0.',
    columns: ['model', 'b', 'steps per block', 'ours samples/s', 'model.fit samples/s', 'ours / fit'],
    rows: rows.map((r) => [r.case.model, r.case.b, r.case.steps, fmt(median(r.ours)), fmt(median(r.fit)), times(median(r.ours) / median(r.fit))]),
  };
  return {
    settings: { dataset: 'mnist', optimizer: 'adam', learningRate: 0.001, cases },
    tables: [table],
    figures: rows.map((r) => ({ ...r.case, oursSamplesPerSecond: r.ours, fitSamplesPerSecond: r.fit })),
    notes: [],
  };
});
