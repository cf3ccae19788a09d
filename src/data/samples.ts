// CPU-side helpers: the fixed evaluation subset, one sample's pixels for the UI's image grid.
import { createRng, deriveSeed } from '../is/rng';
import type { DatasetSplit } from './types';

/**
 * A fixed, seeded evaluation subset of the training set: min(size, trainCount) distinct
 * indices in ascending order. Depends only on (trainCount, size, seed).
 */
export function evalSubsetIndices(trainCount: number, size: number, seed: number): Int32Array {
  if (!Number.isInteger(trainCount) || trainCount < 0) throw new Error(`evalSubsetIndices: bad trainCount ${trainCount}`);
  const k = Math.max(0, Math.min(Math.floor(size), trainCount));
  return sampleWithoutReplacement(trainCount, k, createRng(deriveSeed(seed, 'data.evalSubset')).int).sort();
}

/** k distinct integers of [0, n) in ascending order, drawn with `int(m)` ∈ [0, m). */
export function sampleWithoutReplacement(n: number, k: number, int: (m: number) => number): Int32Array {
  if (k > n) throw new Error(`cannot draw ${k} distinct items from ${n}`);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + int(n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, k).sort();
}

/** Bytes per sample of a split (h·w·c). */
export function pixelsPerSample(split: DatasetSplit): number {
  return split.count === 0 ? 0 : split.images.length / split.count;
}

/** The uint8 pixels of sample `index` (a view, row-major h·w·c; do not modify). */
export function sampleImage(split: DatasetSplit, index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= split.count) {
    throw new RangeError(`sample index ${index} outside [0, ${split.count})`);
  }
  const n = pixelsPerSample(split);
  return split.images.subarray(index * n, (index + 1) * n);
}

export function sampleLabel(split: DatasetSplit, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= split.count) {
    throw new RangeError(`sample index ${index} outside [0, ${split.count})`);
  }
  return split.labels[index];
}

export function classCounts(labels: Uint8Array, numClasses: number): number[] {
  const out = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i]]++;
  return out;
}
