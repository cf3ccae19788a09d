// The typed messages that cross the worker boundary, in both directions. With the settings
// schema (settings.ts) it is the contract between the UI and the engine: both bundles import
// it, it imports neither, and it never touches tfjs.
import type { ImportanceMode, SamplerKind, Settings } from './settings';

export type RunId = 'importance' | 'uniform';

// ---- UI → worker ----------------------------------------------------------------------

export type EngineCommand =
  /** Select the backend, load the dataset, build both models from the settings. */
  | {
      type: 'init';
      settings: Settings;
      /**
       * Absolute URL of the app's data/ folder, e.g. new URL('data/', document.baseURI).href.
       * A worker has no document to resolve it from; without it the worker guesses from its
       * own URL (fine for `vite` dev and the default build layout).
       */
      dataBaseUrl?: string;
    }
  | { type: 'start' }
  | { type: 'pause' }
  /** One step of each run, then paused. */
  | { type: 'step' }
  /** Back to step 0 with the same settings (same seed, same initial weights). */
  | { type: 'reset' }
  /** Live settings apply from the next step; the others restart both runs with a notice. */
  | { type: 'update'; change: Partial<Settings> }
  /**
   * The page was hidden (or frozen) or shown again. Takes effect at once, even mid-block:
   * hidden pauses training unless trainWhenHidden, and shown resumes what it paused; a block
   * the page was hidden during is not timed by the wall clock (docs/method.md §7).
   */
  | { type: 'visibility'; hidden: boolean }
  // ---- hands-on (src/engine/page/handsOn.ts; the payload types at the end of this file) ----
  /**
   * Classify `input` with every run's model now, and again as they train (at most a few times
   * a second, between blocks, off the clocks); null stops. Answered by 'prediction' events.
   */
  | { type: 'probe'; requestId: number; input: ProbeInput | null }
  /**
   * Send every run's first layer now and again as they train ('firstLayer' events), or stop:
   * its weights, or (view 'change', the default) their change since step 0.
   */
  | { type: 'watchWeights'; on: boolean; view?: FirstLayerViewKind }
  /** One run's model in TensorFlow.js's format, with the settings, step and evaluation: a 'modelFiles' event. */
  | { type: 'exportModel'; requestId: number; run: RunId };

// ---- worker → UI ----------------------------------------------------------------------

export type EngineState = 'idle' | 'loading' | 'ready' | 'running' | 'paused' | 'error';

export interface BackendInfo {
  /** 'webgpu' | 'webgl' | 'wasm' | 'cpu' */
  name: string;
  /** The adapter's description, e.g. "SwiftShader (fallback adapter)". */
  adapter: string;
  /** Why a better backend was not used, e.g. "no WebGPU adapter". Empty when none. */
  fallbackReasons: string[];
  /** True for a software/fallback adapter (e.g. SwiftShader): correct but slow. */
  isFallbackAdapter?: boolean;
  /** Why this backend when it was measured against others, e.g. "fastest measured …: cpu 180 ms, webgl 950 ms". */
  choice?: string;
  /**
   * backend=auto without a hardware GPU: ms of one training step on this backend at this
   * batch size, for the model trained and for the tiny CNN (the page starts from it where it
   * is fast enough: src/ui/environmentDefaults.ts); null where a step failed or was too slow.
   */
  probe?: { batchSize: number; stepMs: Record<string, number | null> };
}

export interface DatasetInfo {
  name: string;
  title?: string;
  trainCount: number;
  testCount: number;
  imageShape: [number, number, number];
  classNames: string[];
  flippedCount: number;
  /** Size of the fixed evaluation subset of the training set (evalSize, capped at N). */
  trainEvalCount?: number;
  /** Test samples evaluated per evaluation (a fixed seeded subset, at most 2000). */
  testEvalCount?: number;
}

export interface ModelInfo {
  name: string;
  parameters: number;
  /** The architecture in a line, e.g. "conv 8 → pool → conv 16 → pool → dense 64 → logits". */
  description?: string;
}

