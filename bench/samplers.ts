// Benchmark 6 (docs/method.md §2, §4, §5, §7): every sampler against uniform in one race per
// (dataset, optimizer, seed), at an equal own-clock budget given in epochs of uniform
// sampling (calibrated in the race's process just before it starts, bench/lib/budget.ts).
// Long enough for the curves to split: the gains of importance sampling come once most
// samples are learned, which takes several epochs. Reports training loss and test error at
// equal time, the loss ratio against uniform, the speed-up, the loss ratio along the way,
// and the curves (in the results JSON).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OptimizerName, TrainerSettings } from '../src/is/index.ts';
import type { DatasetName } from '../src/data/index.ts';
import type { ModelName } from '../src/models/index.ts';
import { calibrateUniform, epochBudgetMs, epochsOf, type Calibration } from './lib/budget.ts';
import { collect, lossRatioAtSteps, meanSd, vsCells } from './lib/compare.ts';
import { loadBenchData, type BenchData } from './lib/data.ts';
import { ROOT, runBenchmark } from './lib/env.ts';
import { lossAt, makeRuns, race, type RaceResult } from './lib/race.ts';
import { geomean, mean } from './lib/stats.ts';
import { fmt, times, type Table } from './lib/table.ts';

// Presample runs use smoothing c = 0 (the paper's draw); the score table its own
// tableSmoothing. The score-table runs run in auto mode: the table measures τ on each trained
// batch against the q it drew from and trains uniformly while τ stays under τ_th
// (docs/method.md §5), which is what the page does by default.
const SAMPLERS = [
  { label: 'uniform', settings: { mode: 'uniform' } },
  { label: 'presample, auto (Algorithm 1)', settings: { mode: 'auto', sampler: 'presample' } },
  { label: 'presample, forced', settings: { mode: 'importance', sampler: 'presample' } },
  { label: 'score table, c = 0.2 (auto)', settings: { mode: 'auto', sampler: 'table', tableSmoothing: 0.2 } },
  { label: 'score table, c = 0 (auto)', settings: { mode: 'auto', sampler: 'table', tableSmoothing: 0 } },
] as const satisfies readonly { label: string; settings: Partial<TrainerSettings> }[];

const OPTIMIZERS: { name: OptimizerName; learningRate: number; label: string }[] = [
  { name: 'adam', learningRate: 0.001, label: 'Adam, lr 1e-3' },
  { name: 'sgd', learningRate: 0.05, label: 'SGD+momentum 0.9, lr 0.05' },
];

const TRAIN_CAP: Record<string, number> = { mnist: 8000, 'fashion-mnist': 10000 };

/** A share as a percentage, "45%" (pct would sign it). */
const share = (x: number, digits = 0): string => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '—');

