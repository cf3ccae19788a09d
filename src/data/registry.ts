// How each dataset of the catalogue (catalogue.ts: names, titles, class counts) is loaded:
// files through the manifest, or a generator from the seed. A catalogue name without a
// loader here does not compile. Nothing here imports tfjs, but the UI reads catalogue.ts
// instead, so the loaders stay out of the page's bundle.
import { DATASET_CATALOGUE, DATASET_NAMES, isDatasetName, type DatasetCatalogueEntry, type DatasetName } from './catalogue';
import { loadDatasetFiles, loadManifest } from './loader';
import { defaultDataBaseUrl, fetchSource } from './sources';
import { generateSyntheticShapes } from './synthetic';
import type { Dataset, LoadDatasetOptions } from './types';

type DatasetLoader = (opts: LoadDatasetOptions) => Promise<Dataset>;

/** A catalogue entry with its loader. */
export interface DatasetEntry extends DatasetCatalogueEntry {
  /** Loads (or generates) the dataset; validating the files is the loader's job. */
  load: DatasetLoader;
}

/** The manifest's entry `name`, through `opts.source` (default: the app's own data folder). */
function fromFiles(name: string): DatasetLoader {
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

const LOADERS: Record<DatasetName, DatasetLoader> = {
  mnist: fromFiles('mnist'),
  'fashion-mnist': fromFiles('fashion-mnist'),
  'synthetic-shapes': async (opts) => {
    const data = generateSyntheticShapes(opts.seed ?? 1);
    opts.onProgress?.({ loaded: 0, total: 0, percent: 100, file: '' });
    return data;
  },
};

export const DATASET_REGISTRY: Readonly<Record<DatasetName, DatasetEntry>> = Object.freeze(
  Object.fromEntries(
    DATASET_NAMES.map((name) => [name, Object.freeze({ ...DATASET_CATALOGUE[name], load: LOADERS[name] })]),
  ) as Record<DatasetName, DatasetEntry>,
);

export function datasetEntry(name: string): DatasetEntry {
  if (!isDatasetName(name)) {
    throw new Error(`unknown dataset "${name}"; known: ${DATASET_NAMES.join(', ')}`);
  }
  return DATASET_REGISTRY[name];
}
