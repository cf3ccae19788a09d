// scripts/serve-static.mjs, the server of the browser tests and `npm run serve`: it serves
// only what lies inside its folder (symbolic links resolved), answers malformed requests with
// 400 and internal failures without their detail, keeps a bounded request log, and refuses
// bad command-line arguments with a message instead of a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SITE_CSP_HEADER, parsePolicy } from '../../../scripts/contentSecurityPolicy.mjs';
import {
  MAX_CONNECTIONS,
  MAX_LOGGED_PATH,
  MAX_LOGGED_REQUESTS,
  parseServeArgs,
  startStaticServer,
  type StaticServer,
} from '../../../scripts/serve-static.mjs';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/serve-static.mjs');

let dir = '';
let site = '';
let srv: StaticServer | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'serve-static-'));
  site = path.join(dir, 'site');
  mkdirSync(path.join(site, 'sub'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(path.join(site, 'sub', 'a.txt'), 'inside');
  writeFileSync(path.join(dir, 'secret.txt'), 'SECRET outside the site');
});

afterEach(async () => {
  await srv?.close();
  srv = null;
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET: the path goes out exactly as written (fetch would normalize it). */
function get(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return getWithHeaders(port, rawPath).then(({ status, body }) => ({ status, body }));
}

function getWithHeaders(port: number, rawPath: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve-static serving', () => {
  it('serves files inside the folder, including through a link that stays inside', async () => {
    symlinkSync(path.join(site, 'sub', 'a.txt'), path.join(site, 'inner-link.txt'));
    srv = await startStaticServer({ root: site, port: 0 });
    expect(await get(srv.port, '/')).toMatchObject({ status: 200, body: '<!doctype html><title>ok</title>' });
    expect(await get(srv.port, '/sub/a.txt')).toEqual({ status: 200, body: 'inside' });
    expect(await get(srv.port, '/inner-link.txt')).toEqual({ status: 200, body: 'inside' });
  });

  it('does not follow a symbolic link out of its folder', async () => {
    symlinkSync(path.join(dir, 'secret.txt'), path.join(site, 'x'));
    symlinkSync(dir, path.join(site, 'up'));
    srv = await startStaticServer({ root: site, port: 0 });
    for (const p of ['/x', '/up/secret.txt']) {
      const r = await get(srv.port, p);
      expect(r.status, p).toBe(403);
      expect(r.body, p).not.toContain('SECRET');
    }
  });

  it('serves a folder that is itself reached through a link', async () => {
    const linked = path.join(dir, 'linked-site');
    symlinkSync(site, linked);
    srv = await startStaticServer({ root: linked, port: 0 });
    expect(await get(srv.port, '/sub/a.txt')).toEqual({ status: 200, body: 'inside' });
  });

  it('answers malformed percent-encoding with 400, without internal detail', async () => {
    srv = await startStaticServer({ root: site, port: 0 });
    for (const p of ['/%', '/%E0%A4%A', '/sub/%zz', '/a%00b']) {
      const r = await get(srv.port, p);
      expect(r.status, p).toBe(400);
      expect(r.body, p).not.toMatch(/URI|malformed URI|Error|at /);
    }
    expect((await get(srv.port, '/sub/a.txt')).status).toBe(200); // still serving
  });

  it('makes the page cross-origin isolated (COOP + COEP on every response, errors included) unless told not to', async () => {
    // The wasm backend's threaded binary needs SharedArrayBuffer, which a browser grants only then.
    srv = await startStaticServer({ root: site, port: 0 });
    for (const p of ['/', '/sub/a.txt', '/nope', '/%']) {
      const { headers } = await getWithHeaders(srv.port, p);
      expect(headers['cross-origin-opener-policy'], p).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy'], p).toBe('require-corp');
    }
    await srv.close();
    // As GitHub Pages: no isolation, the single-thread binary.
    srv = await startStaticServer({ root: site, port: 0, isolate: false });
    const { status, headers } = await getWithHeaders(srv.port, '/');
    expect(status).toBe(200);
    expect(headers['cross-origin-opener-policy']).toBeUndefined();
    expect(headers['cross-origin-embedder-policy']).toBeUndefined();
  });

  it('keeps only the most recent requests in its log', async () => {
    srv = await startStaticServer({ root: site, port: 0 });
    const total = MAX_LOGGED_REQUESTS + 50;
    for (let i = 0; i < total; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => get(srv!.port, `/nope-${i + k}`)));
    }
    expect(srv.requests.length).toBe(MAX_LOGGED_REQUESTS);
    expect(srv.requestsDropped).toBe(50);
    expect(srv.requests.every((r) => r.status === 404)).toBe(true);
  }, 60_000);
});

// ---- under load, and the policy it sends ------------------------------------------------------

const MiB = 1024 * 1024;
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  vi.restoreAllMocks();
});

/** A client that asks for `rawPath` and never reads the answer. Resolves once connected. */
function stalledClient(port: number, rawPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.pause();
      s.write(`GET ${rawPath} HTTP/1.1\r\nHost: x\r\n\r\n`);
      resolve(s);
    });
    s.on('error', () => undefined);
    s.once('error', reject);
    sockets.push(s);
  });
}

async function waitFor(ok: () => boolean, what: string, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!ok() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
  expect(ok(), what).toBe(true);
}