/** Running timings of this device, for the measured τ_th. */
export interface MeasuredCosts {
  /** Scoring forward pass over the presample B, ms (EMA). */
  scoreMs: number | null;
  /** Training step over b samples, ms (EMA). */
  stepMs: number | null;
  /** (t_score(B) + t_step(b)) / t_step(b), or null until both are measured. */
  measuredTauThreshold: number | null;
  /** B the scoring time refers to. */
  presampleSize?: number;
  /** b the step time refers to. */
  batchSize?: number;
  /** The paper's cost model (B + 3b) / (3b), for comparison. */
  costModelTauThreshold?: number;
}

export interface RunStatus {
  step: number;
  samplesSeen: number;
  /** The run's own clock, ms: only its own work. */
  clockMs: number;
  stepsPerSecond: number;
  /** Set when the run stopped itself, e.g. "loss became NaN at step 812". */
  haltedReason: string | null;
  /** Device reads awaited per step so far (its blocks' reads and its evaluations): the loop's stalls. */
  readsPerStep?: number;
  /** Share of the own-clock budget used, 0..1 (absent when no budget is set). */
  budgetProgress?: number;
  /** True once the run has used its whole budget; it trains no further until reset. */
  budgetDone?: boolean;
}

export interface EngineStatus {
  state: EngineState;
  /** A Start that came while loading waits for the load: it starts the race once ready (Pause cancels it). */
  startPending?: boolean;
  backend: BackendInfo | null;
  dataset: DatasetInfo | null;
  model: ModelInfo | null;
  settings: Settings;
  costs: MeasuredCosts;
  /** The τ_th the importance run uses now (cost model, measured or fixed). */
  tauThresholdInForce: number;
  tensors: number;
  bytes: number;
  runs: Partial<Record<RunId, RunStatus>>;
}

/** One training step of one run, as charted. */
export interface StepPoint {
  step: number;
  samplesSeen: number;
  clockMs: number;
  /** Weighted batch loss (for the importance run, not the training loss). */
  batchLoss: number;
  mode: ImportanceMode;
  importanceActive: boolean;
  tauRaw: number;
  tauSmoothed: number;
  tauThreshold: number;
  sampler?: SamplerKind;
  /** Time this step spent scoring / training, ms (from the trainer's report). */
  scoreMs?: number;
  trainMs?: number;
  /**
   * Set when the page was hidden during this step's block: its time on the clock is the run's
   * recent time per step, not the measured one (a frozen page's time is no training time).
   */
  clockEstimated?: true;
}

/** An evaluation of one run: the honest metrics. */
export interface EvalPoint {
  step: number;
  samplesSeen: number;
  clockMs: number;
  /** Mean loss on the fixed evaluation subset of the training set. */
  trainLoss: number;
  /** Accuracy on that subset (absent in points from older exports). */
  trainAccuracy?: number;
  testLoss: number;
  testAccuracy: number;
  /**
   * Confusion counts on the test evaluation subset, K×K row-major: entry [t·K + p] counts the
   * samples of true class t predicted as p (absent in points from older exports).
   */
  testConfusion?: number[];
}

export interface Histogram {
  /** bins.length + 1 edges. */
  edges: number[];
  counts: number[];
}

export interface SampleView {
  index: number;
  label: number;
  weight: number;
  score: number;
  noisy: boolean;
  /** uint8 pixels, imageShape order (H·W·C). */
  pixels: Uint8Array;
}

/** What the sampler is doing now; replaced, not appended, by each message. */
export interface SamplerSnapshot {
  scoreHistogram: Histogram;
  weightHistogram: Histogram;
  /** The most heavily weighted recent samples (presample) or highest table scores (table). */
  topSamples: SampleView[];
  /** A few uniform picks for contrast. */
  uniformPicks: SampleView[];
  /** Share of drawn samples per class over a recent window. */
  classShare: number[];
  /** Share of drawn samples whose label was flipped (null when no label noise). */
  noisyShare: number | null;
}

/**
 * One probe of the variance lab (docs/method.md §8), on a fresh presample of B samples of the
 * importance run's model: the total variance of the b-sample batch gradient (unbiased for the
 * presample's mean gradient) under three sampling distributions.
 */
