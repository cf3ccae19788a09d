// The loader validates everything before returning: a corrupted, truncated, missing or
// mismatched file is rejected with a message that names it and says what is wrong.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SETTINGS_SCHEMA } from '../../../src/contract/settings';
import {
  DATASET_CATALOGUE,
  DATASET_NAMES,
  DATASET_REGISTRY,
  DataLoadError,
  MAX_DATASET_CLASSES,
  datasetEntry,
  type LoadProgress,
  type Manifest,
  ManifestError,
  fetchSource,
  fileSource,
  loadDataset,
  loadManifest,
  parseManifest,
  sha256Hex,
} from '../../../src/data';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DATA = path.join(ROOT, 'public', 'data');
const MNIST_FILES = ['mnist-train-images.bin.gz', 'mnist-train-labels.bin.gz', 'mnist-test-images.bin.gz', 'mnist-test-labels.bin.gz'];

let manifestText: string;
let manifest: Manifest;
const dirs: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-datasets.mjs')], { cwd: ROOT });
  manifestText = readFileSync(path.join(DATA, 'manifest.json'), 'utf8');
  manifest = parseManifest(manifestText);
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A temp copy of the MNIST files and manifest; `edit` may alter them. */
function copyMnist(edit?: (dir: string, m: Manifest) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'data-loader-'));
  dirs.push(dir);
  for (const f of MNIST_FILES) copyFileSync(path.join(DATA, f), path.join(dir, f));
  const m: Manifest = JSON.parse(manifestText);
  edit?.(dir, m);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}

