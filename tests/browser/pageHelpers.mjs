// Helpers the page scenarios share: waits that allow for the display's lag, Start/Pause with
// its checks, the exports read back as loss series, a link's first losses, and the screenshot.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  check,
  click,
  describe,
  points,
  poll,
  settingValues,
  sleep,
  steps,
  text,
  tid,
  visible,
  waitReady,
} from './lib.mjs';

export const FIRST_STEP_TIMEOUT = 120_000; // dataset + first step incl. shader compilation on SwiftShader

/** Requests that left the page's origin (data: and same-origin blob: stay on the machine). */
export function foreignRequests(requests, origin) {
  return requests.filter((u) => {
    if (u.startsWith('data:')) return false;
    if (u.startsWith('blob:')) return !u.startsWith('blob:' + origin + '/');
    try {
      return new URL(u).origin !== origin;
    } catch {
      return true;
    }
  });
}

/**
 * How long the displayed step counts may lag the engine: one throttled metrics message (the
 * engine sends at most one every 250 ms) and the round trip of a click and a status message.
 */
export const DISPLAY_LAG_MS = 500;

/** Presses Start and returns the ms until the loss chart has a new point (at most 30 s). */
export async function startUntilFirstPoint(page, log) {
  const before = (await points(page, 'chart-loss')) ?? 0;
  const t0 = Date.now();
  await click(page, 'start-button');
  await poll(async () => ((await points(page, 'chart-loss')) ?? 0) > before, {
    timeout: 30_000,
    interval: 100,
    message: async () => `no training-loss point within 30 s of Start: ${await describe(page, log)}`,
  });
  return Date.now() - t0;
}

/** Steps a run makes while the display lags, at `msPerStep` (0 where a step takes longer than the lag). */
export function lagSteps(msPerStep) {
  return Math.floor(DISPLAY_LAG_MS / Math.max(msPerStep, 1e-3));
}

/**
 * Scenario 3's core, shared with the sub-path scenario: Start → both runs advance and the loss
 * and τ charts gain points; Pause → the step counts stop.
 */
export async function startAdvancePause(page, log, { screenshot } = {}) {
  const before = { ...(await steps(page)), loss: (await points(page, 'chart-loss')) ?? 0, tau: (await points(page, 'chart-tau')) ?? 0 };
  await click(page, 'start-button');
  // step times while running: the window that proves Pause must be longer than a round
  const seen = [];
  await poll(
    async () => {
      const s = await steps(page);
      if (s.importance !== seen.at(-1)?.step) seen.push({ step: s.importance, t: Date.now() });
      return s.importance >= (before.importance ?? 0) + 3 && s.uniform >= (before.uniform ?? 0) + 3;
    },
    {
      timeout: FIRST_STEP_TIMEOUT,
      interval: 150,
      message: async () => `after Start, run-step-importance and run-step-uniform did not both advance by 3: ${await describe(page, log)}`,
    },
  );
  await poll(
    async () => {
      const s = await steps(page);
      if (s.importance !== seen.at(-1)?.step) seen.push({ step: s.importance, t: Date.now() });
      return ((await points(page, 'chart-loss')) ?? 0) > before.loss && ((await points(page, 'chart-tau')) ?? 0) > before.tau;
    },
    {
      timeout: 60_000,
      message: async () =>
        `the loss and τ charts did not gain points while training (chart-loss data-points ${before.loss} → ${await points(page, 'chart-loss')}, chart-tau ${before.tau} → ${await points(page, 'chart-tau')}): ${await describe(page, log)}`,
    },
  );
  if (screenshot) await screenshot(page);
  const atPause = await steps(page);
  await click(page, 'pause-button');
  // Time per displayed step increment, after the first (which includes kernel compilation).
  const gaps = seen.slice(2).map((x, i) => (x.t - seen[i + 1].t) / Math.max(1, x.step - seen[i + 1].step));
  // Where the counts jumped in one or two displayed increments (a fast backend), the mean pace
  // since the first count seen (compilation included: it errs towards slow, so towards a
  // smaller lag allowance); 3 s a step only where nothing was seen to move.
  const span = seen.length >= 2 ? { ms: seen.at(-1).t - seen[0].t, steps: seen.at(-1).step - seen[0].step } : null;
  const roundMs = gaps.length ? gaps.sort((x, y) => x - y)[Math.floor(gaps.length / 2)] : span && span.steps > 0 ? span.ms / span.steps : 3000;
  const windowMs = Math.min(20_000, Math.max(3000, 2.5 * roundMs));
  // The block in flight when Pause was pressed finishes, and the displayed count lags the
  // engine by up to one throttled metrics message (another block): at most two blocks more per
  // run (a block is min(blockSteps 8, evalInterval) steps). Then the counts must stay put.
  let a;
  await poll(
    async () => {
      const s1 = await steps(page);
      await sleep(Math.min(windowMs, 4000));
      a = await steps(page);
      return s1.importance === a.importance && s1.uniform === a.uniform;
    },
    { timeout: 60_000, interval: 0, message: async () => `after Pause the runs kept stepping: ${await describe(page, log)}` },
  );
  const params = new URL(page.url()).searchParams;
  const block = Math.min(Number(params.get('blockSteps') ?? 8), Number(params.get('evalInterval') ?? 25));
  // On a fast backend (wasm: a few ms a step) a run makes many blocks within one throttled
  // message: the lag is as many steps as the runs make in DISPLAY_LAG_MS at their pace.
  const lag = lagSteps(roundMs);
  check(
    a.importance - atPause.importance <= 2 * block + lag && a.uniform - atPause.uniform <= 2 * block + lag,
    `after Pause the runs went on for more than the block in flight (importance ${atPause.importance} → ${a.importance}, uniform ${atPause.uniform} → ${a.uniform}; a block is ${block} steps, the display lags by ${lag} at ${roundMs.toFixed(1)} ms a step)`,
  );
  await sleep(windowMs);
  const b = await steps(page);
  check(
    a.importance === b.importance && a.uniform === b.uniform,
    `after Pause the step counts still moved (importance ${a.importance} → ${b.importance}, uniform ${a.uniform} → ${b.uniform}, within ${(windowMs / 1000).toFixed(1)} s; a step takes about ${(roundMs / 1000).toFixed(1)} s)`,
  );
  return { ...b, roundMs, windowMs };
}

