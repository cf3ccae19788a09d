// Perturbations (imbalance → cap → label noise) and the synthetic set: deterministic in the
// seed, and exactly the requested amounts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Dataset,
  type PerturbationSettings,
  SYNTHETIC_SHAPES_CLASSES,
  classCounts,
  datasetSummary,
  evalSubsetIndices,
  generateSyntheticShapes,
  loadDataset,
  prepareDataset,
  sampleImage,
} from '../../../src/data';

const sha = (b: Uint8Array | Int32Array): string => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');
const base: PerturbationSettings = { trainCap: 0, labelNoise: 0, imbalanceClass: -1, imbalanceFraction: 1, seed: 1 };

/** A small synthetic set shared by the tests (generation is deterministic, so one is enough). */
const data: Dataset = generateSyntheticShapes(7, { trainCount: 2000, testCount: 200 });

describe('synthetic-shapes', () => {
  it('is deterministic in the seed and differs between seeds', () => {
    const a = generateSyntheticShapes(11, { trainCount: 500, testCount: 100 });
    const b = generateSyntheticShapes(11, { trainCount: 500, testCount: 100 });
    const c = generateSyntheticShapes(12, { trainCount: 500, testCount: 100 });
    expect(sha(a.train.images)).toBe(sha(b.train.images));
    expect(sha(a.train.labels)).toBe(sha(b.train.labels));
    expect(sha(a.test.images)).toBe(sha(b.test.images));
    expect(sha(a.train.images)).not.toBe(sha(c.train.images));
  });

  it('has the documented shape, 10 balanced classes, easy and hard', async () => {
    const d = await loadDataset('synthetic-shapes', { seed: 3 });
    expect(d.imageShape).toEqual([28, 28, 1]);
    expect([d.train.count, d.test.count]).toEqual([6000, 1000]);
    expect(d.train.images.length).toBe(6000 * 784);
    expect(classCounts(d.train.labels, 10)).toEqual(new Array(10).fill(600));
    expect(classCounts(d.test.labels, 10)).toEqual(new Array(10).fill(100));
    expect(d.classNames).toEqual(SYNTHETIC_SHAPES_CLASSES.map((c) => c.name));
    const kinds = new Set(SYNTHETIC_SHAPES_CLASSES.map((c) => c.difficulty));
    expect(kinds).toEqual(new Set(['easy', 'hard']));
    // Images are not blank: every class draws something.
    for (let i = 0; i < 20; i++) expect(Math.max(...sampleImage(d.train, i))).toBeGreaterThan(100);
  });
});

describe('prepareDataset', () => {
  it('without perturbations keeps the training split as it is', () => {
    const p = prepareDataset(data, base);
    expect(p.train.count).toBe(2000);
    expect(sha(p.train.images)).toBe(sha(data.train.images));
    expect(p.flippedIndices.length).toBe(0);
    expect(p.test).toBe(data.test);
  });

  it('label noise flips exactly round(f · N) labels to another class, and keeps which and what', () => {
    for (const f of [0.1, 0.333, 0.5]) {
      const p = prepareDataset(data, { ...base, labelNoise: f });
      const k = Math.round(f * 2000);
      expect(p.flippedIndices.length).toBe(k);
      expect(new Set(p.flippedIndices).size).toBe(k);
      expect(p.flippedMask.reduce((a, b) => a + b, 0)).toBe(k);
      let changed = 0;
      for (let i = 0; i < p.train.count; i++) if (p.train.labels[i] !== data.train.labels[p.sourceIndices[i]]) changed++;
      expect(changed).toBe(k);
      p.flippedIndices.forEach((i, j) => {
        expect(p.originalLabels[j]).toBe(data.train.labels[p.sourceIndices[i]]);
        expect(p.train.labels[i]).not.toBe(p.originalLabels[j]);
      });
    }
  });

  it('class imbalance keeps round(fraction · n) of the class and all of the others', () => {
    const p = prepareDataset(data, { ...base, imbalanceClass: 3, imbalanceFraction: 0.1 });
    const before = classCounts(data.train.labels, 10);
    const after = classCounts(p.train.labels, 10);
    expect(after[3]).toBe(Math.round(0.1 * before[3]));
    for (let c = 0; c < 10; c++) if (c !== 3) expect(after[c]).toBe(before[c]);
    // Kept samples are the originals, pixels and all.
    const j = p.train.labels.indexOf(3);
    expect(sha(sampleImage(p.train, j))).toBe(sha(sampleImage(data.train, p.sourceIndices[j])));
  });

  it('the cap keeps exactly trainCap samples, class-stratified, after the imbalance', () => {
    const p = prepareDataset(data, { ...base, trainCap: 500 });
    expect(p.train.count).toBe(500);
    for (const n of classCounts(p.train.labels, 10)) expect(Math.abs(n - 50)).toBeLessThanOrEqual(1);
    const q = prepareDataset(data, { ...base, trainCap: 1100, imbalanceClass: 0, imbalanceFraction: 0.1 });
    // 1820 left after the imbalance (200 → 20); the cap keeps the ratio: class 0 ≈ 20 · 1100 / 1820.
    expect(q.train.count).toBe(1100);
    expect(Math.abs(classCounts(q.train.labels, 10)[0] - (20 * 1100) / 1820)).toBeLessThanOrEqual(1);
    // A cap above the size keeps all.
    expect(prepareDataset(data, { ...base, trainCap: 50000 }).train.count).toBe(2000);
  });

  it('is deterministic in the seed, and a different seed picks differently', () => {
    const s = { ...base, trainCap: 800, labelNoise: 0.2, imbalanceClass: 5, imbalanceFraction: 0.25 };
    const a = prepareDataset(data, s);
    const b = prepareDataset(data, s);
    const c = prepareDataset(data, { ...s, seed: 2 });
    expect(sha(a.train.labels)).toBe(sha(b.train.labels));
    expect(sha(a.sourceIndices)).toBe(sha(b.sourceIndices));
    expect(sha(a.flippedIndices)).toBe(sha(b.flippedIndices));
    expect(sha(a.train.images)).toBe(sha(b.train.images));
    expect(sha(a.sourceIndices)).not.toBe(sha(c.sourceIndices));
    expect(sha(a.flippedIndices)).not.toBe(sha(c.flippedIndices));
    expect(a.flippedIndices.length).toBe(Math.round(0.2 * a.train.count));
    expect(datasetSummary(a)).toMatchObject({ trainCount: a.train.count, testCount: 200, flippedCount: a.flippedIndices.length });
  });

  it('rejects invalid settings with a clear message', () => {
    expect(() => prepareDataset(data, { ...base, labelNoise: 1.5 })).toThrow('labelNoise must be in [0, 1)');
    expect(() => prepareDataset(data, { ...base, imbalanceClass: 10 })).toThrow('imbalanceClass must be -1 or a class in [0, 10)');
  });
});

describe('evalSubsetIndices', () => {
  it('is a fixed, seeded, sorted set of distinct training indices', () => {
    const a = evalSubsetIndices(2000, 300, 5);
    expect(Array.from(a)).toEqual(Array.from(evalSubsetIndices(2000, 300, 5)));
    expect(Array.from(a)).not.toEqual(Array.from(evalSubsetIndices(2000, 300, 6)));
    expect(new Set(a).size).toBe(300);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[a.length - 1]).toBeLessThan(2000);
    expect(evalSubsetIndices(100, 300, 5).length).toBe(100);
  });
});
