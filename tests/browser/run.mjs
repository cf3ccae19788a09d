#!/usr/bin/env node
// Browser tests: builds the production site, serves it on 127.0.0.1 with scripts/serve-static.mjs,
// and drives Debian's Chromium (WebGPU on SwiftShader) through the scenarios in scenarios.mjs.
//
//   node tests/browser/run.mjs [--no-build] [--only 3,5] [--backend wasm] [--update-screenshot] [--list]
//
//   --no-build            use the existing dist/ (e.g. right after `npm run build`)
//   --only 3,5            run only these scenarios
//   --backend wasm        force a backend: every page link of every scenario gets backend=wasm
//                         (replacing the one it had); scenarios read ctx.backend to expect it
//   --update-screenshot   also copy test-results/playground.png to docs/screenshot.png
//   CHROMIUM_PATH=...     a Chromium/Chrome other than /usr/bin/chromium
//
// Prints one line per scenario and finally 'N passed, N failed'; exits 1 on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../scripts/serve-static.mjs';
import { WEBGPU_ARGS, findChromium, openPage, TestFailure } from './lib.mjs';
import { compareScenarios } from './compareScenarios.mjs';
import { handsOnScenarios } from './handsOnScenarios.mjs';
import { loopScenarios } from './loopScenarios.mjs';
import { readoutScenarios } from './readoutScenarios.mjs';
import { scenarios as pageScenarios, screenshotter } from './scenarios.mjs';
import { wasmScenarios } from './wasmScenarios.mjs';

const scenarios = [...pageScenarios, ...loopScenarios, ...compareScenarios, ...readoutScenarios, ...wasmScenarios, ...handsOnScenarios];
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const distDir = join(repoRoot, 'dist');
const outDir = join(repoRoot, 'test-results');

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const optValue = (name) => {
  const i = argv.findIndex((a) => a === name || a.startsWith(name + '='));
  if (i < 0) return null;
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
};

if (flag('--list')) {
  for (const s of scenarios) console.log(`${s.id}. ${s.name}`);
  process.exit(0);
}
const only = optValue('--only')?.split(',').map(Number) ?? null;
const forcedBackend = optValue('--backend');
if (forcedBackend !== null && !BACKENDS.includes(forcedBackend)) {
  console.error(`FAIL: --backend must be one of ${BACKENDS.join(', ')}, got "${forcedBackend}"`);
  process.exit(2);
}

/**
 * With --backend: the link with backend=<name> when it is a page of the site (a path ending in
 * '/' or index.html on 127.0.0.1), replacing any backend it names; other URLs as they are.
 */
function withForcedBackend(url) {
  if (!forcedBackend || typeof url !== 'string') return url;
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' || !/(\/|index\.html)$/.test(u.pathname)) return url;
  u.searchParams.set('backend', forcedBackend);
  return u.href;
}
const selected = scenarios.filter((s) => !only || only.includes(s.id));
const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1) + ' s';

