// Public API of the data layer. The engine and tests import only from here.
//
//   const data = await loadPreparedDataset(settings, { baseUrl, onProgress });  // CPU, validated
//   const dev = toDeviceData(data);                   // tensors once: x [N,28,28,1] 0..1, y one-hot
//   const { x, y } = dev.gather(indices);             // a batch, gathered on the device
//   dev.dispose();
//
// Perturbations (training split only) apply in this order: class imbalance, training-set
// cap, label noise. Each draws from its own stream derived from settings.seed.

export type {
  ByteSource,
  Dataset,
  DatasetName,
  DatasetSplit,
  ImageShape,
  LoadDatasetOptions,
  LoadProgress,
  PerturbationSettings,
  PreparedDataset,
  ProgressCallback,
} from './types';
export type { Manifest, ManifestDataset, ManifestFile, ManifestSplit } from './manifest';
export { MANIFEST_FORMAT, MANIFEST_VERSION, ManifestError, parseManifest } from './manifest';
export { DataLoadError } from './errors';
export type { DatasetCatalogueEntry } from './catalogue';
export { DATASET_CATALOGUE, DATASET_NAMES, MAX_DATASET_CLASSES, isDatasetName } from './catalogue';
export type { DatasetEntry } from './registry';
export { DATASET_REGISTRY, datasetEntry } from './registry';
export { chunkedStream, defaultDataBaseUrl, fetchSource, fileSource, memorySource } from './sources';
export { sha256Hex } from './checksum';
export type { LoadFileOptions, LoadFilesOptions } from './loader';
export { MANIFEST_PATH, loadDatasetFiles, loadFile, loadManifest } from './loader';
export { loadDataset, loadPreparedDataset } from './load';
export type { SyntheticClass, SyntheticOptions } from './synthetic';
export { SYNTHETIC_SHAPES_CLASSES, generateSyntheticShapes } from './synthetic';
export type { DatasetSummary } from './perturb';
export { datasetSummary, prepareDataset } from './perturb';
export type { DeviceBatch, DeviceSplit } from './device';
export { DeviceData, toDeviceData } from './device';
export { classCounts, evalSubsetIndices, pixelsPerSample, sampleImage, sampleLabel } from './samples';
