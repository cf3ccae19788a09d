#!/usr/bin/env node
// Regenerates docs/hands-on.png from a real run: the production build in Debian's Chromium,
// MNIST with the MLP trained for a while, a "3" drawn with the mouse, then a picture of the
// two hands-on cards (both runs' answers for the drawing, and their first layers).
//
//   npm run build && node scripts/screenshot-handson.mjs [--seconds 90] [--out docs/hands-on.png]
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { click, poll, query, waitReady } from '../tests/browser/lib.mjs';
import { positiveOption, cliOption, repoRoot, withBuiltPage } from './screenshotPage.mjs';

const seconds = positiveOption('--seconds', '90');
const out = resolve(repoRoot, cliOption('--out', 'docs/hands-on.png'));

/** A "3": two bowls down the right, as fractions of the drawing. */
const THREE = [
  [0.3, 0.22],
  [0.45, 0.15],
  [0.62, 0.17],
  [0.68, 0.3],
  [0.58, 0.44],
  [0.44, 0.48],
  [0.6, 0.52],
  [0.7, 0.66],
  [0.62, 0.8],
  [0.45, 0.85],
  [0.3, 0.78],
];

await withBuiltPage({ width: 1280, height: 1000 }, async ({ page, log, url }) => {
  await page.goto(url + query({ dataset: 'mnist', model: 'mlp', mode: 'importance' }));
  await waitReady(page, log, { timeout: 180_000 });
  await click(page, 'start-button');
  await page.waitForTimeout(seconds * 1000);
  await click(page, 'pause-button');
  const canvas = page.locator('[data-testid="draw-canvas"]').first();
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(THREE[0]));
  await page.mouse.down();
  for (const p of THREE.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
  const cards = page.locator('[data-testid="try-models"], [data-testid="first-layer"]');
  await cards.first().scrollIntoViewIfNeeded();
  await poll(async () => (await page.locator('[data-testid="probabilities"]').getAttribute('data-state')) === 'shown', { timeout: 30_000, message: 'no answer for the drawing' });
  await poll(async () => (await page.locator('[data-testid="first-layer-uniform"]').getAttribute('data-state')) === 'shown', { timeout: 30_000, message: 'no first layer' });
  for (const close of await page.locator('.banner-close').all()) await close.click().catch(() => {});
  await page.waitForTimeout(800);
  // The two cards, side by side in the chart grid: one picture around both.
  const { left, top, right, bottom } = await page.evaluate(() => {
    const boxes = [...document.querySelectorAll('[data-testid="try-models"], [data-testid="first-layer"]')].map((el) => el.getBoundingClientRect());
    return {
      left: Math.min(...boxes.map((b) => b.left)) + window.scrollX,
      top: Math.min(...boxes.map((b) => b.top)) + window.scrollY,
      right: Math.max(...boxes.map((b) => b.right)) + window.scrollX,
      bottom: Math.max(...boxes.map((b) => b.bottom)) + window.scrollY,
    };
  });
  await mkdir(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true, clip: { x: left - 4, y: top - 4, width: right - left + 8, height: bottom - top + 8 } });
  const probs = await page.locator('[data-testid="probabilities"]').getAttribute('data-probs-importance');
  const best = probs.split(',').map(Number);
  console.log(`wrote ${out} (trained ${seconds} s; the importance run reads the drawing as ${best.indexOf(Math.max(...best))})`);
});
