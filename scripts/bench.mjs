#!/usr/bin/env node
// `npm run bench`: runs the benchmarks in bench/ one after another, each in its own
// `npx tsx` child process (a fresh tfjs per benchmark), then rewrites the tables of
// BENCHMARKS.md from bench/results/*.json. Benchmarks are not tests: nothing gates on them.
//
//   npm run bench                              all, tfjs wasm backend (hours on 2 cores, most of it the samplers races)
//   npm run bench -- --backend cpu             tfjs's plain-JavaScript CPU backend (results carry .cpu in their name)
//   npm run bench -- --quick                   smoke check (~3 min); results go to *.tmp, not BENCHMARKS.md
//   npm run bench -- --only cost,throughput    a subset
//   npm run bench -- --backend webgpu          Node + Dawn; SwiftShader where no GPU is found
//   npm run bench -- --backend webgpu --adapter system   the machine's own Vulkan GPU
//   npm run bench -- --report                  only rewrite BENCHMARKS.md from the results
//   --scale F multiplies time budgets and step counts (e.g. 0.5 under load, 3 on a fast GPU)
//   --minutes M   wall-clock limit per benchmark: the long races (samplers) skip races that would pass it
//   --configs mnist:adam,fashion-mnist --seeds 2,3   a part of the samplers races (to split them over
//                 processes; `npx tsx bench/samplers.ts --merge a.json,b.json` then builds one table)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../bench/lib/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['fixed-budget', 'samplers', 'loop', 'cost', 'backends', 'throughput', 'variance', 'memory', 'page'];
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function usage(msg) {
  if (msg) console.error(`bench: ${msg}`);
  console.error(
    'usage: node scripts/bench.mjs [--quick] [--only a,b] [--backend wasm|cpu|webgpu] [--adapter swiftshader|system] [--scale F] [--minutes M] [--configs c] [--seeds s] [--models m] [--samplers k] [--report]\n' +
      `benchmarks: ${ALL.join(', ')}`,
  );
  process.exit(2);
}