describe('loader', () => {
  it('loads MNIST from disk and reports progress up to 100 %', async () => {
    const events: LoadProgress[] = [];
    const data = await loadDataset('mnist', { source: fileSource(copyMnist()), onProgress: (p) => events.push(p) });
    expect(data.train.count).toBe(8000);
    expect(data.train.images.length).toBe(8000 * 784);
    expect(data.test.labels.length).toBe(2000);
    const m = manifest.datasets.mnist;
    const total = [m.train.images, m.train.labels, m.test.images, m.test.labels].reduce((a, f) => a + f.gzipBytes, 0);
    expect(events.length).toBeGreaterThan(4);
    expect(events.every((e) => e.total === total)).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    expect(events.at(-1)).toMatchObject({ loaded: total, percent: 100 });
  });

  it('rejects a corrupted file: sha256 mismatch naming the file', async () => {
    const dir = copyMnist((d) => {
      const f = path.join(d, 'mnist-train-images.bin.gz');
      const bytes = readFileSync(f);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(f, bytes);
    });
    const file = `${dir}/mnist-train-images.bin.gz`;
    const expected = manifest.datasets.mnist.train.images.sha256Gzip;
    const err = await loadDataset('mnist', { source: fileSource(dir) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLoadError);
    expect((err as DataLoadError).file).toBe(file);
    expect((err as Error).message).toMatch(
      new RegExp(`^${escape(file)}: sha256 mismatch \\(expected ${expected}, got [0-9a-f]{64}\\) — the file is corrupted; rebuild with npm run build or reload$`),
    );
  });

  it('rejects data whose class count is not the registry entry\'s, naming both', async () => {
    // A consistent manifest (labels and class counts still check out) that declares an
    // eleventh, empty class: only the registry knows MNIST has ten.
    const dir = copyMnist((_, m) => {
      const d = m.datasets.mnist;
      d.numClasses = 11;
      d.classNames.push('extra');
      d.train.classCounts.push(0);
      d.test.classCounts.push(0);
    });
    await expect(loadDataset('mnist', { source: fileSource(dir) })).rejects.toThrow(
      'dataset "mnist" has 11 classes but its entry in src/data/catalogue.ts says 10',
    );
  });

  it('rejects a truncated file naming it, with the byte counts', async () => {
    const f = manifest.datasets.mnist.test.images;
    const half = Math.floor(f.gzipBytes / 2);
    const dir = copyMnist((d) => writeFileSync(path.join(d, f.path), readFileSync(path.join(d, f.path)).subarray(0, half)));
    await expect(loadDataset('mnist', { source: fileSource(dir) })).rejects.toThrow(
      `${dir}/mnist-test-images.bin.gz: truncated: ${half} of ${f.gzipBytes} bytes — the file is incomplete; rebuild with npm run build or reload`,
    );
  });

  it('rejects a file longer than the manifest says', async () => {
    const dir = copyMnist((d) => {
      const p = path.join(d, 'mnist-test-labels.bin.gz');
      writeFileSync(p, Buffer.concat([readFileSync(p), Buffer.from([1, 2, 3])]));
    });
    await expect(loadDataset('mnist', { source: fileSource(dir) })).rejects.toThrow(/mnist-test-labels\.bin\.gz: longer than the manifest's \d+ bytes/);
  });

  it('rejects contents that do not match, even when the .gz checksum was updated', async () => {
    // Re-gzip altered labels and fix the .gz size and sha in the manifest: only the raw sha catches it.
    const dir = copyMnist((d, m) => {
      const f = m.datasets.mnist.train.labels;
      const raw = new Uint8Array(8000).fill(3);
      const gz = gzipSync(raw);
      writeFileSync(path.join(d, f.path), gz);
      f.gzipBytes = gz.length;
      f.sha256Gzip = sha256(gz);
    });
    await expect(loadDataset('mnist', { source: fileSource(dir) })).rejects.toThrow(
      new RegExp(`^${escape(dir)}/mnist-train-labels\\.bin\\.gz: sha256 mismatch of the decompressed contents \\(expected [0-9a-f]{64}, got [0-9a-f]{64}\\)`),
    );
  });

  it('rejects bytes that are not gzip or not the file at all, and a missing file, naming them', async () => {
    const notGzip = copyMnist((d, m) => {
      const f = m.datasets.mnist.test.labels;
      const junk = new Uint8Array(100).fill(7);
      junk.set([0x1f, 0x8b]); // the gzip signature, then garbage
      writeFileSync(path.join(d, f.path), junk);
      f.gzipBytes = junk.length;
      f.sha256Gzip = sha256(junk);
    });
    await expect(loadDataset('mnist', { source: fileSource(notGzip) })).rejects.toThrow(`${notGzip}/mnist-test-labels.bin.gz: not valid gzip data`);
    const notEither = copyMnist((d) => writeFileSync(path.join(d, 'mnist-test-images.bin.gz'), new Uint8Array(500)));
    await expect(loadDataset('mnist', { source: fileSource(notEither) })).rejects.toThrow(
      `${notEither}/mnist-test-images.bin.gz: is neither the expected gzip file nor its contents (500 bytes without the gzip signature;`,
    );
    const missing = copyMnist((d) => rmSync(path.join(d, 'mnist-train-labels.bin.gz')));
    await expect(loadDataset('mnist', { source: fileSource(missing) })).rejects.toThrow(`${missing}/mnist-train-labels.bin.gz: file not found`);
  });

  it('fetchSource resolves files against a sub-path base URL and reports HTTP errors by URL', async () => {
    const dir = copyMnist();
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: URL | string) => {
      const href = url.toString();
      requested.push(href);
      const name = href.replace('http://localhost:4173/some/sub/path/data/', '');
      if (name === 'mnist-test-labels.bin.gz') return new Response('Not Found', { status: 404, statusText: 'Not Found' });
      return new Response(readFileSync(path.join(dir, name)));
    });
    const source = fetchSource('http://localhost:4173/some/sub/path/data');
    expect((await loadManifest(source)).datasets.mnist.train.count).toBe(8000);
    await expect(loadDataset('mnist', { source })).rejects.toThrow(
      'http://localhost:4173/some/sub/path/data/mnist-test-labels.bin.gz: HTTP 404 Not Found — the file is missing on the server',
    );
    expect(requested).toContain('http://localhost:4173/some/sub/path/data/manifest.json');
  });

  it('accepts files a server sent decompressed (Content-Encoding: gzip, as Vite dev does) and still checks them', async () => {
    const dir = copyMnist();
    let corrupt = false;
    vi.stubGlobal('fetch', async (url: URL | string) => {
      const name = url.toString().split('/').pop() ?? '';
      const bytes = readFileSync(path.join(dir, name));
      if (!name.endsWith('.gz')) return new Response(bytes);
      const raw = gunzipSync(bytes);
      if (corrupt && name === 'mnist-train-labels.bin.gz') raw[10] = (raw[10] + 1) % 10;
      return new Response(raw);
    });
    const events: LoadProgress[] = [];
    const source = fetchSource('http://localhost:5173/data/');
    const data = await loadDataset('mnist', { source, onProgress: (p) => events.push(p) });
    expect(data.train.count).toBe(8000);
    expect(events.at(-1)).toMatchObject({ percent: 100 });
    expect(Math.max(...events.map((e) => e.percent))).toBeLessThanOrEqual(100);
    corrupt = true;
    await expect(loadDataset('mnist', { source })).rejects.toThrow(
      /^http:\/\/localhost:5173\/data\/mnist-train-labels\.bin\.gz: sha256 mismatch of the decompressed contents \(expected [0-9a-f]{64}, got [0-9a-f]{64}\) — the file is corrupted/,
    );
  });
});

