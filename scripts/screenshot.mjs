#!/usr/bin/env node
// Regenerates docs/screenshot.png from a real run: the production build, Debian's Chromium,
// the "where it pays" preset (MNIST, MLP, the score table), trained until the who-is-ahead
// readout shows the importance run ahead at equal time (or a time limit), then a screenshot.
//
//   npm run build && node scripts/screenshot.mjs [--minutes 8] [--out docs/screenshot.png]
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { click, poll, waitReady } from '../tests/browser/lib.mjs';
import { positiveOption, cliOption, repoRoot, withBuiltPage } from './screenshotPage.mjs';

const minutes = positiveOption('--minutes', '8');
const out = resolve(repoRoot, cliOption('--out', 'docs/screenshot.png'));

await withBuiltPage({ width: 1280, height: 1240 }, async ({ page, log, url }) => {
  await page.goto(url);
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
});
