// What both screenshot scripts share: their command-line options, and the production build
// served locally and opened in Debian's Chromium (closed again whatever happens).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './serve-static.mjs';
import { WEBGPU_ARGS, findChromium, openPage } from '../tests/browser/lib.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The value after `--name` on the command line, or `fallback`. */
export function cliOption(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
}

/** A positive number from `--name` (default `fallback`); throws naming the option otherwise. */
export function positiveOption(name, fallback) {
  const value = Number(cliOption(name, fallback));
  if (!(value > 0)) throw new Error(`${name} needs a positive number`);
  return value;
}

/** Serves dist/, opens a page of `viewport` size in Chromium and runs `fn({ page, log, url })`. */
export async function withBuiltPage(viewport, fn) {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');
  const { chromium } = await import('playwright-core');
  const server = await startStaticServer({ root: join(repoRoot, 'dist') });
  const browser = await chromium.launch({ executablePath, args: WEBGPU_ARGS, headless: true });
  try {
    const { page, log } = await openPage(browser, { contextOptions: { viewport } });
    return await fn({ page, log, url: server.url });
  } finally {
    await browser.close();
    await server.close();
  }
}
