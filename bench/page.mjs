#!/usr/bin/env node
// Benchmark 9: the page itself in Chromium on this machine (the production build, Debian's
// Chromium, headless), as a newcomer meets it. For each link: which backend and model the
// page trains, how long from Start to the first chart point, how many steps a second each run
// makes, and how long until the who-is-ahead readout says importance sampling is ahead with a
// loss ratio of 2× or more at equal time (its calibrated decision, docs/method.md §6), up to a
// time limit. Writes bench/results/page.json (quick: page.quick.json.tmp) for the report.
//
//   npm run build && node bench/page.mjs [--quick] [--minutes 6] [--links 4]
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../scripts/serve-static.mjs';
import { WEBGPU_ARGS, click, findChromium, openPage, points, poll, steps, text, waitReady } from '../tests/browser/lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const minutes = Number(opt('--minutes', quick ? '1' : '6'));
if (!(minutes > 0)) throw new Error('--minutes needs a positive number');

// The default link first: the page chooses backend and model by measuring them.
const LINKS = [
  { name: 'default link', query: '' },
  { name: 'MLP on wasm', query: '?model=mlp&backend=wasm' },
  { name: 'cnn-tiny on wasm', query: '?model=cnn-tiny&backend=wasm' },
  // The "paper's method" preset (src/ui/presetTable.ts): presampling on cnn-tiny, τ_th measured.
  {
    name: 'the paper’s method preset',
    query:
      '?dataset=mnist&trainCap=8000&model=cnn-tiny&sampler=presample&mode=auto&tauThresholdMode=measured' +
      '&optimizer=sgd&momentum=0.9&learningRate=0.05&batchSize=64&presampleFactor=3&backend=wasm',
  },
];

// --links 4 (1-based, comma-separated): race only these links; the other links' rows are kept
// from the results file of an earlier run, and a note says when that ran.
const only = opt('--links', null);
const chosen = only
  ? only.split(',').map((k) => {
      const link = LINKS[Number(k) - 1];
      if (!link) throw new Error(`--links ${only}: there are links 1-${LINKS.length}`);
      return link;
    })
  : LINKS;
const out = join(root, 'bench', 'results', quick ? 'page.quick.json.tmp' : 'page.json');

