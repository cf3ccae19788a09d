// Perturbations of the training split from the settings, deterministic in the seed.
// Order: (1) class imbalance, (2) training-set cap, (3) label noise. The cap comes after the
// imbalance and is class-stratified, so it keeps the imbalance ratio; the noise comes last,
// so exactly round(labelNoise · N) of the N training samples finally used are flipped.
// Each step draws from its own stream derived from the seed: changing one setting does not
// reshuffle what the others picked. The test split is never perturbed.
import { createRng, deriveSeed } from '../is/rng';
import { classCounts, pixelsPerSample, sampleWithoutReplacement } from './samples';
import type { Dataset, ImageShape, PerturbationSettings, PreparedDataset } from './types';

function checkPerturbation(p: PerturbationSettings, numClasses: number): void {
  const bad = (what: string): never => {
    throw new Error(`prepareDataset: ${what}`);
  };
  if (!Number.isInteger(p.trainCap) || p.trainCap < 0) bad(`trainCap must be a whole number ≥ 0, got ${p.trainCap}`);
  if (!(p.labelNoise >= 0 && p.labelNoise < 1)) bad(`labelNoise must be in [0, 1), got ${p.labelNoise}`);
  if (!Number.isInteger(p.imbalanceClass) || p.imbalanceClass < -1 || p.imbalanceClass >= numClasses) {
    bad(`imbalanceClass must be -1 or a class in [0, ${numClasses}), got ${p.imbalanceClass}`);
  }
  if (!(p.imbalanceFraction > 0 && p.imbalanceFraction <= 1)) bad(`imbalanceFraction must be in (0, 1], got ${p.imbalanceFraction}`);
  if (!Number.isInteger(p.seed)) bad(`seed must be a whole number, got ${p.seed}`);
}

/** Per-class lists of training indices, each ascending. */
function byClass(labels: Uint8Array, numClasses: number, keep?: Int32Array): number[][] {
  const out: number[][] = Array.from({ length: numClasses }, () => []);
  if (keep) for (const i of keep) out[labels[i]].push(i);
  else for (let i = 0; i < labels.length; i++) out[labels[i]].push(i);
  return out;
}

function pick(list: number[], k: number, int: (n: number) => number): number[] {
  if (k >= list.length) return list;
  return Array.from(sampleWithoutReplacement(list.length, k, int), (j) => list[j]);
}

/** Splits `total` over classes in proportion to `sizes` (largest remainder; ties to the lower class). */
function stratifiedQuota(sizes: number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (s * total) / n);
  const quota = exact.map(Math.floor);
  let left = total - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    if (quota[c] < sizes[c]) {
      quota[c]++;
      left--;
    }
  }
  return quota;
}

export function prepareDataset(data: Dataset, p: PerturbationSettings): PreparedDataset {
  const C = data.numClasses;
  checkPerturbation(p, C);
  const { train } = data;
  let classes = byClass(train.labels, C);

  // (1) Class imbalance: keep max(1, round(fraction · n_c)) of class c, a seeded subset.
  if (p.imbalanceClass >= 0 && p.imbalanceFraction < 1) {
    const c = p.imbalanceClass;
    const keep = Math.max(1, Math.round(p.imbalanceFraction * classes[c].length));
    classes[c] = pick(classes[c], keep, createRng(deriveSeed(p.seed, 'data.imbalance')).int);
  }

  // (2) Training-set cap: a seeded, class-stratified subset of `trainCap` samples.
  const available = classes.reduce((a, l) => a + l.length, 0);
  if (p.trainCap > 0 && p.trainCap < available) {
    const quota = stratifiedQuota(classes.map((l) => l.length), p.trainCap);
    const rng = createRng(deriveSeed(p.seed, 'data.trainCap'));
    classes = classes.map((l, c) => pick(l, quota[c], rng.int));
  }

  const kept = Int32Array.from(classes.flat()).sort();
  const N = kept.length;
  const px = pixelsPerSample(train);
  const images = new Uint8Array(N * px);
  const labels = new Uint8Array(N);
  for (let j = 0; j < N; j++) {
    const i = kept[j];
    images.set(train.images.subarray(i * px, (i + 1) * px), j * px);
    labels[j] = train.labels[i];
  }

  // (3) Label noise: exactly round(labelNoise · N) distinct samples get a different class,
  // uniform over the other C − 1 classes.
  const flips = Math.round(p.labelNoise * N);
  const rng = createRng(deriveSeed(p.seed, 'data.labelNoise'));
  const flippedIndices = sampleWithoutReplacement(N, flips, rng.int);
  const originalLabels = new Uint8Array(flips);
  const flippedMask = new Uint8Array(N);
  for (let k = 0; k < flips; k++) {
    const i = flippedIndices[k];
    originalLabels[k] = labels[i];
    labels[i] = (labels[i] + 1 + rng.int(C - 1)) % C;
    flippedMask[i] = 1;
  }

  return {
    ...data,
    imageShape: [...data.imageShape] as ImageShape,
    classNames: [...data.classNames],
    train: { count: N, images, labels },
    sourceIndices: kept,
    flippedIndices,
    originalLabels,
    flippedMask,
    perturbation: { ...p },
  };
}

/** What the UI shows about the data (fits the protocol's DatasetInfo). */
export interface DatasetSummary {
  name: string;
  title: string;
  trainCount: number;
  testCount: number;
  imageShape: [number, number, number];
  classNames: string[];
  flippedCount: number;
  trainClassCounts: number[];
}

export function datasetSummary(data: PreparedDataset): DatasetSummary {
  return {
    name: data.name,
    title: data.title,
    trainCount: data.train.count,
    testCount: data.test.count,
    imageShape: [...data.imageShape] as [number, number, number],
    classNames: [...data.classNames],
    flippedCount: data.flippedIndices.length,
    trainClassCounts: classCounts(data.train.labels, data.numClasses),
  };
}
