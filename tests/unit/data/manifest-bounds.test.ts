// A manifest cannot make the page allocate without bound: counts, image sizes and byte
// lengths are bounded when the manifest is read, before any data arrives, and an error names
// the file and the field. The loader refuses an oversized manifest.json and turns a failed
// allocation into an error naming the file, never a bare RangeError.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DataLoadError,
  ManifestError,
  loadFile,
  loadManifest,
  memorySource,
  parseManifest,
  type ByteSource,
  type ImageShape,
  type ManifestDataset,
  type ManifestFile,
  type ManifestSplit,
} from '../../../src/data';
import { MANIFEST_LIMITS } from '../../../src/data/manifest';
import { mulberry32 } from '../../support/prng';

const HEX = 'a'.repeat(64);

function file(path: string, shape: number[], gzipBytes = 1000): ManifestFile {
  return { path, dtype: 'uint8', shape, rawBytes: shape.reduce((a, b) => a * b, 1), gzipBytes, sha256Gzip: HEX, sha256Raw: HEX };
}

/** A well-formed manifest of one 2-class dataset; `edit` changes it. */
function manifest(edit: (d: ManifestDataset) => void = () => undefined): unknown {
  const shape: ImageShape = [28, 28, 1];
  const split = (which: string, n: number): ManifestSplit => ({
    count: n,
    classCounts: [n - Math.floor(n / 2), Math.floor(n / 2)],
    images: file(`d-${which}-images.bin.gz`, [n, ...shape]),
    labels: file(`d-${which}-labels.bin.gz`, [n]),
  });
  const d: ManifestDataset = {
    name: 'd',
    title: 'D',
    source: 'test',
    imageShape: shape,
    numClasses: 2,
    classNames: ['a', 'b'],
    split: 'test',
    train: split('train', 100),
    test: split('test', 20),
  };
  edit(d);
  return { format: 'is-playground-datasets', version: 1, buildKey: 'k', datasets: { d } };
}

/** Makes a split hold `n` samples consistently (class counts, shapes and byte lengths agree). */
function resize(split: ManifestSplit, n: number, imageShape: readonly number[]): void {
  split.count = n;
  split.classCounts = [n - Math.floor(n / 2), Math.floor(n / 2)];
  split.images = file(split.images.path, [n, ...imageShape]);
  split.labels = file(split.labels.path, [n]);
}

describe('manifest size bounds', () => {
  it('accepts the well-formed manifest', () => {
    expect(parseManifest(manifest(), 'data/manifest.json').datasets.d.train.count).toBe(100);
  });

  it('a count of 1e9 is refused before anything is allocated, naming file and field', () => {
    const m = manifest((d) => resize(d.train, 1e9, d.imageShape));
    expect(() => parseManifest(m, 'data/manifest.json')).toThrow(ManifestError);
    expect(() => parseManifest(m, 'data/manifest.json')).toThrow(
      `data/manifest.json: datasets.d.train.count: expected at most ${MANIFEST_LIMITS.samplesPerSplit} samples, got 1000000000`,
    );
  });

  it('huge image dimensions are refused, naming the field', () => {
    const m = manifest((d) => {
      d.imageShape = [100_000, 100_000, 1];
      resize(d.train, 100, d.imageShape);
      resize(d.test, 20, d.imageShape);
    });
    expect(() => parseManifest(m, 'data/manifest.json')).toThrow(/^data\/manifest\.json: datasets\.d\.imageShape: .*at most/);
    const channels = manifest((d) => {
      d.imageShape = [28, 28, 1000];
      resize(d.train, 100, d.imageShape);
      resize(d.test, 20, d.imageShape);
    });
    expect(() => parseManifest(channels, 'data/manifest.json')).toThrow(/datasets\.d\.imageShape: .*channels/);
  });

  it('byte lengths beyond the bound are refused, naming the file entry and field', () => {
    // Within the sample and image bounds, but the images file would be too large.
    const big = manifest((d) => {
      d.imageShape = [512, 512, 4];
      resize(d.train, 100_000, d.imageShape);
      resize(d.test, 20, d.imageShape);
    });
    expect(() => parseManifest(big, 'data/manifest.json')).toThrow(
      /^data\/manifest\.json: datasets\.d\.train\.images\.rawBytes: expected at most \d+ bytes/,
    );
    const gz = manifest((d) => (d.train.images.gzipBytes = 1e12));
    expect(() => parseManifest(gz, 'data/manifest.json')).toThrow(
      /^data\/manifest\.json: datasets\.d\.train\.images\.gzipBytes: expected at most \d+ bytes, got 1000000000000/,
    );
  });

  it('an over-long manifest.json is refused while it streams in, naming it', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const source: ByteSource = {
      describe: (p) => `http://x/data/${p}`,
      open: async () =>
        new ReadableStream<Uint8Array>({
          pull(c) {
            // Endless: an old reader would never finish.
            sent += chunk.length;
            c.enqueue(chunk);
          },
        }),
    };
    await expect(loadManifest(source)).rejects.toThrow(
      `http://x/data/manifest.json: longer than ${MANIFEST_LIMITS.manifestBytes} bytes; this is not a dataset manifest`,
    );
    expect(sent).toBeLessThan(MANIFEST_LIMITS.manifestBytes + 4 * chunk.length);
  });

  it('the loader turns an impossible allocation into an error naming the file', async () => {
    // An entry that skipped parseManifest (the loader's own guard).
    const entry: ManifestFile = { ...file('x.bin.gz', [10]), rawBytes: 2 ** 53, gzipBytes: 2 ** 53 };
    const source = memorySource({ 'x.bin.gz': new Uint8Array([0x1f, 0x8b, 0]) });
    const err = await loadFile(source, entry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLoadError);
    expect((err as Error).message).toMatch(/^memory\/x\.bin\.gz: .*bytes/);
  });
});