describe('serve-static under load', () => {
  it('streams files: 8 clients that never read a 50 MB file do not make it hold 8 copies', async () => {
    writeFileSync(path.join(site, 'big.bin'), Buffer.alloc(50 * MiB, 7));
    srv = await startStaticServer({ root: site, port: 0 });
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 8; i++) await stalledClient(srv.port, '/big.bin');
    await waitFor(() => srv!.requests.filter((r) => r.status === 200).length === 8, 'all 8 answered');
    await new Promise((r) => setTimeout(r, 300));
    const held = process.memoryUsage().arrayBuffers - before;
    // Whole-file reads held 8 × 50 MB here; a stream holds its read-ahead per client.
    expect(held).toBeLessThan(40 * MiB);
    // And a reading client still gets the file whole.
    const { status, body } = await new Promise<{ status: number; body: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: srv!.port, path: '/big.bin' }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: n }));
      });
      req.on('error', reject);
      req.end();
    });
    expect({ status, body }).toEqual({ status: 200, body: 50 * MiB });
  }, 60_000);

  it('caps its connections: past the cap a new client is turned away, and served again once others leave', async () => {
    expect(MAX_CONNECTIONS).toBeGreaterThanOrEqual(16);
    writeFileSync(path.join(site, 'big.bin'), Buffer.alloc(8 * MiB, 7));
    srv = await startStaticServer({ root: site, port: 0, maxConnections: 4 });
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await stalledClient(srv.port, '/big.bin'));
    await waitFor(() => srv!.requests.length === 4, 'four clients in');
    const refused = await get(srv.port, '/sub/a.txt').then(
      () => 'served',
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    );
    expect(refused).not.toBe('served');
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(await get(srv.port, '/sub/a.txt')).toEqual({ status: 200, body: 'inside' });
  }, 30_000);

  it('bounds each console line of its log: a 15,000-character URL prints at most a short, printable line', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    srv = await startStaticServer({ root: site, port: 0, log: true });
    const long = '/sub/' + 'a'.repeat(15_000) + '%1b%5b31m';
    expect((await get(srv.port, long)).status).toBe(404);
    await get(srv.port, '/sub/a.txt?x=%1b%5b2J');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(MAX_LOGGED_PATH + 40);
      // eslint-disable-next-line no-control-regex
      expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    }
    expect(lines[0]).toMatch(/^404 GET \/sub\/a{20,}…$/);
    expect(srv.requests[0].path.length).toBeLessThanOrEqual(MAX_LOGGED_PATH + 1);
  });
});

describe('the Content-Security-Policy header', () => {
  it('goes with every response (the page, scripts, errors), beside COOP and COEP', async () => {
    writeFileSync(path.join(site, 'worker.js'), 'self.onmessage = () => undefined;');
    srv = await startStaticServer({ root: site, port: 0 });
    for (const p of ['/', '/worker.js', '/sub/a.txt', '/nope', '/%']) {
      const { headers } = await getWithHeaders(srv.port, p);
      expect(headers['content-security-policy'], p).toBe(SITE_CSP_HEADER);
      expect(headers['cross-origin-opener-policy'], p).toBe('same-origin');
      expect(headers['cross-origin-embedder-policy'], p).toBe('require-corp');
    }
  });

  it("is index.html's policy, plus blob: for the wasm backend's threads and frame-ancestors 'none'", () => {
    const html = readFileSync(path.resolve(import.meta.dirname, '../../../index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta).not.toBeNull();
    const page = parsePolicy(meta![1]);
    const header = parsePolicy(SITE_CSP_HEADER);
    const expected = {
      ...page,
      'script-src': [...page['script-src'], 'blob:'],
      'worker-src': [...page['worker-src'], 'blob:'],
      'frame-ancestors': ["'none'"],
    };
    expect(header).toEqual(expected);
    // WebAssembly compiles; no JavaScript eval or inline script anywhere.
    expect(header['script-src']).toContain("'wasm-unsafe-eval'");
    expect(Object.values(header).flat()).not.toContain("'unsafe-eval'");
    expect(Object.values(header).flat()).not.toContain("'unsafe-inline'");
  });
});

describe('serve-static arguments', () => {
  it('parses good arguments', () => {
    expect(parseServeArgs(['--dir', 'x', '--port', '0', '--base', '/a/', '--corrupt', 'data/f.gz:truncate', '--quiet'])).toEqual({
      root: 'x',
      base: '/a/',
      port: 0,
      corrupt: { 'data/f.gz': 'truncate' },
      log: false,
    });
    expect(parseServeArgs(['--help'])).toBeNull();
    expect(parseServeArgs(['--no-isolation'])).toMatchObject({ isolate: false });
    expect(parseServeArgs([])).not.toHaveProperty('isolate');
  });

  it.each([
    [['--port', 'abc'], /--port must be a whole number from 0 to 65535.*"abc"/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--port', '-1'], /--port needs a value|--port must be/],
    [['--port'], /--port needs a value/],
    [['--corrupt', 'f.gz:shred'], /--corrupt mode must be one of flip, truncate, garbage, got "shred"/],
    [['--bogus'], /unknown argument "--bogus"/],
  ])('%j is refused with a message', (args, message) => {
    expect(() => parseServeArgs(args)).toThrow(message);
  });

  it('the command line prints the message and usage, exit code 2, no stack trace', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--port', 'abc'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^serve-static: --port must be a whole number/);
    expect(r.stderr).toContain('usage: node scripts/serve-static.mjs');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = spawnSync(process.execPath, [SCRIPT, '--dir', path.join(dir, 'none'), '--port', '0'], { encoding: 'utf8', timeout: 20_000 });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/is not a directory/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
