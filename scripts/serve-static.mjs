#!/usr/bin/env node
// A tiny static server for the production build (dist/), used by the browser tests and handy
// for checking a build by hand. It binds 127.0.0.1 (a secure context, so WebGPU is exposed),
// can serve the site under a sub-path (as GitHub Pages does for project sites), and can
// corrupt chosen files on the way out (the browser tests' broken-dataset scenario).
//
//   node scripts/serve-static.mjs [--dir dist] [--base /demo/is/] [--port 4173]
//                                 [--corrupt data/mnist-train-images.bin.gz]... [--no-isolation] [--no-csp]
//
// Every response carries the cross-origin isolation headers (COOP same-origin, COEP
// require-corp), so the page may use SharedArrayBuffer and the wasm backend trains on several
// threads; --no-isolation (isolate: false) leaves them out, as GitHub Pages does. Every
// response also carries the site's Content-Security-Policy as a header
// (contentSecurityPolicy.mjs): index.html's <meta> policy covers the page only, the header
// also covers the training worker; --no-csp (csp: false) leaves it out, as GitHub Pages does.
//
// As a module: const srv = await startStaticServer({ root, base, corrupt }); srv.url; await srv.close();
//
// It serves only files whose real path (symbolic links resolved) lies inside the served
// folder, answers a malformed request with 400 and an internal failure with a bare 500 (the
// detail goes to the log, not to the client), and remembers only the most recent requests.
// Under load it holds little: files are streamed (a client that does not read holds the
// server's read-ahead, not the file), connections are capped, an idle one is closed, and a
// log line is bounded and printable whatever the URL.
import { createServer } from 'node:http';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { SITE_CSP_HEADER } from './contentSecurityPolicy.mjs';

/** Requests kept in `requests` (the oldest are dropped first; `requestsDropped` counts them). */
export const MAX_LOGGED_REQUESTS = 2000;
/** Longest request path kept in the log and printed on a console line (then "…"). */
export const MAX_LOGGED_PATH = 256;
/**
 * Most open connections; further clients are turned away until some leave. A browser opens
 * about 6 per origin; the browser tests run a few pages at once.
 */
export const MAX_CONNECTIONS = 64;
/** A connection with no traffic either way for this long is closed (a client that stopped reading). */
const IDLE_TIMEOUT_MS = 60_000;
export const CORRUPT_MODES = ['flip', 'truncate', 'garbage'];
/** Sent on every response unless isolation is turned off: the page is cross-origin isolated. */
export const CROSS_ORIGIN_ISOLATION_HEADERS = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
});

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  // Like GitHub Pages: a .gz file is served as it is (no Content-Encoding); the app inflates it.
  '.gz': 'application/gzip',
  '.bin': 'application/octet-stream',
  '.woff2': 'font/woff2',
};

/**
 * Corrupts a file's bytes deterministically: the modes are
 *  - 'flip' (default): invert a run of bytes in the middle (a gzip stream then fails its
 *    inflate or CRC check; a raw file fails any checksum),
 *  - 'truncate': keep the first half,
 *  - 'garbage': same length, all bytes 0x5a (not even a gzip header).
 */
export function corruptBytes(buf, mode = 'flip') {
  const out = Buffer.from(buf);
  if (mode === 'truncate') return out.subarray(0, Math.floor(out.length / 2));
  if (mode === 'garbage') return out.fill(0x5a);
  const from = Math.max(10, Math.floor(out.length / 3));
  const to = Math.min(out.length - 8, from + 4096);
  for (let i = from; i < to; i++) out[i] = out[i] ^ 0xff;
  return out;
}

/** A request path for the log: at most MAX_LOGGED_PATH characters, anything unprintable as "?". */
function loggable(rawPath) {
  const cut = rawPath.length > MAX_LOGGED_PATH ? rawPath.slice(0, MAX_LOGGED_PATH) + '…' : rawPath;
  return cut.replace(/[^\x20-\x7e…]/g, '?');
}

function normalizeBase(base) {
  let b = base || '/';
  if (!b.startsWith('/')) b = '/' + b;
  if (!b.endsWith('/')) b += '/';
  return b;
}

/**
 * @param {object} opts
 * @param {string} [opts.root='dist']   directory to serve
 * @param {string} [opts.base='/']      URL sub-path the site lives under, e.g. '/demo/is/'
 * @param {string} [opts.host='127.0.0.1']
 * @param {number} [opts.port=0]        0 = any free port
 * @param {Record<string,'flip'|'truncate'|'garbage'>|string[]} [opts.corrupt]
 *        paths relative to root (e.g. 'data/mnist-train-images.bin.gz') served corrupted
 * @param {boolean} [opts.log=false]    log each request to stdout
 * @param {boolean} [opts.isolate=true] send COOP/COEP (cross-origin isolation) on every response
 * @param {boolean} [opts.csp=true]     send the site's Content-Security-Policy header on every response
 * @param {number} [opts.maxConnections=MAX_CONNECTIONS]
 */
