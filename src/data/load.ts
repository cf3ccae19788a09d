// One call from a dataset name to validated CPU data: files through the manifest, or a
// synthetic set from the seed.
import { loadDatasetFiles, loadManifest } from './loader';
import { prepareDataset } from './perturb';
import { datasetEntry } from './registry';
import { defaultDataBaseUrl, fetchSource } from './sources';
import { generateSyntheticShapes } from './synthetic';
import type { ByteSource, Dataset, DatasetName, PerturbationSettings, PreparedDataset, ProgressCallback } from './types';

export interface LoadDatasetOptions {
  /** Where files come from. Default: fetchSource(baseUrl ?? defaultDataBaseUrl()). */
  source?: ByteSource;
  /** The data folder's URL (absolute, or relative to the page), e.g. new URL('data/', document.baseURI). */
  baseUrl?: string | URL;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Seed of generated (synthetic) datasets; ignored for file datasets. Default 1. */
  seed?: number;
}

/** Loads (or generates) a dataset and validates it. Rejects with a DataLoadError / ManifestError. */
export async function loadDataset(name: DatasetName, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  const entry = datasetEntry(name);
  if (entry.kind === 'synthetic') {
    const data = generateSyntheticShapes(opts.seed ?? 1);
    opts.onProgress?.({ loaded: 0, total: 0, percent: 100, file: '' });
    return data;
  }
  const source = opts.source ?? fetchSource(opts.baseUrl ?? defaultDataBaseUrl());
  const manifest = await loadManifest(source, opts.signal);
  const m = manifest.datasets[name];
  if (!m) {
    throw new Error(`${source.describe('manifest.json')}: has no dataset "${name}" (has ${Object.keys(manifest.datasets).join(', ') || 'none'}) — rebuild with npm run build`);
  }
  return loadDatasetFiles(source, m, { onProgress: opts.onProgress, signal: opts.signal });
}

/** loadDataset, then the perturbations of the settings (synthetic sets use settings.seed). */
export async function loadPreparedDataset(
  settings: PerturbationSettings & { dataset: DatasetName },
  opts: Omit<LoadDatasetOptions, 'seed'> = {},
): Promise<PreparedDataset> {
  const data = await loadDataset(settings.dataset, { ...opts, seed: settings.seed });
  return prepareDataset(data, settings);
}