function finish(passed, failed) {
  console.log(`\nbrowser tests: ${secs(Date.now() - t0)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// ---- Chromium -------------------------------------------------------------------------------
const executablePath = findChromium();
if (!executablePath) {
  console.error(
    'FAIL: no Chromium found for the browser tests (looked at $CHROMIUM_PATH, /usr/bin/chromium, chromium on PATH).\n' +
      '  Install one:  sudo apt-get install -y chromium   (Debian/Ubuntu; gives /usr/bin/chromium)\n' +
      '  or point CHROMIUM_PATH at a Chrome/Chromium binary.',
  );
  finish(0, selected.length);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error('FAIL: playwright-core is not installed: run `npm ci`.');
  finish(0, selected.length);
}

// ---- build ----------------------------------------------------------------------------------
if (!flag('--no-build')) {
  const tb = Date.now();
  // the converter skips work when public/data is up to date (about 1 s)
  const d = spawnSync(process.execPath, ['scripts/build-datasets.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (d.status !== 0) {
    console.error('FAIL: scripts/build-datasets.mjs failed');
    finish(0, selected.length);
  }
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error('FAIL: `vite build` failed');
    finish(0, selected.length);
  }
  console.log(`built dist/ in ${secs(Date.now() - tb)}`);
}
if (!existsSync(join(distDir, 'index.html'))) {
  console.error('FAIL: dist/index.html missing: run `npm run build` (or drop --no-build)');
  finish(0, selected.length);
}

// ---- servers and browsers -------------------------------------------------------------------
const servers = [];
const startServer = async (opts = {}) => {
  const s = await startStaticServer({ root: distDir, ...opts });
  servers.push(s);
  return s;
};
const server = await startServer();
const browsers = [];
const launch = async (args) => {
  const b = await chromium.launch({ executablePath, args, headless: true, timeout: 60_000 });
  browsers.push(b);
  return b;
};
let browser;
try {
  browser = await launch(WEBGPU_ARGS);
} catch (err) {
  console.error(`FAIL: could not launch ${executablePath}: ${err.message.split('\n')[0]}`);
  finish(0, selected.length);
}
console.log(`Chromium ${browser.version()} (${executablePath}); site at ${server.url}${forcedBackend ? `; every link with backend=${forcedBackend}` : ''}`);

let manifestCache;
/** The path (relative to dist/) of a dataset's training-images file, from data/manifest.json. */
async function datasetFile(dataset) {
  manifestCache ??= JSON.parse(await readFile(join(distDir, 'data/manifest.json'), 'utf8'));
  const files = [];
  const walk = (v, path) => {
    if (typeof v === 'string' && /\.bin(\.gz)?$/.test(v)) files.push({ file: v, path });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}/${k}`);
  };
  walk(manifestCache, '');
  const score = ({ file, path }) => {
    const s = `${path}/${file}`.toLowerCase();
    if (!s.includes(dataset) || (dataset === 'mnist' && s.includes('fashion'))) return -1;
    return (s.includes('train') ? 2 : 0) + (/image|pixel|x\b/.test(s) ? 1 : 0);
  };
  const best = files.map((f) => ({ ...f, s: score(f) })).filter((f) => f.s >= 0).sort((a, b) => b.s - a.s)[0];
  if (!best) throw new TestFailure(`no ${dataset} file in dist/data/manifest.json: ${JSON.stringify(manifestCache).slice(0, 300)}`);
  const rel = best.file.replace(/^\.?\//, '');
  return rel.startsWith('data/') ? rel : `data/${rel}`;
}

const screenshot = screenshotter(outDir, repoRoot, flag('--update-screenshot'));
await mkdir(outDir, { recursive: true });

// ---- scenarios ------------------------------------------------------------------------------
let passed = 0;
let failed = 0;
for (const sc of selected) {
  const contexts = [];
  const ctx = {
    server,
    startServer,
    launch,
    datasetFile,
    screenshot,
    webgpuArgs: WEBGPU_ARGS,
    outDir,
    /** The backend --backend forces on every link (null: each link's own). */
    backend: forcedBackend,
    /** A page of the shared browser; with --backend its goto forces the backend, unless opts.keepBackend. */
    async open(opts = {}) {
      const { keepBackend, ...rest } = opts;
      const o = await openPage(browser, rest);
      if (forcedBackend && !keepBackend) {
        const goto = o.page.goto.bind(o.page);
        o.page.goto = (url, gotoOpts) => goto(withForcedBackend(url), gotoOpts);
      }
      contexts.push(o);
      return o;
    },
  };
  const ts = Date.now();
  let timer;
  try {
    const detail = await Promise.race([
      sc.run(ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new TestFailure(`timed out after ${secs(sc.timeout)}`)), sc.timeout);
      }),
    ]);
    passed++;
    console.log(`PASS ${sc.id}. ${sc.name} (${secs(Date.now() - ts)})${detail ? `\n     ${detail}` : ''}`);
  } catch (err) {
    failed++;
    const msg = err instanceof TestFailure ? err.message : (err?.stack ?? String(err));
    console.log(`FAIL ${sc.id}. ${sc.name} (${secs(Date.now() - ts)})\n     ${msg.split('\n').join('\n     ')}`);
    const last = contexts.at(-1);
    if (last && !last.page.isClosed()) {
      const file = join(outDir, `browser-fail-${sc.id}.png`);
      await last.page.screenshot({ path: file, timeout: 5000 }).then(
        () => console.log(`     screenshot: ${file}`),
        () => {},
      );
      const tail = last.log.consoleAll.slice(-8);
      if (tail.length) console.log(`     last console lines:\n       ${tail.join('\n       ')}`);
    }
  } finally {
    clearTimeout(timer);
    for (const o of contexts) await o.context.close().catch(() => {});
    // a scenario that timed out may have left its own browser or server open: the shared ones stay
    for (const b of browsers.splice(1)) await b.close().catch(() => {});
    for (const s of servers.splice(1)) await s.close().catch(() => {});
  }
}

for (const b of browsers) await b.close().catch(() => {});
for (const s of servers) await s.close().catch(() => {});
finish(passed, failed);