describe('dataset registry', () => {
  it('lists every dataset once, in menu order, each with a loader, and the settings offer exactly those', () => {
    expect(DATASET_NAMES).toEqual(['mnist', 'fashion-mnist', 'synthetic-shapes']);
    expect(Object.keys(DATASET_CATALOGUE)).toEqual([...DATASET_NAMES]);
    expect(Object.keys(DATASET_REGISTRY)).toEqual([...DATASET_NAMES]);
    expect(SETTINGS_SCHEMA.dataset.values).toEqual(DATASET_NAMES);
    for (const name of DATASET_NAMES) {
      expect(datasetEntry(name)).toMatchObject({ name, title: DATASET_CATALOGUE[name].title });
      expect(typeof datasetEntry(name).load).toBe('function');
    }
  });

  it('names the known datasets when asked for an unknown one', () => {
    expect(() => datasetEntry('cifar')).toThrow('unknown dataset "cifar"; known: mnist, fashion-mnist, synthetic-shapes');
  });

  it('the settings allow an imbalanced class index up to the largest class count', () => {
    expect(SETTINGS_SCHEMA.imbalanceClass.max).toBe(MAX_DATASET_CLASSES - 1);
    expect(MAX_DATASET_CLASSES).toBe(10);
  });
});

describe('manifest parser', () => {
  it('accepts the built manifest', () => {
    expect(Object.keys(manifest.datasets).sort()).toEqual(['fashion-mnist', 'mnist']);
  });

  it('names the missing or wrong field', () => {
    const m = JSON.parse(manifestText);
    delete m.datasets.mnist.train.count;
    expect(() => parseManifest(m, 'public/data/manifest.json')).toThrow(
      'public/data/manifest.json: datasets.mnist.train.count: expected a whole number ≥ 1, got nothing (missing)',
    );
    const m2 = JSON.parse(manifestText);
    m2.datasets.mnist.test.images.sha256Raw = 'xyz';
    expect(() => parseManifest(m2)).toThrow(/datasets\.mnist\.test\.images\.sha256Raw: expected 64 lower-case hex digits/);
    const m3 = JSON.parse(manifestText);
    m3.datasets.mnist.train.classCounts[0] += 1;
    expect(() => parseManifest(m3)).toThrow(ManifestError);
  });

  it('explains an HTML page served instead of the manifest', () => {
    expect(() => parseManifest('<!doctype html><html></html>', 'http://x/data/manifest.json')).toThrow(
      /^http:\/\/x\/data\/manifest\.json: \(file\): is not valid JSON \(got an HTML page: the file is missing on the server\)/,
    );
  });

  it('sha256Hex matches node:crypto', async () => {
    const bytes = new TextEncoder().encode('abc');
    expect(await sha256Hex(bytes)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