// ---- what a manifest may make the page hold ------------------------------------------------

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A source serving `bytes` as `path`, sampling ArrayBuffer memory at every chunk it hands out. */
function sampledSource(path: string, bytes: Uint8Array, samples: number[]): ByteSource {
  return {
    describe: (p) => `http://x/data/${p}`,
    open: async (p) => {
      if (p !== path) throw new Error(`no ${p}`);
      let offset = 0;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          samples.push(process.memoryUsage().arrayBuffers);
          if (offset >= bytes.length) return c.close();
          c.enqueue(bytes.slice(offset, offset + 256));
          offset += 256;
        },
      });
    },
  };
}

describe('dataset memory follows the bytes that arrive', () => {
  it('a 1 KB file whose manifest claims 512 MiB compressed and 488 MiB raw allocates as its bytes arrive, then fails naming both sizes', async () => {
    // ~1 KB of gzip: pseudo-random bytes do not compress.
    const rand = mulberry32(22);
    const body = gzipSync(new Uint8Array(1000).map(() => Math.floor(rand() * 256)));
    expect(body.length).toBeGreaterThan(900);
    const raw = 488 * MiB;
    const entry: ManifestFile = { ...file('big.bin.gz', [raw]), gzipBytes: 512 * MiB, sha256Gzip: sha(body) };
    const samples: number[] = [];
    const before = process.memoryUsage().arrayBuffers;
    const err = await loadFile(sampledSource('big.bin.gz', body, samples), entry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLoadError);
    expect((err as Error).message).toBe(
      `http://x/data/big.bin.gz: truncated: ${body.length} of ${512 * MiB} bytes — the file is incomplete; rebuild with npm run build or reload`,
    );
    // Up front, the old loader set aside ~1 GB for this file; now the page holds what came.
    expect(Math.max(...samples) - before).toBeLessThan(16 * MiB);
  });

  it('a valid file is still loaded whole and exactly, grown as it arrives', async () => {
    const contents = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
    const body = gzipSync(contents);
    const entry: ManifestFile = { ...file('ok.bin.gz', [contents.length]), gzipBytes: body.length, sha256Gzip: sha(body), sha256Raw: sha(contents) };
    const out = await loadFile(sampledSource('ok.bin.gz', body, []), entry);
    expect(out.length).toBe(contents.length);
    expect(Buffer.from(out).equals(Buffer.from(contents))).toBe(true);
  });

  it('a gzip bomb (a valid .gz that inflates past its declared size) is named by the size it passed', async () => {
    const body = gzipSync(new Uint8Array(4 * MiB));
    const entry: ManifestFile = { ...file('bomb.bin.gz', [1000]), gzipBytes: body.length, sha256Gzip: sha(body) };
    const samples: number[] = [];
    const before = process.memoryUsage().arrayBuffers;
    const err = await loadFile(sampledSource('bomb.bin.gz', body, samples), entry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataLoadError);
    expect((err as Error).message).toMatch(/^http:\/\/x\/data\/bomb\.bin\.gz: decompresses to more than 1000 bytes, the size the manifest gives — /);
    expect((err as Error).message).not.toMatch(/aborted/);
    expect(Math.max(...samples) - before).toBeLessThan(16 * MiB);
  });

  it('a manifest within every per-file bound is refused when one dataset would hold more than the per-dataset total', () => {
    // 480 images of 512×512×4 (1 MiB each) per split: every file under the 512 MiB file bound.
    const m = manifest((d) => {
      d.imageShape = [512, 512, 4];
      resize(d.train, 480, d.imageShape);
      resize(d.test, 480, d.imageShape);
      d.train.images.gzipBytes = 500 * MiB;
      d.test.images.gzipBytes = 500 * MiB;
    });
    expect(() => parseManifest(m, 'data/manifest.json')).toThrow(
      new RegExp(
        `^data/manifest\\.json: datasets\\.d: its four files come to \\d+ bytes compressed and decompressed together; at most ${MANIFEST_LIMITS.datasetBytes} are allowed`,
      ),
    );
    // The built-in datasets are far below it.
    expect(MANIFEST_LIMITS.datasetBytes).toBeGreaterThanOrEqual(512 * MiB);
  });
});