interface RaceRecord {
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

await runBenchmark('samplers', 'Samplers: uniform vs presample vs score table', async ({ args, backend, tag }) => {
  const realGpu = backend.name === 'webgpu' && !backend.emulated;
  const model: ModelName = realGpu ? 'cnn-tiny' : 'mlp';
  const epochs = (args.quick ? 1 : 10) * args.scale;
  const seeds = args.seeds ?? (args.quick ? [1] : [1, 2, 3]);
  const datasets: DatasetName[] = args.quick ? ['mnist'] : ['mnist', 'fashion-mnist'];
  const optimizers = args.quick ? OPTIMIZERS.slice(0, 1) : OPTIMIZERS;
  const checkpoints = 10;
  const evalSize = args.quick ? 500 : 1000;
  const batchSize = 64;
  const base: Partial<TrainerSettings> = { batchSize, presampleFactor: 3, score: 'upperBound', smoothing: 0, momentum: 0.9 };
  const deadline = args.minutes === null ? Infinity : Date.now() + args.minutes * 60_000;

  // Race order: seed 1 of every configuration first, then the further seeds configuration by
  // configuration (MNIST + Adam first): a deadline then cuts seeds, never whole configurations.
  const wanted = (dataset: string, opt: string): boolean => !args.configs || args.configs.some((c) => c === dataset || c === `${dataset}:${opt}`);
  const configs = datasets.flatMap((dataset) => optimizers.map((opt) => ({ dataset, opt }))).filter((c) => wanted(c.dataset, c.opt.name));
  if (!configs.length) throw new Error(`--configs ${args.configs?.join(',')}: samplers races ${datasets.join(', ')} with ${optimizers.map((o) => o.name).join(', ')} (write dataset or dataset:optimizer)`);
  const plan = [
    ...configs.map((c) => ({ ...c, seed: seeds[0] })),
    ...configs.flatMap((c) => seeds.slice(1).map((seed) => ({ ...c, seed }))),
  ];

  const loaded = new Map<DatasetName, BenchData>();
  const dataFor = async (name: DatasetName): Promise<BenchData> => {
    let d = loaded.get(name);
    const trainCap = TRAIN_CAP[name] ?? 10000;
    if (!d) loaded.set(name, (d = await loadBenchData(name, { trainCap, evalSize, testCap: args.quick ? 1000 : undefined })));
    return d;
  };

  const k0 = SAMPLERS.findIndex((s) => s.label === 'uniform');
  const all: RaceRecord[] = [];
  const skipped: string[] = [];
  // Uniform's measured ms per step in the previous race of the same optimizer (null: none yet).
  const lastPace = new Map<string, number>();
  // Each race as it ends, so a run cut short keeps the races it finished (--merge reads it).
  const partialFile = path.join(ROOT, 'bench', 'results', `samplers${args.configs ? `.${args.configs.join('+').replace(/:/g, '-')}` : ''}${args.seeds ? `.seeds-${args.seeds.join('+')}` : ''}.partial.json.tmp`);
  if (args.merge) {
    for (const f of args.merge) {
      const stored: unknown = JSON.parse(readFileSync(f, 'utf8'));
      const races = (Array.isArray(stored) ? stored : (stored as { figures: RaceRecord[] }).figures) as RaceRecord[];
      // A race stored twice (a split that overlapped) counts once.
      const seen = (r: RaceRecord): boolean => all.some((x) => x.dataset === r.dataset && x.optimizer === r.optimizer && x.seed === r.seed);
      for (const r of races) if (wanted(r.dataset, r.optimizer) && !seen(r)) all.push(r);
      console.log(`merge: ${races.length} races from ${f}`);
    }
  }
  for (const { dataset, opt, seed } of args.merge ? [] : plan) {
    const name = `${dataset} ${opt.name} seed ${seed}`;
    const data = await dataFor(dataset);
    const n = data.cpu.train.count;
    const settings = { ...base, optimizer: opt.name, learningRate: opt.learningRate };
    const calibration = await calibrateUniform(model, seed, settings, data);
    // The race ends when uniform has made its epochs (whole blocks of 8); every run gets the
    // own-clock time uniform needed for them. Uniform's pace in the previous race with the same
    // optimizer estimates it, else the calibration (a 32-step calibration under a load spike
    // was 3.5× off; a whole race's pace is steadier).
    const uniformSteps = Math.ceil((epochs * n) / batchSize / 8) * 8;
    const estimateMs = epochBudgetMs(epochs, n, batchSize, lastPace.get(opt.name) ?? calibration.msPerStep);
    // Every run spends the budget on its own clock; evaluations and the bookkeeping add ~10%.
    const predictedMs = SAMPLERS.length * estimateMs * 1.1;
    if (Date.now() + predictedMs > deadline) {
      skipped.push(`${name} (predicted ${(predictedMs / 60_000).toFixed(1)} min, past the --minutes limit)`);
      console.log(`skip ${name}: predicted ${(predictedMs / 60_000).toFixed(1)} min would pass the --minutes limit`);
      continue;
    }
    console.log(
      `\n${name}: uniform step ${fmt(calibration.msPerStep, 3)} ms (calibrated over ${calibration.steps} steps) → ` +
        `budget ~${(estimateMs / 1000).toFixed(1)} s per run (uniform's time for ${uniformSteps} steps = ${fmt(epochs, 3)} epochs of ${n}), ~${(predictedMs / 60_000).toFixed(1)} min for ${SAMPLERS.length} runs`,
    );
    const t0 = Date.now();
    const runs = makeRuns(model, seed, SAMPLERS.map((s) => ({ label: s.label, settings: { ...settings, ...s.settings } })), data);
    const uniformRun = runs[SAMPLERS.findIndex((s) => s.label === 'uniform')];
    const out = await race(runs, {
      budgetMs: estimateMs,
      anchor: { run: uniformRun, steps: uniformSteps },
      checkpoints,
      data,
      onCheckpoint: (run, p) => {
        const time = new Date().toISOString().slice(11, 19);
        console.log(
          `  ${time} ${name} | ${String(run.id).padEnd(30)} ${(p.clockMs / 1000).toFixed(1).padStart(6)} s own clock (~${Math.round((100 * p.clockMs) / estimateMs)}%), ` +
            `step ${String(p.step).padStart(5)} (${fmt(epochsOf(p.step, n, batchSize), 3)} ep): train loss ${fmt(p.trainLoss, 4)}`,
        );
      },
    });
    runs.forEach((r) => r.dispose());
    const wallSeconds = (Date.now() - t0) / 1000;
    const budgetMs = out[k0].clockMs;
    lastPace.set(opt.name, out[k0].msPerStep);
    all.push({ dataset, optimizer: opt.name, seed, trainCount: n, calibration, budgetMs, epochs, wallSeconds, runs: out });
    writeFileSync(partialFile, JSON.stringify(all) + '\n');
    console.log(`${name} (${wallSeconds.toFixed(0)} s): ` + out.map((r) => `${r.label} ${fmt(r.trainLoss, 4)} (${r.steps} steps)`).join('; '));
  }
  for (const d of loaded.values()) d.dispose();

  const rows: (string | number)[][] = [];
  const along: (string | number)[][] = [];
  const marks = [0.2, 0.5, 1];
  for (const { dataset, opt } of configs) {
    const rs = all.filter((r) => r.dataset === dataset && r.optimizer === opt.name);
    if (!rs.length) continue;
    const uni = rs.map((r) => r.runs[k0]);
    const uniEpochs = mean(uni.map((u, i) => epochsOf(u.steps, rs[i].trainCount, batchSize)));
    for (const [k, s] of SAMPLERS.entries()) {
      const mine = rs.map((r) => r.runs[k]);
      const cmp = k === k0 ? null : collect(uni.map((u, i) => ({ uniform: u, run: mine[i] })));
      const [ratio, change, speed] = cmp ? vsCells(cmp) : ['1 (baseline)', '—', '—'];
      const atSteps = k === k0 ? '—' : times(geomean(mine.map((m, i) => lossRatioAtSteps(uni[i], m) ?? NaN)));
      rows.push([
        `${dataset} (${rs[0].trainCount})`,
        opt.label,
        s.label,
        rs.length,
        fmt(mean(mine.map((r) => r.msPerStep)), 3),
        k === k0 ? `${Math.round(mean(mine.map((r) => r.steps)))} (${fmt(uniEpochs, 2)} ep)` : Math.round(mean(mine.map((r) => r.steps))),
        share(mean(mine.map((r) => r.importanceShare))),
        fmt(mean(mine.map((r) => r.tauMean)), 3),
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
        const at = marks.map((f) => times(geomean(rs.map((r) => lossAt(r.runs[k0].curve, f * r.budgetMs) / lossAt(r.runs[k].curve, f * r.budgetMs)))));
        along.push([dataset, opt.label, s.label, ...at]);
      }
    }
  }
  // The headline: Algorithm 1 and the best sampler per (dataset, optimizer), beside the
  // paper's claims at equal wall-clock time.
  const kAuto = SAMPLERS.findIndex((s) => s.label.startsWith('presample, auto'));
  const headline: (string | number)[][] = [];
  for (const { dataset, opt } of configs) {
    const rs = all.filter((r) => r.dataset === dataset && r.optimizer === opt.name);
    if (!rs.length) continue;
    const cmpOf = (k: number) => collect(rs.map((r) => ({ uniform: r.runs[k0], run: r.runs[k] })));
    const others = SAMPLERS.map((_, k) => k).filter((k) => k !== k0);
    const best = others.reduce((a, b) => (geomean(cmpOf(b).lossRatios) > geomean(cmpOf(a).lossRatios) ? b : a));
    const [autoRatio] = vsCells(cmpOf(kAuto));
    const [ratio, change, speed] = vsCells(cmpOf(best));
    headline.push([
      dataset,
      opt.label,
      rs.length,
      fmt(mean(rs.map((r) => epochsOf(r.runs[k0].steps, r.trainCount, batchSize))), 2),
      `${autoRatio} (IS steps ${share(mean(rs.map((r) => r.runs[kAuto].importanceShare)))})`,
      SAMPLERS[best].label,
      ratio,
      change,
      speed,
    ]);
  }
  const headlineTable: Table = {
    title: `Headline: Algorithm 1 and the best sampler against uniform at equal own-clock time ${tag}`,
    note:
      'Per (dataset, optimizer): the loss ratio of the paper\'s Algorithm 1 (presampling, auto) and of the sampler with the highest geometric-mean loss ratio, with its test-error change and speed-up (as in the table below). ' +
      'The paper (Katharopoulos & Fleuret, ICML 2018; CIFAR-10/100 and others, WideResNets on a GPU, hours) reports up to 10× lower training loss and 5-17% lower test error at equal wall-clock time.',
    columns: ['dataset', 'optimizer', 'seeds', 'uniform epochs', 'Algorithm 1 loss ratio', 'best sampler', 'its loss ratio', 'its test-error change', 'its speed-up'],
    rows: headline,
  };
  const epochsRun = all.length ? all[0].epochs : epochs;
  const range = (xs: number[]): string => (xs.length ? `${fmt(Math.min(...xs), 3)}-${fmt(Math.max(...xs), 3)}` : '—');
  const budgets = range(all.map((r) => r.budgetMs / 1000));
  const table: Table = {
    title: `Samplers at an equal own-clock budget of ${fmt(epochsRun, 3)} epochs of uniform (${budgets} s per run, i.e. uniform's own time for them): ${model}, b = ${batchSize}, B = 3b (presample) ${tag}`,
    note:
      'One race per (dataset, optimizer, seed); seeds vary the initial weights and the draws. Budget = the own-clock time uniform needs for its epochs (the race ends when uniform has made them; every run gets that time), so load changes the wall time, not the epochs; a 32-step uniform calibration before each race only estimates it. ' +
      'Steps: mean over seeds (uniform: and the epochs it made). IS steps = share of steps trained on importance-sampled batches. τ = mean τ of the trained batches (uniform: of its uniform batches, i.e. what sampling by score would have gained). ' +
      'Train loss / accuracy on a fixed 1,000-sample evaluation subset of the training set ("train acc." = share of learned samples); test error on the full test split. ' +
      "Loss ratio = uniform / sampler at equal time (> 1: sampler lower), geometric mean over seeds (range); at equal steps: uniform's curve at the sampler's step count. " +
      "Test-error change relative to uniform (< 0: better). Speed-up = budget / own time the sampler needs to reach uniform's final training loss.",
    columns: ['dataset (N)', 'optimizer', 'sampler', 'seeds', 'ms/step', 'steps', 'IS steps', 'τ', 'train loss', 'train acc.', 'loss ratio, equal time', 'loss ratio, equal steps', 'test error %', 'test-error change', 'speed-up'],
    rows,
  };
  const alongTable: Table = {
    title: `Loss ratio vs uniform along the way (equal own-clock time, geometric mean over seeds) ${tag}`,
    note: `At ${marks.map((f) => `${fmt(f * epochsRun, 2)}`).join(', ')} epochs of uniform's budget; the full curves (${checkpoints} checkpoints per run) are in bench/results/samplers.json.`,
    columns: ['dataset', 'optimizer', 'sampler', ...marks.map((f) => `at ${fmt(f * epochsRun, 2)} ep`)],
    rows: along,
  };
  return {
    settings: { model, ...base, epochs, checkpoints, seeds, datasets, optimizers, trainCap: TRAIN_CAP, evalSize, samplers: SAMPLERS, minutes: args.minutes },
    tables: [headlineTable, table, alongTable],
    figures: all,
    notes: [
      ...(skipped.length ? [`Skipped for the --minutes limit: ${skipped.join('; ')}.`] : []),
      ...(args.merge ? [`Tables merged from races run in separate processes (${args.merge.map((f) => path.basename(f)).join(', ')}); the machine line is the merge's, the races' wall times are in the figures.`] : []),
      `${model} on this backend${realGpu ? '' : " (tfjs's CPU backend: a cnn-tiny step of b = 64 takes seconds, too few steps per budget)"}.`,
    ],
  };
});
