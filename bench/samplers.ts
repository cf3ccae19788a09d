// Benchmark 6 (docs/method.md §2, §5): uniform vs the paper's presampling vs the score table, at a fixed
// time budget, on MNIST and Fashion-MNIST, 3 seeds, SGD with momentum and Adam. Time per
// step of each; training-loss ratio against uniform at equal time and at equal steps.
import type { OptimizerName, TrainerSettings } from '../src/is/index.ts';
import type { DatasetName } from '../src/data/index.ts';
import type { ModelName } from '../src/models/index.ts';
import { collect, lossRatioAtSteps, meanSd, vsCells } from './lib/compare.ts';
import { loadBenchData } from './lib/data.ts';
import { runBenchmark } from './lib/env.ts';
import { makeRuns, race, type RaceResult } from './lib/race.ts';
import { geomean, mean } from './lib/stats.ts';
import { fmt, pct, times, type Table } from './lib/table.ts';

const SAMPLERS = [
  { label: 'uniform', settings: { mode: 'uniform' } },
  { label: 'presample (paper)', settings: { mode: 'importance', sampler: 'presample' } },
  { label: 'score table', settings: { mode: 'importance', sampler: 'table' } },
  // Smoothing c bounds the weights: w = 1/(N·p) ≤ (1 + c)/c (here 6), which matters when a
  // stale low score meets a sample whose loss has grown since (SGD is sensitive to it).
  { label: 'score table, c = 0.2', settings: { mode: 'importance', sampler: 'table', smoothing: 0.2 } },
] as const;

const OPTIMIZERS: { name: OptimizerName; learningRate: number; label: string }[] = [
  { name: 'sgd', learningRate: 0.05, label: 'SGD+momentum 0.9, lr 0.05' },
  { name: 'adam', learningRate: 0.002, label: 'Adam, lr 0.002' },
];

await runBenchmark('samplers', 'Samplers: uniform vs presample vs score table', async ({ args, tag }) => {
  const model: ModelName = 'mlp';
  const budgetS = (args.quick ? 3 : 8) * args.scale;
  const seeds = args.quick ? [1] : [1, 2, 3];
  const datasets: DatasetName[] = args.quick ? ['mnist'] : ['fashion-mnist', 'mnist'];
  const optimizers = args.quick ? OPTIMIZERS.slice(1) : OPTIMIZERS;
  const trainCap = 10000;
  const base: Partial<TrainerSettings> = { batchSize: 32, presampleFactor: 3, score: 'upperBound', smoothing: 0, momentum: 0.9 };
  const samplers = args.quick ? SAMPLERS.slice(0, 3) : SAMPLERS;
  const all: { dataset: DatasetName; optimizer: OptimizerName; seed: number; runs: RaceResult[] }[] = [];
  for (const dataset of datasets) {
    const data = await loadBenchData(dataset, { trainCap, evalSize: args.quick ? 500 : 1000, testCap: args.quick ? 1000 : undefined });
    for (const opt of optimizers) {
      for (const seed of seeds) {
        const runs = makeRuns(model, seed, samplers.map((s) => ({ label: s.label, settings: { ...base, optimizer: opt.name, learningRate: opt.learningRate, ...s.settings } })), data);
        const out = await race(runs, { budgetMs: budgetS * 1000, checkpoints: args.quick ? 4 : 8, data });
        runs.forEach((r) => r.dispose());
        all.push({ dataset, optimizer: opt.name, seed, runs: out });
        console.log(`${dataset} ${opt.name} seed ${seed}: ` + out.map((r) => `${r.label} ${fmt(r.trainLoss)} (${r.steps} steps)`).join('; '));
      }
    }
    data.dispose();
  }
  const rows: (string | number)[][] = [];
  for (const dataset of datasets) {
    for (const opt of optimizers) {
      const rs = all.filter((r) => r.dataset === dataset && r.optimizer === opt.name);
      const uni = rs.map((r) => r.runs[0]);
      for (const [k, s] of samplers.entries()) {
        const mine = rs.map((r) => r.runs[k]);
        const cmp = k === 0 ? null : collect(uni.map((u, i) => ({ uniform: u, run: mine[i] })));
        const [ratio, change] = cmp ? vsCells(cmp) : ['1 (baseline)', '—'];
        const atSteps = k === 0 ? '—' : times(geomean(mine.map((m, i) => lossRatioAtSteps(uni[i], m) ?? NaN)));
        rows.push([
          dataset,
          opt.label,
          s.label,
          fmt(mean(mine.map((r) => r.msPerStep)), 3),
          Math.round(mean(mine.map((r) => r.steps))),
          meanSd(mine.map((r) => r.trainLoss)),
          ratio,
          atSteps,
          meanSd(mine.map((r) => r.testError * 100), 3),
          change,
        ]);
      }
    }
  }
  const table: Table = {
    title: `Samplers at a fixed budget of ${budgetS} s per run: ${model}, b = 32, B = 3b (presample), upper-bound scores, ${seeds.length} seed(s) ${tag}`,
    note:
      'Forced importance for every sampler (no τ switch); smoothing c = 0 unless noted. Training loss on a fixed 1,000-sample evaluation subset of the training set (first 10,000 training samples); test error on the full test split. ' +
      'Loss ratio = uniform / sampler (> 1: sampler lower), geometric mean over seeds (range). At equal steps: both compared at the sampler\'s final step count (uniform\'s curve interpolated).',
    columns: ['dataset', 'optimizer', 'sampler', 'ms/step', 'steps', 'train loss', 'loss ratio, equal time', 'loss ratio, equal steps', 'test error %', 'test-error change'],
    rows,
  };
  const summary: Table = {
    title: `Each sampler against uniform, over all datasets, optimizers and seeds ${tag}`,
    columns: ['sampler', 'loss ratio vs uniform, equal time (geomean)', 'equal steps (geomean)', 'test-error change (mean)', 'ms/step over uniform'],
    rows: samplers.slice(1).map((s, j) => {
      const k = j + 1;
      const ratios = all.map((r) => r.runs[0].trainLoss / r.runs[k].trainLoss);
      const steps = all.map((r) => lossRatioAtSteps(r.runs[0], r.runs[k]) ?? NaN);
      const te = all.map((r) => (r.runs[k].testError - r.runs[0].testError) / r.runs[0].testError);
      const cost = all.map((r) => r.runs[k].msPerStep / r.runs[0].msPerStep);
      return [s.label, times(geomean(ratios)), times(geomean(steps)), pct(mean(te)), times(geomean(cost))];
    }),
  };
  return {
    settings: { model, ...base, budgetSeconds: budgetS, seeds, datasets, optimizers, trainCap, evalSize: args.quick ? 500 : 1000 },
    tables: [table, summary],
    figures: all,
    notes: [],
  };
});