const executablePath = findChromium();
if (!executablePath) throw new Error('no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
const { chromium } = await import('playwright-core');
const server = await startStaticServer({ root: join(root, 'dist'), quiet: true });
const browser = await chromium.launch({ executablePath, args: WEBGPU_ARGS, headless: true });
const loadStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
const t00 = Date.now();
const rows = [];
try {
  for (const link of chosen) {
    const { page, log } = await openPage(browser, { contextOptions: { viewport: { width: 1280, height: 1000 } } });
    await page.goto(server.url + link.query);
    const badge = await waitReady(page, log, { timeout: 180_000 });
    // The default link may switch its model once the engine has measured it: give it the time.
    await page.waitForTimeout(3000);
    await waitReady(page, log, { timeout: 180_000 });
    const model = await page.locator('[data-testid="setting-model"]').first().inputValue().catch(() => '?');
    const before = (await points(page, 'chart-loss')) ?? 0;
    const t0 = Date.now();
    await click(page, 'start-button');
    await poll(async () => ((await points(page, 'chart-loss')) ?? 0) > before, { timeout: 60_000, interval: 100, message: 'no loss point within 60 s of Start' });
    const firstPointS = (Date.now() - t0) / 1000;
    const readout = page.locator('[data-testid="readout"]').first();
    let reached = null;
    let at90 = null;
    let last = { leader: '', ratio: NaN };
    const stepsAt = async () => (await steps(page)).uniform ?? 0;
    const s0 = await stepsAt();
    const tSteps = Date.now();
    await poll(
      async () => {
        const leader = (await readout.getAttribute('data-leader').catch(() => null)) ?? '';
        const ratio = Number(await readout.getAttribute('data-loss-ratio').catch(() => NaN));
        const t = (Date.now() - t0) / 1000;
        last = { leader, ratio };
        if (at90 === null && t >= 90) at90 = { leader, ratio };
        if (reached === null && leader === 'importance' && ratio >= 2) reached = t;
        return reached !== null || t > minutes * 60;
      },
      { timeout: minutes * 60_000 + 60_000, interval: 1000, message: 'the race did not end' },
    );
    const stepsPerSecond = ((await stepsAt()) - s0) / ((Date.now() - tSteps) / 1000);
    const backendNow = await text(page, 'backend-badge');
    await click(page, 'pause-button');
    await page.context().close();
    const row = { link: link.name, query: link.query || '(none)', backend: backendNow || badge, model, firstPointS, stepsPerSecond, reachedS: reached, at90, last, limitS: minutes * 60 };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await browser.close();
  await server.close();
}

const notes = [];
if (only && existsSync(out)) {
  const earlier = JSON.parse(readFileSync(out, 'utf8'));
  const kept = LINKS.filter((l) => !chosen.includes(l)).map((l) => earlier.figures.find((r) => r.link === l.name)).filter(Boolean);
  if (kept.length) notes.push(`Rows of ${kept.map((r) => r.link).join(', ')} are from the run finished ${earlier.finishedAt.replace('T', ' ').slice(0, 16)} UTC (load average ${earlier.machine.loadAvgStart[0]} at its start); the others from this run.`);
  rows.push(...kept);
  rows.sort((a, b) => LINKS.findIndex((l) => l.name === a.link) - LINKS.findIndex((l) => l.name === b.link));
}
const f = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const result = {
  name: 'page',
  title: 'The page in Chromium: first chart point and time to a 2× lead',
  quick,
  scale: 1,
  backend: { name: 'browser', adapter: 'Chromium (headless), the production build', emulated: false, label: `Chromium ${browser.version()} (headless), dist/` },
  machine: { cpu: os.cpus()[0]?.model?.trim() ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, os: `${os.type()} ${os.release()}`, node: process.version, tfjs: '4.22.0', gpu: null, loadAvgStart: loadStart, loadAvgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  settings: { links: LINKS, minutes },
  startedAt: new Date(t00).toISOString(),
  finishedAt: new Date().toISOString(),
  wallSeconds: Math.round((Date.now() - t00) / 100) / 10,
  tables: [
    {
      title: 'The page in Chromium on this machine: what it trains, first chart point, steps/s, and the time until the readout says importance is 2× ahead',
      note:
        'Each link opened fresh, Start pressed once the page is ready (the default link also after it has measured its backend and model). First point = seconds from Start to the first training-loss point on the chart. Steps/s = the uniform run\'s steps per second while racing (both runs alternate in one worker). ' +
        `2× lead = seconds from Start until the readout's one decision is "importance ahead" with a loss ratio ≥ 2 at equal own-clock time, within ${minutes} min; "at 90 s" = its decision and loss ratio then.`,
      columns: ['link', 'backend (badge)', 'model', 'first point s', 'steps/s per run', '2× lead after s', 'at 90 s', 'at the end'],
      rows: rows.map((r) => [
        `${r.link} (${r.query})`,
        r.backend,
        r.model,
        f(r.firstPointS),
        f(r.stepsPerSecond),
        r.reachedS === null ? `not within ${r.limitS} s` : f(r.reachedS, 0),
        r.at90 ? `${r.at90.leader || '—'} ${f(r.at90.ratio, 2)}×` : '—',
        `${r.last.leader || '—'} ${f(r.last.ratio, 2)}×`,
      ]),
    },
  ],
  figures: rows,
  notes,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.${process.pid}.tmp`, JSON.stringify(result, null, 1) + '\n');
renameSync(`${out}.${process.pid}.tmp`, out);
console.log(`wrote ${out}`);
