// What every benchmark shares: its command line, the tfjs backend it runs on, a description
// of the machine, and the results file it leaves in bench/results.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registerRowGather } from '../../src/engine/backend/rowGather.ts';
import { startWasm } from '../../src/engine/backend/wasm.ts';
import { installNodeWebgpu } from '../../tests/support/nodeWebgpu.ts';
import { printTable, type Table } from './table.ts';

export type BackendName = 'wasm' | 'cpu' | 'webgpu';

/**
 * The benchmarks' default backend: tfjs's WebAssembly backend (SIMD), 5-36× faster than its
 * plain-JavaScript CPU backend on this machine (bench/backends.ts), so the small CNNs train
 * there. Results of other backends carry the backend in their file name.
 */
export const DEFAULT_BACKEND: BackendName = 'wasm';

export interface BenchArgs {
  quick: boolean;
  backend: BackendName;
  /** Multiplies every time budget and step count that a benchmark derives from it. */
  scale: number;
  /** Results file; default bench/results/<name>[.<backend>].json (quick: …quick.tmp). */
  out: string | null;
  /** Wall-clock limit in minutes: a benchmark that plans long races skips those that would pass it; null = none. */
  minutes: number | null;
  /**
   * Only these configurations, `dataset` or `dataset:optimizer` (e.g. mnist:adam), for a
   * benchmark that races several (to split it over processes); null = all of its own.
   */
  configs: string[] | null;
  /** Only these seeds, for a benchmark that races several (to split it over processes); null = its own. */
  seeds: number[] | null;
  /** Build the tables from the races stored in these files (results or partial files) instead of racing; null = race. */
  merge: string[] | null;
  /** Only these models, for a benchmark that races several (e.g. cnn-tiny,mlp); null = its own. */
  models: string[] | null;
  /** Only these runs (by key, uniform always), for the samplers races; null = all. */
  samplers: string[] | null;
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const args: BenchArgs = { quick: false, backend: DEFAULT_BACKEND, scale: 1, out: null, minutes: null, configs: null, seeds: null, merge: null, models: null, samplers: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--backend') {
      const v = argv[++i];
      if (v !== 'cpu' && v !== 'webgpu' && v !== 'wasm') throw new Error(`--backend must be wasm, cpu or webgpu, got ${v}`);
      args.backend = v;
    } else if (a === '--scale') {
      args.scale = Number(argv[++i]);
      if (!(args.scale > 0)) throw new Error('--scale needs a positive number');
    } else if (a === '--minutes') {
      args.minutes = Number(argv[++i]);
      if (!(args.minutes > 0)) throw new Error('--minutes needs a positive number');
    } else if (a === '--configs') args.configs = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--seeds') {
      args.seeds = (argv[++i] ?? '').split(',').filter(Boolean).map(Number);
      if (!args.seeds.length || !args.seeds.every((x) => Number.isInteger(x) && x > 0)) throw new Error('--seeds needs positive integers, e.g. 2,3');
    } else if (a === '--merge') args.merge = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--models') args.models = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--samplers') args.samplers = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') args.out = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

export interface BackendDesc {
  /** tfjs backend name in use. */
  name: string;
  /** Adapter (webgpu) or "JavaScript on the CPU" (cpu). */
  adapter: string;
  /** True for a software adapter (SwiftShader): its timings say nothing about real GPUs. */
  emulated: boolean;
  /** What every table names, e.g. "tfjs 4.22 cpu (Node)". */
  label: string;
}

/**
 * Selects the tfjs backend. For webgpu, tests/support/nodeWebgpu.ts installs Dawn (the
 * `webgpu` package) as navigator.gpu before tfjs-backend-webgpu is imported. With
 * VK_ICD_FILENAMES pointing at SwiftShader (set by scripts/bench.mjs where no GPU is found)
 * the adapter is a CPU emulation; on a machine with a GPU and Vulkan driver it is the GPU.
 */