export interface VarianceLabPoint {
  step: number;
  /** Sampling uniformly. */
  uniformVariance: number;
  /** Sampling ∝ the chosen score (with the smoothing), weights 1/(B·p). */
  scoreVariance: number;
  /** Sampling ∝ the exact per-sample gradient norms: the least any distribution achieves. */
  optimalVariance: number;
  /** τ computed from the probe's scores, as the sampler would. */
  predictedTau: number;
  /** uniformVariance / scoreVariance: the reduction achieved (τ² predicts it when ‖ḡ‖² is small). */
  measuredReduction: number;
  /** B and b of the probe. */
  presampleSize?: number;
  batchSize?: number;
}

export interface RunMetrics {
  steps: StepPoint[];
  evals: EvalPoint[];
  snapshot: SamplerSnapshot | null;
  /** Variance-lab probes since the last message (importance run only; absent when none). */
  varianceLab?: VarianceLabPoint[];
}

export type EngineEvent =
  | { type: 'status'; status: EngineStatus }
  /** Long work: dataset download, shader warm-up. `total` 0 = unknown. */
  | { type: 'progress'; task: 'dataset' | 'warmup'; loaded: number; total: number; message: string }
  /** Batched, throttled (a few per second): the points since the last message. */
  | { type: 'metrics'; runs: Partial<Record<RunId, RunMetrics>> }
  | {
      type: 'notice';
      level: 'info' | 'warning';
      message: string;
      /**
       * Settings the engine changed to fit the data (a link's evalSize above the training set's
       * size, …): the next status has the values in force, and the page follows them.
       */
      adjusted?: (keyof Settings)[];
    }
  /** Every run has used its own-clock budget: the race is over (the page keeps it in its history). */
  | { type: 'finished'; message: string }
  /**
   * The race on the page was replaced by a new one from step 0: by Reset, or by a setting (or an
   * init) that rebuilt both runs. The engine alone decides a restart; it sends this after the
   * old race's last points and before anything of the new one (the page keeps the old race in
   * its history and clears its charts).
   */
  | { type: 'raceEnded'; reason: 'reset' | 'restart' }
  /** `fatal` errors need a new init (e.g. lost GPU device); others leave the engine usable. */
  | { type: 'error'; message: string; fatal: boolean }
  // ---- hands-on (payload types below) ----
  | { type: 'prediction'; prediction: ProbePrediction }
  | { type: 'firstLayer'; runs: Partial<Record<RunId, FirstLayerView>> }
  | { type: 'modelFiles'; requestId: number; run: RunId; files: ModelFiles };

// ---- hands-on: try the models, see their first layer, keep one ------------------------------

/** What the runs' models are asked to classify ('probe' command). */
export type ProbeInput =
  /** A picture the person made: h·w·c model inputs in [0, 1], row-major (as the dataset's bytes / 255). */
  | { kind: 'pixels'; pixels: Float32Array }
  /** Image `index` of the test split. */
  | { kind: 'test'; index: number };

/** Every run's answer for the probe input, each at its own step. */
export interface ProbePrediction {
  /** The probe command's requestId: an answer to an input the page has since replaced can be dropped. */
  requestId: number;
  /** For a test image: its index, its true label and its uint8 pixels (h·w·c), to show it. */
  input: { kind: 'pixels' } | { kind: 'test'; index: number; label: number; pixels: Uint8Array };
  runs: Partial<Record<RunId, { step: number; probabilities: number[] }>>;
}

/**
 * A run's first layer as small images: the first dense layer's units as input-sized maps (the
 * MLP), or the first convolution's filters (the CNNs); the first `shown` of `units`, quantized.
 */
export type FirstLayerViewKind = 'weights' | 'change';

export interface FirstLayerView {
  kind: 'dense' | 'conv';
  /** The weights, or their change since step 0 (the race's shared initial weights). */
  view: FirstLayerViewKind;
  step: number;
  units: number;
  shown: number;
  height: number;
  width: number;
  /** shown·height·width values in −127…127, map k at [k·h·w, (k+1)·h·w): weight (or change) ≈ value · scales[k]. */
  values: Int8Array;
  scales: number[];
}

/** A run's model as the two files tf.loadLayersModel reads. */
export interface ModelFiles {
  /** model.json: topology, a weights manifest naming `weightsFileName`, and userDefinedMetadata.isPlayground. */
  modelJson: string;
  jsonFileName: string;
  weightsFileName: string;
  weights: ArrayBuffer;
}
