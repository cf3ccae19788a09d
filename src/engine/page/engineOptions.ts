// What an Engine can be given (engine.ts): its clock, its data, its backends, the pace of its
// messages and how its trainers are built. Tests replace these; the worker takes the defaults.
import type { LoadProgress, PreparedDataset } from '../../data';
import type { Settings } from '../../contract/settings';
import type { BackendName } from '../backend/select';
import type { TrainerFactory } from '../core/race';

export type DataLoader = (settings: Settings, onProgress: (p: LoadProgress) => void) => Promise<PreparedDataset>;

export interface EngineOptions {
  /** Clock in ms (default performance.now). Drives the run clocks and the throttling. */
  now?: () => number;
  /** Loads and perturbs the dataset (default: src/data's loader from `dataBaseUrl`). */
  loadData?: DataLoader;
  /** Where dataset files are served (the app's data/ folder); also settable per init. */
  dataBaseUrl?: string;
  /**
   * The worker's location (default: globalThis.location): an init's dataBaseUrl must lie on its
   * origin (dataOrigin.ts). Without one (Node), any dataBaseUrl is taken.
   */
  pageUrl?: string;
  /** Backends to try, best first (default webgpu, webgl, wasm, cpu). */
  backendOrder?: readonly BackendName[];
  /** Least time between two metrics messages, ms (default 250: at most 4 per second). */
  metricsIntervalMs?: number;
  /** Least time between two periodic status messages, ms (default 1000). */
  statusIntervalMs?: number;
  /** How the training loop lets commands in between rounds (default: a macrotask). */
  yieldToEvents?: () => Promise<void>;
  /** Builds each run's trainer (default: src/is ImportanceTrainer). */
  createTrainer?: TrainerFactory;
  /** Test samples evaluated per evaluation: a fixed seeded subset of at most this many (default 2000). */
  testEvalCap?: number;
}

export const DEFAULT_METRICS_INTERVAL_MS = 250;
export const DEFAULT_STATUS_INTERVAL_MS = 1000;

/** A macrotask: setImmediate where it exists (Node), else a zero timeout. */
export const defaultYield = (): Promise<void> =>
  new Promise((r) => ((globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate ?? setTimeout)(r));
