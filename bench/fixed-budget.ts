// Benchmark 1 (docs/method.md §2, §4, §7): where presampling pays. Forced importance
// sampling (B = factor·b, the paper's draw) against uniform at an equal own-clock budget in
// epochs of uniform, one factor at a time from a base: the presample factor, the learning
// rate, the score, the model, with an A/A pair (uniform against uniform with other draws) as
// the noise floor of this one seed. The main comparison (Algorithm 1, forced presampling and the score table
// against uniform over datasets, optimizers and seeds) is the samplers benchmark, which races
// them all from the same weights; this one only varies presampling's knobs, on one seed.
import type { TrainerSettings } from '../src/is/index.ts';
import type { ModelName } from '../src/models/index.ts';
import { calibrateUniform, epochBudgetMs, epochsOf } from './lib/budget.ts';
import { collect, vsCells } from './lib/compare.ts';
import { loadBenchData, type BenchData } from './lib/data.ts';
import { runBenchmark } from './lib/env.ts';
import { makeRuns, race, type RaceResult, type RunSpec } from './lib/race.ts';
import { fmt, type Table } from './lib/table.ts';

interface SweepPoint {
  factor: string;
  value: string;
  epochs: number;
  budgetMs: number;
  uniform: RaceResult;
  importance: RaceResult;
}

