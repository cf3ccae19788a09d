// Which datasets exist and where each comes from: files built by scripts/build-datasets.mjs,
// or generated from the seed in the browser.
import { DATASET_NAMES } from '../engine/settings';
import type { DatasetName } from './types';

export interface DatasetEntry {
  name: DatasetName;
  title: string;
  /** 'files': gzip'd binaries listed in public/data/manifest.json; 'synthetic': made from the seed. */
  kind: 'files' | 'synthetic';
  /** Approximate download in bytes (0 for synthetic), for the UI before the manifest is read. */
  approxDownloadBytes: number;
}

export const DATASET_REGISTRY: Readonly<Record<DatasetName, DatasetEntry>> = {
  mnist: { name: 'mnist', title: 'MNIST digits', kind: 'files', approxDownloadBytes: 1_700_000 },
  'fashion-mnist': { name: 'fashion-mnist', title: 'Fashion-MNIST', kind: 'files', approxDownloadBytes: 31_000_000 },
  'synthetic-shapes': { name: 'synthetic-shapes', title: 'Synthetic shapes (easy and hard classes)', kind: 'synthetic', approxDownloadBytes: 0 },
};

export function datasetEntry(name: string): DatasetEntry {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown dataset "${name}"; known: ${DATASET_NAMES.join(', ')}`);
  }
  return DATASET_REGISTRY[name as DatasetName];
}
