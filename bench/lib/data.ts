// Data for the benchmarks: the app's own dataset files (public/data, built by
// `node scripts/build-datasets.mjs`), read in Node through the data layer's file source and
// made resident on the device exactly as the page does it (src/engine/core/residency.ts): the
// same evaluation subset of the training set, and here the whole test split by default.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileSource, loadPreparedDataset } from '../../src/data/index.ts';
import type { DatasetName } from '../../src/data/index.ts';
import { makeResident, type ResidentData } from '../../src/engine/core/residency.ts';
import { ROOT } from './env.ts';

export interface BenchData extends ResidentData {
  name: DatasetName;
}

export async function loadBenchData(
  name: DatasetName,
  opts: { trainCap: number; evalSize: number; testCap?: number; seed?: number; labelNoise?: number },
): Promise<BenchData> {
  const dir = path.join(ROOT, 'public', 'data');
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`${dir}/manifest.json is missing: run \`node scripts/build-datasets.mjs\` first`);
  }
  // The data seed is fixed (1) so every seed of a benchmark trains on the same subset; the
  // benchmark's seed varies the model's initial weights and the draws.
  const seed = opts.seed ?? 1;
  const prepared = await loadPreparedDataset(
    { dataset: name, trainCap: opts.trainCap, labelNoise: opts.labelNoise ?? 0, imbalanceClass: -1, imbalanceFraction: 1, seed },
    { source: fileSource(dir) },
  );
  const resident = makeResident(prepared, { evalSize: opts.evalSize, seed, testEvalCap: opts.testCap ?? prepared.test.count });
  return { ...resident, name };
}
