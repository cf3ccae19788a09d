#!/usr/bin/env node
// Regenerates docs/screenshot.png from a real run: the production build, Debian's Chromium,
// the "where it pays" preset (MNIST, MLP, the score table), trained until the who-is-ahead
// readout shows the importance run ahead at equal time (or a time limit), then a screenshot.
//
//   npm run build && node scripts/screenshot.mjs [--minutes 8] [--out docs/screenshot.png]
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './serve-static.mjs';
import { WEBGPU_ARGS, click, findChromium, openPage, poll, waitReady } from '../tests/browser/lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const minutes = Number(opt('--minutes', '8'));
const out = resolve(root, opt('--out', 'docs/screenshot.png'));
if (!(minutes > 0)) throw new Error('--minutes needs a positive number');

const executablePath = findChromium();
if (!executablePath) throw new Error('no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
const { chromium } = await import('playwright-core');
const server = await startStaticServer({ root: join(root, 'dist') });
const browser = await chromium.launch({ executablePath, args: WEBGPU_ARGS, headless: true });
try {
  const { page, log } = await openPage(browser, { contextOptions: { viewport: { width: 1280, height: 1240 } } });
  await page.goto(server.url);
  await waitReady(page, log, { timeout: 180_000 });
  await click(page, 'preset-where-it-pays');
  await waitReady(page, log, { timeout: 180_000 });
  await click(page, 'start-button');
  const t0 = Date.now();
  const readout = page.locator('[data-testid="readout"]').first();
  let last = '';
  await poll(
    async () => {
      const leader = await readout.getAttribute('data-leader').catch(() => null);
      const ratio = Number(await readout.getAttribute('data-loss-ratio').catch(() => NaN));
      const line = `${((Date.now() - t0) / 1000).toFixed(0)} s: leader ${leader}, loss ratio ${Number.isFinite(ratio) ? ratio.toFixed(2) : '—'}`;
      if (line !== last) console.log(line);
      last = line;
      // Ahead by a clear margin, after the curves have had time to split.
      return (leader === 'importance' && ratio >= 1.5 && Date.now() - t0 > 60_000) || Date.now() - t0 > minutes * 60_000;
    },
    { timeout: minutes * 60_000 + 30_000, interval: 5000, message: 'the run did not finish' },
  );
  await click(page, 'pause-button');
  // The notices were read while it ran; the picture is of the race.
  for (const close of await page.locator('.banner-close').all()) await close.click().catch(() => {});
  await page.waitForTimeout(1500);
  await mkdir(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out} (${last})`);
} finally {
  await browser.close();
  await server.close();
}
