// Benchmark 6 (docs/method.md §2, §4, §5, §7): every sampler against uniform in one race per
// (model, dataset, optimizer, seed), at an equal own-clock budget given in epochs of uniform
// sampling (calibrated in the race's process just before it starts, bench/lib/budget.ts).
// Long enough for the curves to split: the gains of importance sampling come once most
// samples are learned, which takes several epochs.
//
// Every figure is read AT the budget (bench/lib/race.ts atBudget), alike for every run, and
// every table carries its noise floor: a second uniform run from the same weights with other
// draws (the A/A row), whose gap to uniform is what chance alone does to a comparison.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OptimizerName } from '../src/is/index.ts';
import type { DatasetName } from '../src/data/index.ts';
import type { ModelName } from '../src/models/index.ts';
import { calibrateUniform, epochBudgetMs, epochsOf, type Calibration } from './lib/budget.ts';
import { collect, floorCells, lossRatioAtSteps, meanSd, vsCells } from './lib/compare.ts';
import { loadBenchData, type BenchData } from './lib/data.ts';
import { ROOT, runBenchmark } from './lib/env.ts';
import { atBudget, lossAt, makeRuns, race, type RaceResult } from './lib/race.ts';
import { SAMPLER_RUNS, isAaRun, type SamplerRun } from './lib/samplerRuns.ts';
import { geomean, mean } from './lib/stats.ts';
import { fmt, times, type Table } from './lib/table.ts';

const OPTIMIZERS: { name: OptimizerName; learningRate: number; label: string }[] = [
  { name: 'adam', learningRate: 0.001, label: 'Adam, lr 1e-3' },
  { name: 'sgd', learningRate: 0.05, label: 'SGD+momentum 0.9, lr 0.05' },
];

const TRAIN_CAP: Record<string, number> = { mnist: 8000, 'fashion-mnist': 10000 };

/** A share as a percentage, "45%" (pct would sign it). */
const share = (x: number, digits = 0): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '—');

interface RaceRecord {
  /** Absent in records from before models were raced (all MLP). */
  model?: ModelName;
  dataset: DatasetName;
  optimizer: OptimizerName;
  seed: number;
  trainCount: number;
  calibration: Calibration;
  /** Own-clock budget of every run: uniform's time for its epochs. */
  budgetMs: number;
  /** Epochs of uniform the budget is made of. */
  epochs: number;
  wallSeconds: number;
  runs: RaceResult[];
}

const modelOf = (r: RaceRecord): ModelName => r.model ?? 'mlp';

/** Records that readAtBudget converted (read from files written before the budget-exact reads). */
let convertedRecords = 0;

/**
 * Records written before the budget-exact reads: each run's training loss and training error
 * re-read at the race's budget from its recorded curve; its test figures stay those of its
 * end (up to one block, ≤ 1.04 % of the budget, past it), the only ones recorded.
 */
function readAtBudget(r: RaceRecord): RaceRecord {
  if (r.runs.some((run) => run.budgetMs === undefined)) convertedRecords++;
  return {
    ...r,
    runs: r.runs.map((run) => {
      if (run.budgetMs !== undefined) return run;
      const at = atBudget(run.curve, r.budgetMs);
      const old = run as RaceResult & { trainLoss: number; testLoss: number; testError: number };
      return { ...run, budgetMs: r.budgetMs, trainLoss: at.trainLoss, trainError: at.trainError, testLoss: old.testLoss, testError: old.testError, end: { clockMs: run.clockMs, trainLoss: old.trainLoss, testLoss: old.testLoss, testError: old.testError } };
    }),
  };
}

