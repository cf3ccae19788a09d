// The repository's own machinery: the Pages workflow runs with the least token permissions
// and pinned actions, and `npm start` opens a browser only where one can be opened.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SITE_CSP_HEADER } from '../../../scripts/contentSecurityPolicy.mjs';
import { canOpenBrowser, openBrowser, parseStartArgs } from '../../../scripts/start.mjs';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The lines of a top-level key's block, or of a job's block under `jobs:`. */
function block(lines: string[], header: RegExp): string[] {
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) return [];
  const indent = lines[start].search(/\S/);
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() !== '' && !l.trim().startsWith('#') && l.search(/\S/) <= indent) break;
    out.push(l);
  }
  return out;
}

/** `permissions:` of a block as { scope: level }; `{}` written inline gives {}. */
function permissions(lines: string[], indent: number): Record<string, string> | null {
  const re = new RegExp(`^ {${indent}}permissions:\\s*(\\{\\})?\\s*(#.*)?$`);
  const at = lines.findIndex((l) => re.test(l));
  if (at < 0) return null;
  if (re.exec(lines[at])![1]) return {};
  const out: Record<string, string> = {};
  for (const l of block(lines, new RegExp(`^ {${indent}}permissions:`))) {
    const m = /^\s+([\w-]+):\s*([\w-]+)/.exec(l);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

describe('.github/workflows/pages.yml', () => {
  const text = readFileSync(path.join(ROOT, '.github/workflows/pages.yml'), 'utf8');
  const lines = text.split('\n');

  it('pins every action by a 40-hex commit, with its release in a comment', () => {
    const uses = lines.filter((l) => /^\s*(-\s*)?uses:/.test(l));
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const l of uses) expect(l).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
  });

  it('grants nothing at the top, read-only to the build, and Pages + OIDC write only to the deploy job', () => {
    expect(permissions(lines, 0)).toEqual({});
    const build = block(lines, /^ {2}build:/);
    const deploy = block(lines, /^ {2}deploy:/);
    const buildPerms = permissions(build, 4);
    expect(buildPerms).not.toBeNull();
    expect(Object.values(buildPerms!).every((level) => level === 'read' || level === 'none')).toBe(true);
    expect(buildPerms!.contents).toBe('read');
    expect(permissions(deploy, 4)).toEqual({ pages: 'write', 'id-token': 'write' });
  });
});

describe('npm start', () => {
  it('runs scripts/start.mjs, not vite --open', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain('scripts/start.mjs');
    expect(pkg.scripts.start).not.toContain('--open');
  });

  it('opens a browser on macOS and Windows, elsewhere only with a display, never with BROWSER=none', () => {
    expect(canOpenBrowser({ platform: 'linux', env: {} })).toBe(false);
    expect(canOpenBrowser({ platform: 'linux', env: { DISPLAY: ':0' } })).toBe(true);
    expect(canOpenBrowser({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' } })).toBe(true);
    expect(canOpenBrowser({ platform: 'freebsd', env: {} })).toBe(false);
    expect(canOpenBrowser({ platform: 'darwin', env: {} })).toBe(true);
    expect(canOpenBrowser({ platform: 'win32', env: {} })).toBe(true);
    expect(canOpenBrowser({ platform: 'darwin', env: { BROWSER: 'none' } })).toBe(false);
  });

  it('a missing or failing opener is reported as false, never thrown', async () => {
    await expect(openBrowser('http://localhost:1/', { command: 'no-such-opener-command-here', args: [] })).resolves.toBe(false);
    await expect(openBrowser('http://localhost:1/', { command: process.execPath, args: ['-e', 'process.exit(3)'] })).resolves.toBe(false);
  });

  it('refuses bad arguments with a message', () => {
    expect(parseStartArgs(['--port', '0', '--no-open'])).toEqual({ port: 0, host: undefined, open: false });
    expect(() => parseStartArgs(['--port', 'abc'])).toThrow('--port must be a whole number from 0 to 65535, got "abc"');
    expect(() => parseStartArgs(['--bogus'])).toThrow(/unknown argument "--bogus"/);
  });

  it('without a display it prints the URL and opens nothing, with no error output', async () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.BROWSER;
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs'), '--port', '0'], { cwd: ROOT, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t0 = Date.now();
    while (!/No desktop here/.test(out) && child.exitCode === null && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    // eslint-disable-next-line no-control-regex
    const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/Local:\s+http:\/\/localhost:\d+\//);
    expect(plain).toMatch(/No desktop here .*: open http:\/\/localhost:\d+\/ in a browser\./);
    expect(err).not.toMatch(/xdg-open|Error|\n\s+at /);
  }, 90_000);

  it("sends the site's Content-Security-Policy on the worker's script and everything but the page, and COOP/COEP on all", async () => {
    // The page itself goes without: the dev server's React refresh preamble is an inline script
    // (vite.config.ts drops the <meta> policy in dev for the same reason).
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs'), '--port', '0', '--no-open'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const t0 = Date.now();
      // eslint-disable-next-line no-control-regex
      const url = () => /Local:\s+(http:\/\/localhost:\d+\/)/.exec(out.replace(/\u001b\[[0-9;]*m/g, ''))?.[1];
      while (!url() && child.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
      const base = url();
      expect(base, out).toBeDefined();
      const worker = await fetch(new URL('src/engine/worker.ts?worker_file&type=module', base), { headers: { accept: '*/*', 'sec-fetch-dest': 'worker' } });
      expect(worker.status).toBe(200);
      expect(worker.headers.get('content-security-policy')).toBe(SITE_CSP_HEADER);
      expect(worker.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const page = await fetch(base!, { headers: { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBeNull();
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 90_000);
});
