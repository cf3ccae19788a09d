// Shared helpers of the browser tests: Chromium discovery and launch, pages that record what
// they do (console, errors, requests, dialogs), polling waits with clear failure messages, and
// readers for the page's agreed data-testid hooks.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
/** WebGPU on (SwiftShader here: a CPU fallback adapter, correct but slow). */
export const WEBGPU_ARGS = [...BASE_ARGS, '--enable-unsafe-webgpu'];
/** WebGPU off: without --enable-unsafe-webgpu headless Chromium on Linux returns no adapter;
 *  --disable-features=WebGPU makes sure of it. (Checked: requestAdapter() gives null.) */
export const NO_WEBGPU_ARGS = [...BASE_ARGS, '--disable-features=WebGPU'];

/** The smallest experiment: the browser tests assert behaviour, not speed. */
export const TINY = {
  dataset: 'synthetic-shapes',
  model: 'mlp',
  batchSize: 8,
  trainCap: 256,
  evalSize: 32,
  evalInterval: 2,
};

export function findChromium() {
  // an explicit choice is used or fails, never silently replaced
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return existsSync(explicit) ? explicit : null;
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return c;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (p) return p;
    } catch {
      /* not on PATH */
    }
  }
  return null;
}

export function query(params) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) sp.append(k, String(v));
  const s = sp.toString();
  return s ? '?' + s : '';
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class TestFailure extends Error {}

export function check(cond, message) {
  if (!cond) throw new TestFailure(typeof message === 'function' ? message() : message);
}

/**
 * Polls `fn` (async, returns a truthy value when done) every `interval` ms until `timeout`.
 * On timeout throws with `message` plus the last value / error seen.
 */
export async function poll(fn, { timeout, interval = 250, message }) {
  const end = Date.now() + timeout;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      lastErr = undefined;
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end) break;
    await sleep(interval);
  }
  const msg = typeof message === 'function' ? await message() : message;
  throw new TestFailure(
    `${msg} (waited ${(timeout / 1000).toFixed(0)} s` +
      (lastErr ? `; last error: ${String(lastErr.message ?? lastErr).split('\n')[0]}` : '') +
      ')',
  );
}

const tid = (id) => `[data-testid="${id}"]`;
export { tid };

/**
 * Opens a page in a fresh context (fresh storage) that records console errors, page errors,
 * every request (page and worker), failed responses and dialogs.
 */
