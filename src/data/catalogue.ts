// The datasets the app offers, by name: title, class count, where the data comes from. The
// name list (DATASET_NAMES) and the DatasetName type are derived from this table; the
// registry (registry.ts) must give every name here a loader, which the compiler checks.
// This module imports nothing, so the settings schema and the UI read it without pulling
// the loaders (or tfjs) into the page's bundle.

interface DatasetDescription {
  /** Shown in the dataset menu. */
  title: string;
  /** Classes of the data; the loader checks the loaded data against it. */
  numClasses: number;
  /** 'files': gzip'd binaries listed in public/data/manifest.json; 'synthetic': made from the seed. */
  kind: 'files' | 'synthetic';
  /** Approximate download in bytes (0 for synthetic), for the UI before the manifest is read. */
  approxDownloadBytes: number;
  /**
   * [height, width, channels] of one image; the loader checks the loaded data against it. The
   * engine estimates a step's work from it before anything is downloaded (src/engine/page/workBudget.ts).
   */
  imageShape: readonly [number, number, number];
}

// The order here is the order of the dataset menu.
const DESCRIPTIONS = {
  mnist: { title: 'MNIST digits', numClasses: 10, kind: 'files', approxDownloadBytes: 1_700_000, imageShape: [28, 28, 1] },
  'fashion-mnist': { title: 'Fashion-MNIST', numClasses: 10, kind: 'files', approxDownloadBytes: 31_000_000, imageShape: [28, 28, 1] },
  'synthetic-shapes': { title: 'Synthetic shapes', numClasses: 10, kind: 'synthetic', approxDownloadBytes: 0, imageShape: [28, 28, 1] },
} as const satisfies Record<string, DatasetDescription>;

export type DatasetName = keyof typeof DESCRIPTIONS;

export interface DatasetCatalogueEntry extends DatasetDescription {
  name: DatasetName;
}

export const DATASET_CATALOGUE: Readonly<Record<DatasetName, DatasetCatalogueEntry>> = Object.freeze(
  Object.fromEntries(
    Object.entries(DESCRIPTIONS).map(([name, d]) => [name, Object.freeze({ name, ...d })]),
  ) as Record<DatasetName, DatasetCatalogueEntry>,
);

/** Every dataset name, in menu order. */
export const DATASET_NAMES: readonly DatasetName[] = Object.freeze(Object.keys(DESCRIPTIONS) as DatasetName[]);

/** The most classes any dataset has: class indices in the settings stay below it. */
export const MAX_DATASET_CLASSES = Math.max(...DATASET_NAMES.map((n) => DATASET_CATALOGUE[n].numClasses));

export function isDatasetName(name: string): name is DatasetName {
  return Object.prototype.hasOwnProperty.call(DESCRIPTIONS, name);
}