await runBenchmark('fixed-budget', 'Where presampling pays: forced importance vs uniform, one factor at a time', async ({ args, backend, tag }) => {
  // cnn-tiny wherever it trains at speed (wasm, a GPU); on tfjs's CPU backend the MLP.
  const slowCnn = backend.name === 'cpu' || backend.emulated;
  const model: ModelName = slowCnn ? 'mlp' : 'cnn-tiny';
  const other: ModelName = model === 'mlp' ? 'cnn-tiny' : 'mlp';
  const batchSize = 64;
  const base: Partial<TrainerSettings> = { batchSize, presampleFactor: 3, optimizer: 'adam', learningRate: 0.001, score: 'upperBound', sampler: 'presample', smoothing: 0 };
  const epochs = (args.quick ? 0.5 : 10) * args.scale;
  // A cnn-tiny step of b = 64 takes seconds on tfjs's CPU backend: one epoch there.
  const otherEpochs = other === 'cnn-tiny' && slowCnn ? Math.min(epochs, 1) : epochs;
  const seed = 1;
  const trainCap = 8000;
  const evalSize = args.quick ? 500 : 1000;
  const checkpoints = 10;
  const data: BenchData = await loadBenchData('mnist', { trainCap, evalSize, testCap: args.quick ? 1000 : undefined });
  const n = data.cpu.train.count;

  /** One race of `specs` (uniform first) for `ep` epochs of uniform; returns the results in order. */
  const raceFor = async (m: ModelName, ep: number, specs: RunSpec[], name: string): Promise<{ out: RaceResult[]; budgetMs: number }> => {
    const cal = await calibrateUniform(m, seed, { ...base, ...specs[0].settings }, data);
    const steps = Math.ceil((ep * n) / batchSize / 8) * 8;
    const estimateMs = epochBudgetMs(ep, n, batchSize, cal.msPerStep);
    console.log(`\n${name}: ${specs.length} runs, ~${(estimateMs / 1000).toFixed(0)} s each (uniform's time for ${steps} steps = ${fmt(ep, 3)} epochs)`);
    const runs = makeRuns(m, seed, specs, data);
    const out = await race(runs, {
      budgetMs: estimateMs,
      anchor: { run: runs[0], steps },
      checkpoints,
      data,
      onCheckpoint: (run, p) =>
        console.log(`  ${new Date().toISOString().slice(11, 19)} ${name} | ${String(run.id).padEnd(12)} step ${String(p.step).padStart(5)} (${fmt(epochsOf(p.step, n, batchSize), 3)} ep): train loss ${fmt(p.trainLoss, 4)}`),
    });
    runs.forEach((r) => r.dispose());
    return { out, budgetMs: out[0].budgetMs };
  };

  const sweep: SweepPoint[] = [];
  const factors = args.quick ? [3] : [2, 3, 5, 8];
  {
    const { out, budgetMs } = await raceFor(model, epochs, [
      { label: 'uniform', settings: { ...base, mode: 'uniform' } },
      { label: 'A/A', settings: { ...base, mode: 'uniform' }, drawStream: 'aa' },
      ...factors.map((f) => ({ label: `B = ${f}b`, settings: { ...base, mode: 'importance' as const, presampleFactor: f } })),
    ], 'presample factor');
    sweep.push({ factor: 'noise floor (A/A)', value: 'uniform, other draws', epochs, budgetMs, uniform: out[0], importance: out[1] });
    for (const [i, f] of factors.entries()) sweep.push({ factor: 'presample factor B/b', value: String(f), epochs, budgetMs, uniform: out[0], importance: out[i + 2] });
  }
  const base3 = sweep.find((s) => s.value === '3');
  if (!args.quick) {
    for (const lr of [0.0003, 0.003]) {
      const { out, budgetMs } = await raceFor(model, epochs, [
        { label: 'uniform', settings: { ...base, learningRate: lr, mode: 'uniform' } },
        { label: 'importance', settings: { ...base, learningRate: lr, mode: 'importance' } },
      ], `Adam lr ${lr}`);
      sweep.push({ factor: 'learning rate (Adam)', value: String(lr), epochs, budgetMs, uniform: out[0], importance: out[1] });
    }
    if (base3) sweep.push({ ...base3, factor: 'learning rate (Adam)', value: `${base.learningRate} (base)` });
    // The score: the paper's upper bound (base), the loss, and the exact gradient norm (one
    // backward pass per presampled sample: the ideal score at its real price).
    {
      const scores = ['loss', 'gnorm'] as const;
      const { out, budgetMs } = await raceFor(model, epochs, [
        { label: 'uniform', settings: { ...base, mode: 'uniform' } },
        ...scores.map((score) => ({ label: score, settings: { ...base, mode: 'importance' as const, score } })),
      ], 'score');
      for (const [i, score] of scores.entries()) sweep.push({ factor: 'score', value: score, epochs, budgetMs, uniform: out[0], importance: out[i + 1] });
      if (base3) sweep.push({ ...base3, factor: 'score', value: 'upperBound (base)' });
    }
    // The other model: the MLP's scoring pass weighs more next to its step than the CNN's
    // (bench/backends.ts).
    const { out, budgetMs } = await raceFor(other, otherEpochs, [
      { label: 'uniform', settings: { ...base, mode: 'uniform' } },
      { label: 'importance', settings: { ...base, mode: 'importance' } },
    ], other);
    sweep.push({ factor: 'model', value: `${other} (${fmt(otherEpochs, 3)} epochs)`, epochs: otherEpochs, budgetMs, uniform: out[0], importance: out[1] });
    if (base3) sweep.push({ ...base3, factor: 'model', value: `${model} (base)` });
  }
  data.dispose();

  const table: Table = {
    title: `Where presampling pays: forced importance vs uniform, MNIST (${n}), seed ${seed}, ${fmt(epochs, 3)} epochs of uniform per race unless noted ${tag}`,
    note:
      `One factor at a time from the base (${model}, b = ${batchSize}, B = 3b, Adam lr ${base.learningRate}, upper-bound scores, c = 0). Budget = uniform's own-clock time for its epochs; every run gets the same. ` +
      'One seed: the A/A row (a second uniform run with other draws) is this race\'s noise floor; the samplers benchmark has seeds. Loss ratio = uniform / importance training loss at the budget (> 1: importance lower); every figure is read at the budget.',
    columns: ['factor', 'value', 'budget s', 'IS steps / uniform steps', 'uniform loss', 'importance loss', 'loss ratio', 'test-error change', 'speed-up', 'mean τ'],
    rows: sweep.map((s) => {
      const [ratio, change, speed] = vsCells(collect([{ uniform: s.uniform, run: s.importance }]));
      return [s.factor, s.value, fmt(s.budgetMs / 1000, 3), `${s.importance.steps} / ${s.uniform.steps}`, fmt(s.uniform.trainLoss), fmt(s.importance.trainLoss), ratio, change, speed, fmt(s.importance.tauMean, 3)];
    }),
  };
  return {
    settings: { model, ...base, epochs, otherEpochs, seed, trainCap, evalSize, checkpoints, factors },
    tables: [table],
    figures: { sweep },
    notes: [],
  };
});
