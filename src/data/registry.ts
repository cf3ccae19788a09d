// Every dataset the app offers, one entry each: its title, its class count and how it is
// loaded. The name list (DATASET_NAMES) and the DatasetName type are derived from this
// table, so a new dataset is one entry here (plus its files in scripts/datasets/sources.mjs,
// or its generator). Nothing here imports tfjs: the settings schema and the UI read it.
import { loadDatasetFiles, loadManifest } from './loader';
import { defaultDataBaseUrl, fetchSource } from './sources';
import { generateSyntheticShapes } from './synthetic';
import type { Dataset, LoadDatasetOptions } from './types';

interface DatasetDefinition {
  /** Shown in the dataset menu. */
  title: string;
  /** Classes of the data; the loader checks the loaded data against it. */
  numClasses: number;
  /** 'files': gzip'd binaries listed in public/data/manifest.json; 'synthetic': made from the seed. */
  kind: 'files' | 'synthetic';
  /** Approximate download in bytes (0 for synthetic), for the UI before the manifest is read. */
  approxDownloadBytes: number;
  /** Loads (or generates) the dataset; validation of the files is the loader's. */
  load(opts: LoadDatasetOptions): Promise<Dataset>;
}

/** The manifest's entry `name`, through `opts.source` (default: the app's own data folder). */
function fromFiles(name: string): (opts: LoadDatasetOptions) => Promise<Dataset> {
  return async (opts) => {
    const source = opts.source ?? fetchSource(opts.baseUrl ?? defaultDataBaseUrl());
    const manifest = await loadManifest(source, opts.signal);
    const entry = manifest.datasets[name];
    if (!entry) {
      throw new Error(
        `${source.describe('manifest.json')}: has no dataset "${name}" (has ${Object.keys(manifest.datasets).join(', ') || 'none'}) — rebuild with npm run build`,
      );
    }
    return loadDatasetFiles(source, entry, { onProgress: opts.onProgress, signal: opts.signal });
  };
}

// The order here is the order of the dataset menu.
const DEFINITIONS = {
  mnist: { title: 'MNIST digits', numClasses: 10, kind: 'files', approxDownloadBytes: 1_700_000, load: fromFiles('mnist') },
  'fashion-mnist': {
    title: 'Fashion-MNIST',
    numClasses: 10,
    kind: 'files',
    approxDownloadBytes: 31_000_000,
    load: fromFiles('fashion-mnist'),
  },
  'synthetic-shapes': {
    title: 'Synthetic shapes',
    numClasses: 10,
    kind: 'synthetic',
    approxDownloadBytes: 0,
    load: async (opts) => {
      const data = generateSyntheticShapes(opts.seed ?? 1);
      opts.onProgress?.({ loaded: 0, total: 0, percent: 100, file: '' });
      return data;
    },
  },
} as const satisfies Record<string, DatasetDefinition>;

export type DatasetName = keyof typeof DEFINITIONS;

export interface DatasetEntry extends DatasetDefinition {
  name: DatasetName;
}

export const DATASET_REGISTRY: Readonly<Record<DatasetName, DatasetEntry>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DEFINITIONS).map(([name, d]) => [name, Object.freeze({ name, ...d })]),
  ) as Record<DatasetName, DatasetEntry>,
);

/** Every dataset name, in menu order. */
export const DATASET_NAMES: readonly DatasetName[] = Object.freeze(Object.keys(DEFINITIONS) as DatasetName[]);

/** The most classes any dataset has: class indices in settings stay below it. */
export const MAX_DATASET_CLASSES = Math.max(...DATASET_NAMES.map((n) => DATASET_REGISTRY[n].numClasses));

export function isDatasetName(name: string): name is DatasetName {
  return Object.prototype.hasOwnProperty.call(DEFINITIONS, name);
}

export function datasetEntry(name: string): DatasetEntry {
  if (!isDatasetName(name)) {
    throw new Error(`unknown dataset "${name}"; known: ${DATASET_NAMES.join(', ')}`);
  }
  return DATASET_REGISTRY[name];
}