export async function initBackend(name: BackendName): Promise<BackendDesc> {
  const tfVersion = tf.version.tfjs;
  if (name === 'wasm') {
    // The page's way to start it (src/engine/backend/wasm.ts): our Conv2DBackpropFilter
    // kernel (tfjs 4.22's wasm backend has none), and one thread in Node.
    const info = await startWasm({ threads: 'off' });
    const how = `${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threadCount} thread${info.threadCount === 1 ? '' : 's'}`;
    return { name: 'wasm', adapter: `WebAssembly (${how})`, emulated: false, label: `tfjs ${tfVersion} wasm (Node, ${how})` };
  }
  if (name === 'cpu') {
    registerRowGather('cpu'); // as the page trains on it (src/engine/backend/select.ts)
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend failed to start');
    await tf.ready();
    return { name: 'cpu', adapter: 'JavaScript on the CPU', emulated: false, label: `tfjs ${tfVersion} cpu (Node)` };
  }
  const gpu = await installNodeWebgpu();
  if (!gpu.ok) throw new Error(gpu.reason);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs webgpu backend failed to start');
  await tf.ready();
  const emulated = gpu.isFallbackAdapter || /swiftshader/i.test(gpu.adapter);
  const where = emulated ? 'SwiftShader, a CPU emulation' : gpu.adapter;
  return { name: 'webgpu', adapter: gpu.adapter, emulated, label: `tfjs ${tfVersion} webgpu (Node + Dawn, ${where})` };
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  tfjs: string;
  gpu: string | null;
  loadAvgStart: number[];
  loadAvgEnd?: number[];
}

function nvidiaGpu(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tfjs: tf.version.tfjs,
    gpu: nvidiaGpu(),
    loadAvgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export interface BenchResult {
  name: string;
  title: string;
  quick: boolean;
  scale: number;
  backend: BackendDesc;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  tables: Table[];
  /** The raw figures behind the tables. */
  figures: unknown;
  notes: string[];
}

/** Default results path: full runs are committed, quick ones are ignored by git (*.tmp). */
export function resultsPath(name: string, args: BenchArgs): string {
  if (args.out) return path.resolve(args.out);
  const suffix = args.backend === DEFAULT_BACKEND ? '' : `.${args.backend}`;
  return path.join(ROOT, 'bench', 'results', `${name}${suffix}${args.quick ? '.quick.json.tmp' : '.json'}`);
}

/**
 * Runs one benchmark: sets up the backend, calls `body`, prints its tables and writes the
 * results file. `body` returns the tables (each already naming the backend) and figures.
 */
export async function runBenchmark(
  name: string,
  title: string,
  body: (ctx: BenchContext) => Promise<{ settings: Record<string, unknown>; tables: Table[]; figures: unknown; notes?: string[] }>,
): Promise<void> {
  const args = parseArgs();
  const machine = machineInfo();
  const t0 = Date.now();
  const backend = await initBackend(args.backend);
  console.log(`# ${title}\nbackend: ${backend.label}; adapter: ${backend.adapter}; ${args.quick ? 'quick' : 'full'} run` +
    `; machine: ${machine.cores}× ${machine.cpu}; load average ${machine.loadAvgStart.join(' ')}`);
  if (backend.emulated) console.log('note: SwiftShader is a CPU emulation of a GPU: these timings say nothing about real GPUs.');
  const ctx: BenchContext = { args, backend, machine, tag: `[${backend.label}]` };
  const out = await body(ctx);
  machine.loadAvgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const result: BenchResult = {
    name,
    title,
    quick: args.quick,
    scale: args.scale,
    backend,
    machine,
    settings: out.settings,
    startedAt: new Date(t0).toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
    tables: out.tables,
    figures: out.figures,
    notes: out.notes ?? [],
  };
  for (const t of out.tables) printTable(t);
  for (const n of result.notes) console.log(`note: ${n}`);
  const file = resultsPath(name, args);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(result, null, 1) + '\n');
  renameSync(tmp, file);
  console.log(`\nwrote ${path.relative(ROOT, file)} (${result.wallSeconds} s; load average at end ${machine.loadAvgEnd.join(' ')})`);
}

export interface BenchContext {
  args: BenchArgs;
  backend: BackendDesc;
  machine: MachineInfo;
  /** "[tfjs 4.22.0 cpu (Node)]": appended to every table title. */
  tag: string;
}