export async function startStaticServer(opts = {}) {
  const given = resolve(opts.root ?? 'dist');
  const base = normalizeBase(opts.base);
  const host = opts.host ?? '127.0.0.1';
  const isolation = opts.isolate === false ? {} : CROSS_ORIGIN_ISOLATION_HEADERS;
  const policy = opts.csp === false ? {} : { 'content-security-policy': SITE_CSP_HEADER };
  const common = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...isolation, ...policy };
  const corrupt = new Map(
    Array.isArray(opts.corrupt)
      ? opts.corrupt.map((p) => [p.replace(/^\/+/, ''), 'flip'])
      : Object.entries(opts.corrupt ?? {}).map(([p, m]) => [p.replace(/^\/+/, ''), m]),
  );
  const st = await stat(given).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`serve-static: ${given} is not a directory (run the build first)`);
  // Containment is checked on real paths: a link inside the folder that points outside it
  // (ln -s /etc/passwd dist/x) must not serve its target.
  const root = await realpath(given);
  const inside = (p) => p === root || p.startsWith(root + sep);

  /** The most recent requests (at most MAX_LOGGED_REQUESTS): { method, path, status }. */
  const requests = [];
  let requestsDropped = 0;

  const server = createServer(async (req, res) => {
    const rawPath = req.url ?? '';
    const entry = { method: req.method, path: loggable(rawPath), status: 0 };
    if (requests.length >= MAX_LOGGED_REQUESTS) {
      const drop = requests.length - MAX_LOGGED_REQUESTS + 1;
      requests.splice(0, drop);
      requestsDropped += drop;
    }
    requests.push(entry);
    const head = (status, headers = {}) => {
      entry.status = status;
      res.writeHead(status, { ...common, ...headers });
      if (opts.log) console.log(`${status} ${req.method} ${entry.path}`);
    };
    const send = (status, body, headers = {}) => {
      head(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { allow: 'GET, HEAD' });
      const url = new URL(rawPath || '/', 'http://x');
      let pathname;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return send(400, 'bad request: malformed percent-encoding in the path');
      }
      if (pathname.includes('\0')) return send(400, 'bad request: NUL in the path');
      if (pathname + '/' === base) return send(301, '', { location: base + url.search });
      if (!pathname.startsWith(base)) return send(404, 'not found (outside the site base ' + base + ')');
      let rel = pathname.slice(base.length);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = normalize(join(root, rel));
      if (!inside(file)) return send(403, 'forbidden');
      const real = await realpath(file).catch(() => null);
      if (real === null) return send(404, 'not found');
      if (!inside(real)) return send(403, 'forbidden');
      const fst = await stat(real).catch(() => null);
      if (!fst?.isFile()) return send(404, 'not found');
      const type = { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
      const relKey = rel.split(sep).join('/');
      if (corrupt.has(relKey)) {
        // Test files only (the broken-dataset scenario): read whole to corrupt them.
        const body = corruptBytes(await readFile(real), corrupt.get(relKey));
        return send(200, body, { ...type, 'content-length': String(body.length) });
      }
      // Streamed, so a client that reads slowly (or never) holds the read-ahead, not the file.
      const handle = await open(real, 'r');
      try {
        const { size } = await handle.stat();
        head(200, { ...type, 'content-length': String(size) });
        if (req.method === 'HEAD') return void res.end();
        await pipeline(handle.createReadStream({ autoClose: false }), res);
      } finally {
        await handle.close();
      }
    } catch (err) {
      // A client that went away mid-download is no failure; anything else is logged here only.
      const gone = err?.code === 'ERR_STREAM_PREMATURE_CLOSE' || res.destroyed;
      if (opts.log && !gone) console.error(`serve-static: ${req.method} ${entry.path}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(500, 'server error');
      else res.destroy();
    }
  });
  server.maxConnections = opts.maxConnections ?? MAX_CONNECTIONS;
  server.timeout = IDLE_TIMEOUT_MS;
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, ok);
  });
  const { port } = server.address();
  const origin = `http://${host}:${port}`;
  return {
    origin,
    url: origin + base,
    base,
    port,
    requests,
    /** Requests dropped from `requests` to keep it bounded. */
    get requestsDropped() {
      return requestsDropped;
    },
    /** Replaces the set of corrupted files. */
    setCorrupt(map) {
      corrupt.clear();
      for (const [p, m] of Object.entries(map)) corrupt.set(p.replace(/^\/+/, ''), m);
    },
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

// ---- CLI ----------------------------------------------------------------------------------

export const USAGE =
  'usage: node scripts/serve-static.mjs [--dir dist] [--base /sub/path/] [--port 4173] [--host 127.0.0.1] [--corrupt path[:flip|truncate|garbage]]... [--no-isolation] [--no-csp] [--quiet]';

/** A command-line mistake: its message says which argument and what is expected. */
export class UsageError extends Error {}

/**
 * The server options from command-line arguments, or a UsageError naming the argument at fault.
 * Returns null for --help.
 */
export function parseServeArgs(args) {
  const opts = { root: 'dist', base: '/', port: 4173, corrupt: {}, log: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--dir') opts.root = val();
    else if (a === '--base') opts.base = val();
    else if (a === '--port') {
      const v = val();
      const port = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
      if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a whole number from 0 to 65535 (0 = any free port), got "${v}"`);
      opts.port = port;
    } else if (a === '--host') opts.host = val();
    else if (a === '--corrupt') {
      const v = val();
      const at = v.lastIndexOf(':');
      const path = at > 0 ? v.slice(0, at) : v;
      const mode = at > 0 ? v.slice(at + 1) : 'flip';
      if (!CORRUPT_MODES.includes(mode)) throw new UsageError(`--corrupt mode must be one of ${CORRUPT_MODES.join(', ')}, got "${mode}"`);
      opts.corrupt[path] = mode;
    } else if (a === '--quiet') opts.log = false;
    else if (a === '--no-isolation') opts.isolate = false;
    else if (a === '--no-csp') opts.csp = false;
    else if (a === '--help' || a === '-h') return null;
    else throw new UsageError(`unknown argument "${a}"`);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseServeArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`serve-static: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (opts === null) {
    console.log(USAGE);
    process.exit(0);
  }
  let srv;
  try {
    srv = await startStaticServer(opts);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(msg.startsWith('serve-static:') ? msg : `serve-static: ${msg}`);
    process.exit(1);
  }
  console.log(`serving ${resolve(opts.root)} at ${srv.url}`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
