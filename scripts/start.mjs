#!/usr/bin/env node
// `npm start`: the Vite dev server, and a browser tab on it where one can be opened. `vite
// --open` always runs the desktop opener (xdg-open on Linux), which on a machine without a
// desktop (a server, a container, SSH) fails with a stack trace; here the URL is always
// printed and a browser is opened only on macOS, on Windows, or where a display is set.
// The server sends vite.config.ts's server.headers: COOP + COEP, so the page is cross-origin
// isolated and the wasm backend trains on several threads. It also sends the site's
// Content-Security-Policy header (contentSecurityPolicy.mjs) on every response but the page's
// HTML, so the training worker runs under the policy as it does when built: the page goes
// without, since the dev server's React refresh preamble is an inline script (vite.config.ts
// drops the <meta> policy in dev for the same reason).
//
//   node scripts/start.mjs [--port 5173] [--host 127.0.0.1] [--no-open]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { SITE_CSP_HEADER } from './contentSecurityPolicy.mjs';

/**
 * Whether a browser can be opened here: macOS and Windows always have a desktop; elsewhere an
 * X11 or Wayland display must be set. BROWSER=none (Vite's convention) turns it off.
 * @param {{ platform: string, env: Record<string, string | undefined> }} where
 */
export function canOpenBrowser({ platform, env }) {
  if ((env.BROWSER ?? '').toLowerCase() === 'none') return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The desktop's "open this URL" command for a platform. */
export function openerFor(platform) {
  if (platform === 'darwin') return { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  return { command: 'xdg-open', args: [] };
}

/**
 * Opens `url` with the desktop's opener. Resolves true when the opener started and exited
 * cleanly, false (never throws) when it is missing or fails: the URL is printed anyway.
 */
export function openBrowser(url, opener = openerFor(process.platform)) {
  return new Promise((done) => {
    let child;
    try {
      child = spawn(opener.command, [...opener.args, url], { stdio: 'ignore', detached: process.platform !== 'win32' });
    } catch {
      done(false);
      return;
    }
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
    child.unref();
  });
}

/** True for a request of an HTML page (a navigation), which the dev server answers with inline scripts. */
export function asksForPage(headers) {
  const dest = headers['sec-fetch-dest'];
  if (dest) return dest === 'document' || dest === 'iframe';
  return String(headers.accept ?? '').includes('text/html');
}

/** A Vite plugin: the site's Content-Security-Policy header on every dev response but a page. */
export function devContentSecurityPolicy() {
  return {
    name: 'dev-content-security-policy',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!asksForPage(req.headers)) res.setHeader('Content-Security-Policy', SITE_CSP_HEADER);
        next();
      });
    },
  };
}

/** Options from the command line; throws with a message naming a bad argument. */
export function parseStartArgs(args) {
  const opts = { port: 5173, host: undefined, open: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      const v = value();
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new Error(`--port must be a whole number from 0 to 65535, got "${v}"`);
      opts.port = Number(v);
    } else if (a === '--host') opts.host = value();
    else if (a === '--no-open') opts.open = false;
    else throw new Error(`unknown argument "${a}" (expected --port N, --host H or --no-open)`);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseStartArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`start: ${e.message}`);
    process.exit(2);
  }
  const { createServer } = await import('vite');
  const server = await createServer({ server: { port: opts.port, host: opts.host, open: false }, plugins: [devContentSecurityPolicy()] });
  await server.listen();
  server.printUrls();
  const url = server.resolvedUrls?.local[0] ?? `http://localhost:${opts.port}/`;
  if (!opts.open) {
    // asked not to
  } else if (canOpenBrowser({ platform: process.platform, env: process.env })) {
    if (!(await openBrowser(url))) console.log(`  Could not open a browser: open ${url} yourself.`);
  } else {
    console.log(`  No desktop here (no DISPLAY or WAYLAND_DISPLAY): open ${url} in a browser.`);
  }
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