/** Extracts, from an exported JSON object, every array of step records' losses, by path. */
export function lossSeries(json) {
  const out = {};
  const walk = (v, path) => {
    if (Array.isArray(v)) {
      const recs = v.filter((x) => x && typeof x === 'object' && !Array.isArray(x));
      for (const key of ['batchLoss', 'trainLoss', 'loss']) {
        const vals = recs.map((r) => r[key]).filter((x) => typeof x === 'number');
        if (recs.length && vals.length === recs.length) {
          out[`${path}.${key}`] = vals;
          return;
        }
      }
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    }
  };
  walk(json, '');
  return out;
}

/** Parses exported CSV into loss series keyed by run (or file) and column. */
export function csvLossSeries(csv) {
  const lines = csv.trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const runCol = header.findIndex((h) => /^run$/i.test(h));
  const kindCol = header.findIndex((h) => /^(kind|type|series)$/i.test(h));
  const out = {};
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    header.forEach((h, i) => {
      if (!/loss/i.test(h) || cells[i] === '' || !Number.isFinite(Number(cells[i]))) return;
      const k = `${runCol >= 0 ? cells[runCol] : ''}/${kindCol >= 0 ? cells[kindCol] : ''}/${h}`;
      (out[k] ??= []).push(Number(cells[i]));
    });
  }
  return out;
}

/** Clicks an export button and returns the downloaded file's text. */
export async function download(page, id) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), click(page, id)]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), body: await readFile(path, 'utf8') };
}

/** Opens `link` in a fresh context, takes `n` single steps, returns the exported first losses
 *  (and the settings the page shows on arrival). */
export async function firstLosses(ctx, link, n) {
  const { page, log } = await ctx.open();
  await page.goto(link);
  await waitReady(page, log);
  const settings = await settingValues(page);
  const notice = (await visible(page, 'url-notice')) ? await text(page, 'url-notice') : '';
  for (let i = 1; i <= n; i++) {
    await poll(async () => page.locator(tid('step-button')).first().isEnabled(), {
      timeout: 30_000,
      message: async () => `step-button not enabled before step ${i}: ${await describe(page, log)}`,
    });
    await click(page, 'step-button');
    await poll(
      async () => {
        const s = await steps(page);
        return s.importance >= i && s.uniform >= i;
      },
      { timeout: FIRST_STEP_TIMEOUT, message: async () => `Step ${i} did not advance both runs to ${i}: ${await describe(page, log)}` },
    );
  }
  // metrics are batched and throttled: wait until the export holds all n steps
  let series;
  let source;
  await poll(
    async () => {
      if ((await page.locator(tid('export-json')).count()) > 0) {
        const { body } = await download(page, 'export-json');
        source = 'export-json';
        if (ctx.outDir) await writeFile(join(ctx.outDir, 'share-export.json'), body);
        series = lossSeries(JSON.parse(body));
      } else {
        const { body } = await download(page, 'export-csv');
        source = 'export-csv';
        series = csvLossSeries(body);
      }
      const lens = Object.values(series).map((v) => v.length);
      return lens.length > 0 && Math.max(...lens) >= n;
    },
    {
      timeout: 20_000,
      interval: 1500,
      message: () => `the export never held ${n} steps' losses (series found: ${JSON.stringify(Object.fromEntries(Object.entries(series ?? {}).map(([k, v]) => [k, v.length])))})`,
    },
  );
  const backend = await text(page, 'backend-badge');
  await page.context().close();
  return { series, source, backend, settings, notice };
}



/** Saves the running playground (test-results/playground.png) and, when asked, docs/screenshot.png. */
export function screenshotter(outDir, repoRoot, update) {
  let done = false;
  return async (page) => {
    if (done) return;
    done = true;
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, 'playground.png');
    await sleep(600); // let the charts animate in
    await page.screenshot({ path: file });
    if (update) {
      await mkdir(join(repoRoot, 'docs'), { recursive: true });
      await copyFile(file, join(repoRoot, 'docs', 'screenshot.png'));
    }
  };
}
