// Shared types of the data layer. Pixels are uint8 (0..255), row-major [N, 28, 28, 1];
// labels are uint8 class ids. Nothing here depends on tfjs.
import type { DatasetName } from './catalogue';

export type { DatasetName };

export type ImageShape = [height: number, width: number, channels: number];

/** One split (train or test) on the CPU. */
export interface DatasetSplit {
  count: number;
  /** count · h · w · c bytes, sample i at [i·h·w·c, (i+1)·h·w·c). */
  images: Uint8Array;
  /** count bytes, values in [0, numClasses). */
  labels: Uint8Array;
}

/** A dataset as loaded or generated, before any perturbation. */
export interface Dataset {
  name: DatasetName;
  title: string;
  imageShape: ImageShape;
  numClasses: number;
  classNames: string[];
  train: DatasetSplit;
  test: DatasetSplit;
  /** Where the data came from and how it was split, for the UI and the docs. */
  description: string;
}

/** The perturbation settings (a subset of `Settings`). */
export interface PerturbationSettings {
  /** Training samples kept, 0 = all. */
  trainCap: number;
  /** Fraction of training labels flipped to another class. */
  labelNoise: number;
  /** Class kept at `imbalanceFraction` of its samples; -1 = none. */
  imbalanceClass: number;
  imbalanceFraction: number;
  seed: number;
}

/**
 * A dataset after the perturbations (applied to the training split only, in this order:
 * class imbalance, then the cap, then label noise). The test split is the clean original.
 */
export interface PreparedDataset extends Dataset {
  /** For each training sample, its index in the original training split (ascending). */
  sourceIndices: Int32Array;
  /** Training indices (into `train`) whose label was flipped, ascending. */
  flippedIndices: Int32Array;
  /** The true labels of `flippedIndices`, aligned with it. */
  originalLabels: Uint8Array;
  /** Per training sample: 1 when its label was flipped, else 0. */
  flippedMask: Uint8Array;
  /** The settings this was prepared with. */
  perturbation: PerturbationSettings;
}

/** Progress of a file download, summed over all files of a dataset. */
export interface LoadProgress {
  /** Compressed bytes received so far. */
  loaded: number;
  /** Compressed bytes expected in all (from the manifest). */
  total: number;
  /** 0..100 */
  percent: number;
  /** The file that just received bytes, as the source describes it. */
  file: string;
}

export type ProgressCallback = (p: LoadProgress) => void;

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

/**
 * Where dataset files come from: `fetchSource(baseUrl)` in the browser (the app's own
 * origin), `fileSource(dir)` in Node. Paths are relative to the data folder.
 */
export interface ByteSource {
  /** How a path is named in messages, e.g. "public/data/mnist-train-images.bin.gz". */
  describe(path: string): string;
  /** The file's bytes as a stream. Rejects with a message naming the file when absent. */
  open(path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}