export async function openPage(browser, { contextOptions = {}, record } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    ...contextOptions,
  });
  const page = await context.newPage();
  const log = {
    consoleErrors: [],
    consoleAll: [],
    pageErrors: [],
    requests: [],
    badResponses: [],
    dialogs: [],
  };
  page.on('console', (m) => {
    const line = `[${m.type()}] ${m.text()}`;
    log.consoleAll.push(line);
    if (log.consoleAll.length > 400) log.consoleAll.shift();
    if (m.type() === 'error') log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e?.message ?? e)));
  context.on('request', (r) => log.requests.push(r.url()));
  context.on('response', (r) => {
    if (r.status() >= 400) log.badResponses.push(`${r.status()} ${r.url()}`);
  });
  page.on('dialog', (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  record?.(context);
  return { context, page, log };
}

/** Text of a test id, '' if absent. */
export async function text(page, id) {
  const loc = page.locator(tid(id)).first();
  if ((await loc.count()) === 0) return '';
  return ((await loc.textContent({ timeout: 2000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
}

export async function visible(page, id) {
  const loc = page.locator(tid(id)).first();
  return (await loc.count()) > 0 && (await loc.isVisible().catch(() => false));
}

/** The first integer in a test id's text ("step 1,234" → 1234), or null. */
export async function readInt(page, id) {
  const t = await text(page, id);
  const m = t.replace(/(\d),(?=\d{3})/g, '$1').match(/\d+/);
  return m ? Number(m[0]) : null;
}

/** data-points of a chart, or null when the chart or attribute is missing. */
export async function points(page, id) {
  const v = await page
    .locator(tid(id))
    .first()
    .getAttribute('data-points', { timeout: 1000 })
    .catch(() => null);
  return v == null || v === '' ? null : Number(v);
}

/** Steps of both runs. */
export async function steps(page) {
  return { importance: await readInt(page, 'run-step-importance'), uniform: await readInt(page, 'run-step-uniform') };
}

/** Every settings input's value, keyed by setting name, plus the pressed mode button. */
export async function settingValues(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('[data-testid^="setting-"]')) {
      const key = el.getAttribute('data-testid').slice('setting-'.length);
      let v;
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) v = String(el.checked);
      else if ('value' in el && typeof el.value === 'string') v = el.value;
      else v = el.getAttribute('data-value') ?? el.getAttribute('aria-checked') ?? el.textContent?.trim() ?? '';
      out[key] = v;
    }
    const pressed = [...document.querySelectorAll('[data-testid^="mode-"][aria-pressed="true"]')].map((e) =>
      e.getAttribute('data-testid').slice('mode-'.length),
    );
    out['(mode button pressed)'] = pressed.join(',');
    return out;
  });
}

/** A snapshot of the status hooks, for failure messages. */
export async function describe(page, log) {
  const parts = [];
  try {
    for (const id of ['backend-badge', 'engine-mode', 'fallback-banner', 'error-banner', 'url-notice', 'dataset-progress']) {
      const t = await text(page, id);
      if (t) parts.push(`${id}="${t.slice(0, 200)}"`);
    }
    const s = await steps(page);
    parts.push(`steps imp=${s.importance} uni=${s.uniform}`);
    parts.push(`points loss=${await points(page, 'chart-loss')} tau=${await points(page, 'chart-tau')}`);
    const startDisabled = await page
      .locator(tid('start-button'))
      .first()
      .isDisabled({ timeout: 500 })
      .catch(() => 'absent');
    parts.push(`start-button disabled=${startDisabled}`);
  } catch (e) {
    parts.push(`(page unreadable: ${e.message.split('\n')[0]})`);
  }
  if (log?.pageErrors.length) parts.push(`page errors: ${log.pageErrors.slice(-3).join(' | ')}`);
  if (log?.consoleErrors.length) parts.push(`console errors: ${log.consoleErrors.slice(-3).join(' | ')}`);
  return parts.join('; ');
}

const BACKEND_RE = /\b(webgpu|webgl|wasm|cpu)\b/i;

/**
 * Waits until the page is interactive: the hooks exist, the backend is reported and the Start
 * button is enabled (engine ready: dataset loaded, models built).
 */
export async function waitReady(page, log, { timeout = 90_000, allowError = false } = {}) {
  await poll(
    async () => {
      if (!allowError && (await visible(page, 'error-banner'))) {
        throw new TestFailure(`error-banner shown while loading: "${await text(page, 'error-banner')}"`);
      }
      if (!BACKEND_RE.test(await text(page, 'backend-badge'))) return false;
      const start = page.locator(tid('start-button')).first();
      return (await start.count()) > 0 && (await start.isEnabled());
    },
    {
      timeout,
      interval: 300,
      message: async () => `page never became ready (backend-badge names a backend, start-button enabled): ${await describe(page, log)}`,
    },
  ).catch(async (err) => {
    // a fatal error banner is a clearer message than a timeout
    if (err instanceof TestFailure && !allowError && (await visible(page, 'error-banner').catch(() => false))) {
      throw new TestFailure(`error-banner shown while loading: "${await text(page, 'error-banner')}"`);
    }
    throw err;
  });
  return text(page, 'backend-badge');
}

export async function click(page, id) {
  const loc = page.locator(tid(id)).first();
  if ((await loc.count()) === 0) throw new TestFailure(`no element with data-testid="${id}"`);
  await loc.click({ timeout: 10_000 });
}

/** Sets a settings input (select, text/number input or checkbox) as a person would. */
export async function setSetting(page, key, value) {
  const loc = page.locator(tid(`setting-${key}`)).first();
  if ((await loc.count()) === 0) throw new TestFailure(`no element with data-testid="setting-${key}"`);
  const tag = await loc.evaluate((el) => `${el.tagName.toLowerCase()}:${el.getAttribute('type') ?? ''}`);
  if (tag.startsWith('select')) await loc.selectOption(String(value));
  else if (tag === 'input:checkbox') await loc.setChecked(Boolean(value));
  else {
    await loc.fill(String(value));
    await loc.press('Enter').catch(() => {});
    await loc.blur().catch(() => {});
  }
}