const opts = { quick: false, only: null, backend: 'wasm', adapter: null, scale: null, minutes: null, configs: null, seeds: null, models: null, samplers: null, reportOnly: false, report: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) usage(`${a} needs a value`);
    return argv[++i];
  };
  if (a === '--quick') opts.quick = true;
  else if (a === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
  else if (a.startsWith('--only=')) opts.only = a.slice(7).split(',').filter(Boolean);
  else if (a === '--backend') opts.backend = value();
  else if (a.startsWith('--backend=')) opts.backend = a.slice(10);
  else if (a === '--adapter') opts.adapter = value();
  else if (a === '--scale') opts.scale = value();
  else if (a === '--minutes') opts.minutes = value();
  else if (a === '--configs') opts.configs = value();
  else if (a === '--seeds') opts.seeds = value();
  else if (a === '--models') opts.models = value();
  else if (a === '--samplers') opts.samplers = value();
  else if (a === '--report') opts.reportOnly = true;
  else if (a === '--no-report') opts.report = false;
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
if (!['wasm', 'cpu', 'webgpu'].includes(opts.backend)) usage(`--backend must be wasm, cpu or webgpu, got ${opts.backend}`);
for (const n of opts.only ?? []) if (!ALL.includes(n)) usage(`no benchmark named ${n}`);

const hasNvidia = () => spawnSync('nvidia-smi', ['-L'], { stdio: 'ignore', timeout: 5000 }).status === 0;

function childEnv() {
  const env = { ...process.env };
  if (opts.backend !== 'webgpu') return env;
  // Dawn loads Vulkan; Chromium ships the loader and SwiftShader (a CPU Vulkan). Where an
  // NVIDIA GPU answers, leave the system ICDs alone so Dawn finds the real GPU.
  const adapter = opts.adapter ?? (hasNvidia() ? 'system' : 'swiftshader');
  if (adapter === 'swiftshader') {
    if (!existsSync(SWIFTSHADER_ICD)) {
      console.error(`bench: ${SWIFTSHADER_ICD} is missing (apt-get install chromium) — no WebGPU adapter without a GPU`);
      process.exit(1);
    }
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    delete env.NODE_WEBGPU_SYSTEM_VULKAN;
    env.LD_LIBRARY_PATH = ['/usr/lib/chromium', env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  } else if (adapter === 'system') env.NODE_WEBGPU_SYSTEM_VULKAN = '1';
  else usage(`--adapter must be swiftshader or system, got ${adapter}`);
  console.log(`bench: webgpu adapter: ${adapter === 'swiftshader' ? 'SwiftShader (CPU emulation)' : 'system Vulkan driver'}`);
  return env;
}

function defaultList() {
  if (opts.only) return opts.only;
  if (opts.backend === 'wasm' || opts.backend === 'cpu') return ALL;
  // SwiftShader is slow and says nothing about GPUs: only the cost and throughput figures,
  // with tiny settings. On a real GPU: the fixed-budget race, the cost and the throughput.
  const real = opts.adapter === 'system' || (opts.adapter === null && hasNvidia());
  return real ? ['fixed-budget', 'cost', 'throughput'] : ['cost', 'throughput'];
}

function runOne(name, env) {
  // bench/page.mjs drives Chromium on the production build: plain Node, built first if missing.
  if (name === 'page') {
    if (!existsSync(path.join(ROOT, 'dist', 'index.html'))) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    return runProcess(name, 'node', [path.join('bench', 'page.mjs'), ...(opts.quick ? ['--quick'] : [])], env);
  }
  const args = ['tsx', path.join('bench', `${name}.ts`), '--backend', opts.backend];
  if (opts.quick) args.push('--quick');
  if (opts.scale) args.push('--scale', opts.scale);
  if (opts.minutes) args.push('--minutes', opts.minutes);
  if (opts.configs) args.push('--configs', opts.configs);
  if (opts.seeds) args.push('--seeds', opts.seeds);
  if (opts.models) args.push('--models', opts.models);
  if (opts.samplers) args.push('--samplers', opts.samplers);
  return runProcess(name, 'npx', args, env);
}

function runProcess(name, command, args, env) {
  console.log(`\n=== ${name} (${name === 'page' ? 'Chromium' : opts.backend}${opts.quick ? ', quick' : ''}) — ${command} ${args.join(' ')}`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    // The memory benchmark forces a GC before reading the JS heap.
    const childEnv = name === 'memory' ? { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, '--expose-gc'].filter(Boolean).join(' ') } : env;
    const child = spawn(command, args, { cwd: ROOT, env: childEnv, stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ name, code: code ?? (signal ? 128 : 1), seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const resultsDir = path.join(ROOT, 'bench', 'results');
const mdFile = path.join(ROOT, 'BENCHMARKS.md');

if (!opts.reportOnly) {
  const env = childEnv();
  const list = defaultList();
  console.log(`bench: ${list.join(', ')} on ${opts.backend}; ${os.cpus().length} cores; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const done = [];
  for (const name of list) done.push(await runOne(name, env));
  console.log('\n=== summary');
  for (const d of done) console.log(`${d.code === 0 ? 'ok  ' : 'FAIL'} ${d.name.padEnd(14)} ${d.seconds.toFixed(0).padStart(5)} s`);
  console.log(`total ${done.reduce((a, d) => a + d.seconds, 0).toFixed(0)} s`);
  if (done.some((d) => d.code !== 0)) process.exitCode = 1;
}
if (opts.reportOnly || (opts.report && !opts.quick)) {
  const updated = writeReport(resultsDir, mdFile, ALL);
  console.log(`BENCHMARKS.md: ${updated.length ? `tables from ${updated.join(', ')}` : 'no results yet'}`);
} else if (opts.quick) {
  console.log('quick run: results in bench/results/*.quick.json.tmp (git-ignored); BENCHMARKS.md left as it is');
}