await runBenchmark('samplers', 'Samplers: uniform vs presample vs score table and later selection methods', async ({ args, backend, tag }) => {
  const realGpu = backend.name === 'webgpu' && !backend.emulated;
  // On tfjs's CPU backend a cnn-tiny step of b = 64 takes seconds: the MLP only there.
  const models: ModelName[] = (args.models as ModelName[] | null) ?? (backend.name === 'cpu' ? ['mlp'] : realGpu ? ['cnn-tiny'] : ['cnn-tiny', 'mlp']);
  const epochs = (args.quick ? 1 : 10) * args.scale;
  const seeds = args.seeds ?? (args.quick ? [1] : [1, 2, 3]);
  const datasets: DatasetName[] = args.quick ? ['mnist'] : ['mnist', 'fashion-mnist'];
  const optimizers = args.quick ? OPTIMIZERS.slice(0, 1) : OPTIMIZERS;
  const samplers: readonly SamplerRun[] = args.samplers ? SAMPLER_RUNS.filter((s) => s.key === 'uniform' || args.samplers!.includes(s.key)) : SAMPLER_RUNS;
  // Legacy entries only label runs of older records (--merge); they are never raced.
  const raced = samplers.filter((s) => !s.legacy);
  const checkpoints = 10;
  const evalSize = args.quick ? 500 : 1000;
  const batchSize = 64;
  const base = { batchSize, presampleFactor: 3, score: 'upperBound', smoothing: 0, momentum: 0.9 } as const;
  const deadline = args.minutes === null ? Infinity : Date.now() + args.minutes * 60_000;

  // Race order: seed 1 of every configuration first, then the further seeds configuration by
  // configuration: a deadline then cuts seeds, never whole configurations.
  const wanted = (dataset: string, opt: string): boolean => !args.configs || args.configs.some((c) => c === dataset || c === `${dataset}:${opt}`);
  const configs = models.flatMap((model) =>
    datasets.flatMap((dataset) => optimizers.map((opt) => ({ model, dataset, opt }))).filter((c) => wanted(c.dataset, c.opt.name)),
  );
  if (!configs.length) throw new Error(`--configs ${args.configs?.join(',')}: samplers races ${datasets.join(', ')} with ${optimizers.map((o) => o.name).join(', ')} (write dataset or dataset:optimizer)`);
  const plan = [...configs.map((c) => ({ ...c, seed: seeds[0] })), ...configs.flatMap((c) => seeds.slice(1).map((seed) => ({ ...c, seed })))];

  const loaded = new Map<DatasetName, BenchData>();
  const dataFor = async (name: DatasetName): Promise<BenchData> => {
    let d = loaded.get(name);
    const trainCap = TRAIN_CAP[name] ?? 10000;
    if (!d) loaded.set(name, (d = await loadBenchData(name, { trainCap, evalSize, testCap: args.quick ? 1000 : undefined })));
    return d;
  };

  const k0 = samplers.findIndex((s) => s.key === 'uniform');
  const all: RaceRecord[] = [];
  const skipped: string[] = [];
  // Uniform's measured ms per step in the previous race of the same model and optimizer.
  const lastPace = new Map<string, number>();
  // Each race as it ends, so a run cut short keeps the races it finished (--merge reads it).
  const part = [args.models?.join('+'), args.configs?.join('+').replace(/:/g, '-'), args.seeds ? `seeds-${args.seeds.join('+')}` : null].filter(Boolean).join('.');
  const partialFile = path.join(ROOT, 'bench', 'results', `samplers${part ? `.${part}` : ''}.${backend.name}.partial.json.tmp`);
  if (args.merge) {
    for (const f of args.merge) {
      const stored: unknown = JSON.parse(readFileSync(f, 'utf8'));
      const races = ((Array.isArray(stored) ? stored : (stored as { figures: RaceRecord[] }).figures) as RaceRecord[]).map(readAtBudget);
      // A race stored twice (a split that overlapped) counts once. Two races of the same
      // configuration and seed that raced different samplers (a sampler added later, raced with
      // its own uniform and A/A runs) both count: each sampler is compared with its own race's uniform.
      const labels = (r: RaceRecord): string => r.runs.map((x) => x.label).sort().join('|');
      const same = (a: RaceRecord, b: RaceRecord): boolean =>
        modelOf(a) === modelOf(b) && a.dataset === b.dataset && a.optimizer === b.optimizer && a.seed === b.seed && labels(a) === labels(b);
      for (const r of races) if (models.includes(modelOf(r)) && wanted(r.dataset, r.optimizer) && !all.some((x) => same(x, r))) all.push(r);
      console.log(`merge: ${races.length} races from ${f}`);
    }
  }
  for (const { model, dataset, opt, seed } of args.merge ? [] : plan) {
    const name = `${model} ${dataset} ${opt.name} seed ${seed}`;
    const data = await dataFor(dataset);
    const n = data.cpu.train.count;
    const settings = { ...base, optimizer: opt.name, learningRate: opt.learningRate };
    const calibration = await calibrateUniform(model, seed, settings, data);
    // The race ends when uniform has made its epochs (whole blocks of 8); every run gets the
    // own-clock time uniform needed for them. Uniform's pace in the previous race of the same
    // model and optimizer estimates it, else the calibration.
    const uniformSteps = Math.ceil((epochs * n) / batchSize / 8) * 8;
    const paceKey = `${model}:${opt.name}`;
    const estimateMs = epochBudgetMs(epochs, n, batchSize, lastPace.get(paceKey) ?? calibration.msPerStep);
    // Every run spends the budget on its own clock; evaluations and the bookkeeping add ~10%.
    const predictedMs = raced.length * estimateMs * 1.1;
    if (Date.now() + predictedMs > deadline) {
      skipped.push(`${name} (predicted ${(predictedMs / 60_000).toFixed(1)} min, past the --minutes limit)`);
      console.log(`skip ${name}: predicted ${(predictedMs / 60_000).toFixed(1)} min would pass the --minutes limit`);
      continue;
    }
    console.log(
      `\n${name}: uniform step ${fmt(calibration.msPerStep, 3)} ms (calibrated over ${calibration.steps} steps) → ` +
        `budget ~${(estimateMs / 1000).toFixed(1)} s per run (uniform's time for ${uniformSteps} steps = ${fmt(epochs, 3)} epochs of ${n}), ~${(predictedMs / 60_000).toFixed(1)} min for ${raced.length} runs`,
    );
    const t0 = Date.now();
    const runs = makeRuns(
      model,
      seed,
      raced.map((s) => ({
        label: s.label,
        settings: { ...settings, ...s.settings, ...(s.pruneUntilShare !== undefined ? { pruneFullFrom: s.pruneUntilShare * epochs } : {}) },
        drawStream: s.drawStream,
      })),
      data,
    );
    const uniformRun = runs[raced.findIndex((s) => s.key === 'uniform')];
    const out = await race(runs, {
      budgetMs: estimateMs,
      anchor: { run: uniformRun, steps: uniformSteps },
      checkpoints,
      data,
      measured: { runs: runs.filter((_, k) => raced[k].measuredTauThreshold), seed, baseline: uniformRun },
      onCheckpoint: (run, p) => {
        const time = new Date().toISOString().slice(11, 19);
        console.log(
          `  ${time} ${name} | ${String(run.id).padEnd(34)} ${(p.clockMs / 1000).toFixed(1).padStart(6)} s own clock (~${Math.round((100 * p.clockMs) / estimateMs)}%), ` +
            `step ${String(p.step).padStart(5)} (${fmt(epochsOf(p.step, n, batchSize), 3)} ep): train loss ${fmt(p.trainLoss, 4)}`,
        );
      },
    });
    runs.forEach((r) => r.dispose());
    const wallSeconds = (Date.now() - t0) / 1000;
    const uniformOut = out[raced.findIndex((s) => s.key === 'uniform')];
    const budgetMs = uniformOut.budgetMs;
    lastPace.set(paceKey, uniformOut.msPerStep);
    all.push({ model, dataset, optimizer: opt.name, seed, trainCount: n, calibration, budgetMs, epochs, wallSeconds, runs: out });
    writeFileSync(partialFile, JSON.stringify(all) + '\n');
    console.log(`${name} (${wallSeconds.toFixed(0)} s): ` + out.map((r) => `${r.label} ${fmt(r.trainLoss, 4)} (${r.steps} steps)`).join('; '));
  }
  for (const d of loaded.values()) d.dispose();

  // The records name their runs by label: look runs up by label, so that records from a run
  // with fewer samplers (an older file) still line up.
  const runOf = (r: RaceRecord, s: SamplerRun): RaceResult | undefined => r.runs.find((x) => x.label === s.label);
  const rows: (string | number)[][] = [];
  const along: (string | number)[][] = [];
  const marks = [0.2, 0.5, 1];
  for (const { model, dataset, opt } of configs) {
    const rs = all.filter((r) => modelOf(r) === model && r.dataset === dataset && r.optimizer === opt.name);
    if (!rs.length) continue;
    const uni = rs.map((r) => runOf(r, samplers[k0])!);
    const uniEpochs = mean(uni.map((u, i) => epochsOf(u.steps, rs[i].trainCount, batchSize)));
    for (const [k, s] of samplers.entries()) {
      const pairs = rs.flatMap((r, i) => {
        const run = runOf(r, s);
        return run ? [{ uniform: uni[i], run }] : [];
      });
      if (!pairs.length) continue;
      const mine = pairs.map((p) => p.run);
      const cmp = k === k0 ? null : collect(pairs);
      const [ratio, change, speed] = cmp ? vsCells(cmp) : ['1 (baseline)', '—', '—'];
      const atSteps = k === k0 ? '—' : times(geomean(pairs.map((p) => lossRatioAtSteps(p.uniform, p.run) ?? NaN)));
      rows.push([
        model,
        `${dataset} (${rs[0].trainCount})`,
        opt.label,
        s.label,
        pairs.length,
        fmt(mean(mine.map((r) => r.msPerStep)), 3),
        k === k0 ? `${Math.round(mean(mine.map((r) => r.steps)))} (${fmt(uniEpochs, 2)} ep)` : Math.round(mean(mine.map((r) => r.steps))),
        share(mean(mine.map((r) => r.importanceShare))),
        fmt(mean(mine.map((r) => r.tauMean)), 3),
        fmt(mean(mine.map((r) => r.tauThreshold)), 3),
        meanSd(mine.map((r) => r.trainLoss), 3),
        share(1 - mean(mine.map((r) => r.trainError)), 1),
        ratio,
        atSteps,
        meanSd(mine.map((r) => r.testError * 100), 3),
        change,
        speed,
      ]);
      if (k !== k0) {
        // Loss ratio at fractions of the budget (equal own-clock time), geometric mean over seeds.
        const at = marks.map((f) => times(geomean(pairs.map((p) => lossAt(p.uniform.curve, f * p.uniform.budgetMs) / lossAt(p.run.curve, f * p.uniform.budgetMs)))));
        along.push([model, dataset, opt.label, s.label, ...at]);
      }
    }
  }
  // The headline: the noise floor (A/A), Algorithm 1 and the best sampler per configuration.
  const kAa = samplers.findIndex(isAaRun);
  // Algorithm 1 with the measured τ_th; older records have it with the cost model's.
  const kAuto = ['presample-auto', 'presample-auto-costmodel'].map((key) => samplers.findIndex((s) => s.key === key)).find((k) => k >= 0 && all.some((r) => runOf(r, samplers[k]))) ?? -1;
  const headline: (string | number)[][] = [];
  for (const { model, dataset, opt } of configs) {
    const rs = all.filter((r) => modelOf(r) === model && r.dataset === dataset && r.optimizer === opt.name);
    if (!rs.length) continue;
    const cmpOf = (k: number) =>
      collect(rs.flatMap((r) => {
        const run = runOf(r, samplers[k]);
        return run ? [{ uniform: runOf(r, samplers[k0])!, run }] : [];
      }));
    const others = samplers.map((_, k) => k).filter((k) => k !== k0 && k !== kAa && cmpOf(k).lossRatios.length);
    if (!others.length) continue;
    const best = others.reduce((a, b) => (geomean(cmpOf(b).lossRatios) > geomean(cmpOf(a).lossRatios) ? b : a));
    const [floor] = kAa >= 0 && cmpOf(kAa).lossRatios.length ? floorCells(cmpOf(kAa)) : ['— (no A/A run)'];
    const autoRun = kAuto >= 0 ? rs.map((r) => runOf(r, samplers[kAuto])).filter((x): x is RaceResult => !!x) : [];
    const [autoRatio] = kAuto >= 0 && autoRun.length ? vsCells(cmpOf(kAuto)) : ['—'];
    const [ratio, change, speed] = vsCells(cmpOf(best));
    headline.push([
      model,
      dataset,
      opt.label,
      new Set(rs.map((r) => r.seed)).size,
      fmt(mean(rs.map((r) => epochsOf(runOf(r, samplers[k0])!.steps, r.trainCount, batchSize))), 2),
      floor,
      autoRun.length ? `${autoRatio} (IS steps ${share(mean(autoRun.map((x) => x.importanceShare)))}, τ ${fmt(mean(autoRun.map((x) => x.tauMean)), 3)} vs τ_th ${fmt(mean(autoRun.map((x) => x.tauThreshold)), 3)})` : '—',
      samplers[best].label,
      ratio,
      change,
      speed,
    ]);
  }
  const headlineTable: Table = {
    title: `Headline: the noise floor, Algorithm 1 and the best sampler against uniform at equal own-clock time ${tag}`,
    note:
      'Per (model, dataset, optimizer): the A/A loss ratio (a second uniform run, same weights, other draws: what chance alone does; geometric mean over seeds and its range), ' +
      `the loss ratio of the paper's Algorithm 1 (presampling, auto mode, ${kAuto >= 0 && samplers[kAuto].legacy ? 'τ_th from the cost model (B + 3b)/(3b) = 2' : "τ_th from this machine's measured costs"}) with` + " its share of importance steps and mean τ against its τ_th, and the sampler with the highest geometric-mean loss ratio with its test-error change and speed-up. " +
      'An effect inside the A/A range is not distinguishable from chance with these seeds. ' +
      'The paper (Katharopoulos & Fleuret, ICML 2018; CIFAR-10/100 and others, WideResNets on a GPU, hours) reports up to 10× lower training loss and 5-17% lower test error at equal wall-clock time.',
    columns: ['model', 'dataset', 'optimizer', 'seeds', 'uniform epochs', 'noise floor (A/A loss ratio)', 'Algorithm 1 loss ratio', 'best sampler', 'its loss ratio', 'its test-error change', 'its speed-up'],
    rows: headline,
  };
  const epochsRun = all.length ? all[0].epochs : epochs;
  const range = (xs: number[]): string => (xs.length ? `${fmt(Math.min(...xs), 4)}-${fmt(Math.max(...xs), 4)}` : '—');
  const budgets = range(all.map((r) => r.budgetMs / 1000));
  const table: Table = {
    title: `Samplers at an equal own-clock budget of ${fmt(epochsRun, 3)} epochs of uniform (${budgets} s per run, i.e. uniform's own time for them): ${models.join(', ')}, b = ${batchSize}, B = 3b (presample) ${tag}`,
    note:
      'One race per (model, dataset, optimizer, seed) and set of samplers (samplers added later race in a race of their own with its own uniform and A/A runs; each is compared with its own race\'s uniform); seeds vary the initial weights and the draws. Races = the races a row comes from. Budget = the own-clock time uniform needs for its epochs (the race ends when uniform has made them; every run gets that time), so load changes the wall time, not the epochs. ' +
      'Every figure is read at the budget: a run stops at the end of the block that crosses it, and its training loss is interpolated (log-linearly) between the checkpoints around the budget, its error rates linearly. ' +
      'Steps: mean over seeds (uniform: and the epochs it made). IS steps = share of steps trained on importance-sampled batches. τ = mean τ of the trained batches; τ_th = the threshold in force at the end. ' +
      'Train loss / accuracy on a fixed 1,000-sample evaluation subset of the training set ("train acc." = share of learned samples); test error on the full test split. ' +
      "Loss ratio = uniform / sampler at equal time (> 1: sampler lower), geometric mean over seeds (range); at equal steps: uniform's curve at the sampler's step count. " +
      "Test-error change relative to uniform (< 0: better). Speed-up = budget / own time the sampler needs to reach uniform's training loss at the budget. The A/A row is the noise floor of the rest.",
    columns: ['model', 'dataset (N)', 'optimizer', 'sampler', 'races', 'ms/step', 'steps', 'IS steps', 'τ', 'τ_th', 'train loss', 'train acc.', 'loss ratio, equal time', 'loss ratio, equal steps', 'test error %', 'test-error change', 'speed-up'],
    rows,
  };
  const alongTable: Table = {
    title: `Loss ratio vs uniform along the way (equal own-clock time, geometric mean over seeds) ${tag}`,
    note: `At ${marks.map((f) => `${fmt(f * epochsRun, 2)}`).join(', ')} epochs of uniform's budget; the full curves (${checkpoints} checkpoints per run) are in bench/results/samplers.json.`,
    columns: ['model', 'dataset', 'optimizer', 'sampler', ...marks.map((f) => `at ${fmt(f * epochsRun, 2)} ep`)],
    rows: along,
  };
  const over = all.flatMap((r) => r.runs.map((x) => (x.end.clockMs - r.budgetMs) / r.budgetMs));
  return {
    settings: { models, ...base, epochs, checkpoints, seeds, datasets, optimizers, trainCap: TRAIN_CAP, evalSize, samplers, minutes: args.minutes },
    tables: [headlineTable, table, alongTable],
    figures: all,
    notes: [
      ...(skipped.length ? [`Skipped for the --minutes limit: ${skipped.join('; ')}.`] : []),
      ...(args.merge ? [`Tables merged from races run in separate processes (${args.merge.map((f) => path.basename(f)).join(', ')}); the machine line is the merge's, the races' wall times are in the figures.`] : []),
      `Runs ended 0-${fmt(100 * Math.max(0, ...over), 3)} % of the budget past it (the block that crossed it); every figure above is read at the budget.`,
      ...(convertedRecords
        ? [`${convertedRecords} races were recorded before the budget-exact reads: their training loss and accuracy are re-read at the budget from the recorded curves; their test error is each run's at its end (the only one recorded), at most that block past the budget.`]
        : []),
    ],
  };
});
