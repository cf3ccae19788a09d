// One call from a dataset name to validated CPU data: the registry entry's loader (files
// through the manifest, or a synthetic set from the seed), then the perturbations.
import { prepareDataset } from './perturb';
import { datasetEntry } from './registry';
import type { Dataset, DatasetName, LoadDatasetOptions, PerturbationSettings, PreparedDataset } from './types';

export type { LoadDatasetOptions };

/** Loads (or generates) a dataset and validates it. Rejects with a DataLoadError / ManifestError, or an Error when the class count or image shape is not the registry's. */
export async function loadDataset(name: DatasetName, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  const entry = datasetEntry(name);
  const data = await entry.load(opts);
  if (data.numClasses !== entry.numClasses) {
    throw new Error(
      `dataset "${name}" has ${data.numClasses} classes but its entry in src/data/catalogue.ts says ${entry.numClasses}; ` +
        'rebuild the data with npm run build, or correct numClasses there',
    );
  }
  if (data.imageShape.join('x') !== entry.imageShape.join('x')) {
    throw new Error(
      `dataset "${name}" has ${data.imageShape.join('×')} images but its entry in src/data/catalogue.ts says ${entry.imageShape.join('×')}; ` +
        'rebuild the data with npm run build, or correct imageShape there',
    );
  }
  return data;
}

/** loadDataset, then the perturbations of the settings (synthetic sets use settings.seed). */
export async function loadPreparedDataset(
  settings: PerturbationSettings & { dataset: DatasetName },
  opts: Omit<LoadDatasetOptions, 'seed'> = {},
): Promise<PreparedDataset> {
  const data = await loadDataset(settings.dataset, { ...opts, seed: settings.seed });
  return prepareDataset(data, settings);
}
