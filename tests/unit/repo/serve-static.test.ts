// scripts/serve-static.mjs, the server of the browser tests and `npm run serve`: it serves
// only what lies inside its folder (symbolic links resolved), answers malformed requests with
// 400 and internal failures without their detail, keeps a bounded request log, and refuses
// bad command-line arguments with a message instead of a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LOGGED_REQUESTS, parseServeArgs, startStaticServer, type StaticServer } from '../../../scripts/serve-static.mjs';

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
