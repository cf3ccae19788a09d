// The training engine: owns tfjs, the data and the models, and trains an importance run and
// a uniform run side by side. No worker globals here (worker.ts is the thin shell), so the
// whole engine runs in Node under Vitest.
//
// Concurrency: every command and every training round runs through one promise chain
// (`exclusive`), so a command never lands in the middle of a step; the training loop yields
// to the event loop between rounds so commands get in.
import * as tf from '@tensorflow/tfjs';
import {
  datasetSummary,
  evalSubsetIndices,
  loadPreparedDataset,
  pixelsPerSample,
  toDeviceData,
  type DeviceData,
  type LoadProgress,
  type PreparedDataset,
} from '../data';
import {
  ImportanceTrainer,
  asLogitsModel,
  createRng,
  deriveSeed,
  presampleSize,
  scoreBatch,
  tauThresholdOf,
  uniformIndices,
  validateSettings,
  type LogitsModel,
  type Rng,
  type StepReport,
  type TrainerSettings,
} from '../is';
import { MODEL_ZOO, buildModel, cloneModel, countParameters } from '../models';
import { DEFAULT_BACKEND_ORDER, discardBackend, selectBackend, webgpuFence, type BackendName, type BackendSelection } from './backend';
import { evaluate, type EvalSet } from './evaluate';
import type {
  DatasetInfo,
  EngineCommand,
  EngineEvent,
  EngineState,
  EngineStatus,
  EvalPoint,
  MeasuredCosts,
  ModelInfo,
  RunId,
  RunMetrics,
  RunStatus,
  StepPoint,
} from './protocol';
import { applySettingsChange, checkSettings, defaultSettings, needsRestart, type Settings } from './settings';
import { SnapshotTracker, TOP_SAMPLES, type Candidate } from './snapshot';

// ---- options --------------------------------------------------------------------------

/** What the engine needs of a trainer (ImportanceTrainer fits). */
export interface RunTrainer {
  step(): Promise<StepReport>;
  updateSettings(change: Partial<TrainerSettings>): void;
  readonly tauThreshold: number;
  /** The score table, once the table sampler has run (its top entries feed the image grid). */
  readonly scoreTable?: {
    top(k: number): { indices: Int32Array; scores: Float64Array };
    probability(i: number): number;
  } | null;
  dispose(): void;
}

export interface TrainerContext {
  run: RunId;
  model: LogitsModel;
  data: DeviceData;
  settings: TrainerSettings;
  rng: Rng;
  /** A device fence (WebGPU) so that trainMs covers the device work; undefined elsewhere. */
  awaitDevice?: () => Promise<void>;
}

export type TrainerFactory = (ctx: TrainerContext) => RunTrainer;

export type DataLoader = (settings: Settings, onProgress: (p: LoadProgress) => void) => Promise<PreparedDataset>;

export interface EngineOptions {
  /** Clock in ms (default performance.now). Drives the run clocks and the throttling. */
  now?: () => number;
  /** Loads and perturbs the dataset (default: src/data's loader from `dataBaseUrl`). */
  loadData?: DataLoader;
  /** Where dataset files are served (the app's data/ folder); also settable per init. */
  dataBaseUrl?: string;
  /** Backends to try, best first (default webgpu, webgl, wasm (skipped for training), cpu). */
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
export const DEFAULT_TEST_EVAL_CAP = 2000;
/** EMA momentum of the measured timings. */
const COST_MOMENTUM = 0.9;

const DATA_KEYS: readonly (keyof Settings)[] = ['dataset', 'trainCap', 'labelNoise', 'imbalanceClass', 'imbalanceFraction', 'seed'];

const defaultTrainerFactory: TrainerFactory = (ctx) =>
  new ImportanceTrainer({
    model: ctx.model,
    x: ctx.data.train.x,
    y: ctx.data.train.y,
    rng: ctx.rng,
    settings: ctx.settings,
    awaitDevice: ctx.awaitDevice,
  });

function defaultYield(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return new Promise((r) => immediate(r));
  if (typeof MessageChannel === 'function') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

const DEVICE_LOST = /device (was |is |has been )?(lost|destroyed)|GPUDevice.*(lost|destroyed)|context lost/i;
const NON_FINITE = /NaN|Infinity|non-?finite|diverged/i;

class Ema {
  value: number | null = null;
  constructor(private readonly momentum: number) {}
  add(x: number): number {
    this.value = this.value === null ? x : this.momentum * this.value + (1 - this.momentum) * x;
    return this.value;
  }
  reset(): void {
    this.value = null;
  }
}

interface Run {
  id: RunId;
  model: tf.Sequential;
  logits: LogitsModel;
  trainer: RunTrainer;
  step: number;
  samplesSeen: number;
  clockMs: number;
  haltedReason: string | null;
  stepMs: Ema;
  steps: StepPoint[];
  evals: EvalPoint[];
  snapshot: SnapshotTracker;
}

interface Loaded {
  cpu: PreparedDataset;
  device: DeviceData;
  evalTrain: EvalSet;
  evalTest: EvalSet;
  info: DatasetInfo;
}

// ---- the engine -----------------------------------------------------------------------

export class Engine {
  private readonly now: () => number;
  private readonly opts: EngineOptions;
  private readonly metricsIntervalMs: number;
  private readonly statusIntervalMs: number;
  private readonly yieldToEvents: () => Promise<void>;
  private readonly createTrainer: TrainerFactory;

  private settings: Settings = defaultSettings();
  private state: EngineState = 'idle';
  private backend: BackendSelection | null = null;
  private backendGeneration = 0;
  /** Set when the GPU device was lost: the next init/start starts over on a new device. */
  private fatal: string | null = null;
  private data: Loaded | null = null;
  private dataKey = '';
  private runs: Run[] = [];
  private modelInfo: ModelInfo | null = null;
  private needsInitialEval = false;
  /** What the GPU kernels were last compiled for (model, shapes); '' = nothing yet. */
  private warmKey = '';
  private modelConfig: { inputShape: [number, number, number]; numClasses: number; seed: number } | null = null;
  private dataBaseUrl: string | undefined;

  private readonly scoreCost = new Ema(COST_MOMENTUM);
  private readonly stepCost = new Ema(COST_MOMENTUM);
  private costKey = '';
  /** Draws for display only (uniform picks), never for training. */
  private displayRng: Rng = createRng(1);
  private measuredApplied: number | null = null;

  private chain: Promise<void> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private lastMetricsAt = -Infinity;
  private lastStatusAt = -Infinity;
  private lastProgressAt = -Infinity;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    options: EngineOptions = {},
  ) {
    this.opts = options;
    this.now = options.now ?? (() => performance.now());
    this.metricsIntervalMs = options.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
    this.statusIntervalMs = options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    this.yieldToEvents = options.yieldToEvents ?? defaultYield;
    this.createTrainer = options.createTrainer ?? defaultTrainerFactory;
    this.dataBaseUrl = options.dataBaseUrl;
  }

  // ---- public API ---------------------------------------------------------------------

  /** Handles one command. Never rejects: failures become 'error' events. */
  handle(command: EngineCommand): Promise<void> {
    // Pause is acknowledged at once (a step on a slow device can take seconds); the step in
    // flight finishes and its points are still sent.
    if (command?.type === 'pause' && this.state === 'running') this.setState('paused');
    return this.exclusive(() => this.process(command)).catch((e) => this.fail(e));
  }

  /** The current status (what the next 'status' event would say). */
  getStatus(): EngineStatus {
    return this.status();
  }

  /** Resolves once the training loop has stopped and no command is pending. */
  async whenIdle(): Promise<void> {
    while (this.loop) await this.loop;
    await this.chain;
  }

  /** Frees every tensor the engine holds (models, optimizers, data). */
  async dispose(): Promise<void> {
    if (this.state === 'running') this.state = 'paused';
    await this.whenIdle();
    await this.exclusive(async () => {
      this.disposeRuns();
      this.disposeData();
      this.state = 'idle';
    });
  }

  // ---- commands -----------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async process(cmd: EngineCommand): Promise<void> {
    switch (cmd.type) {
      case 'init':
        if (cmd.dataBaseUrl) this.dataBaseUrl = cmd.dataBaseUrl;
        return this.init(cmd.settings);
      case 'start':
        return this.start();
      case 'pause':
        if (this.state === 'running') this.setState('paused');
        return;
      case 'step':
        return this.singleStep();
      case 'reset':
        return this.reset();
      case 'update':
        return this.update(cmd.change);
      default:
        throw new Error(`unknown command ${JSON.stringify((cmd as { type?: unknown }).type)}`);
    }
  }

  private requireModels(what: string): boolean {
    if (this.fatal) {
      this.emit({ type: 'error', fatal: false, message: `Cannot ${what}: the GPU device was lost; press Start to begin again on a new device.` });
      return false;
    }
    if (this.runs.length === 0) {
      this.emit({ type: 'error', fatal: false, message: `Cannot ${what}: the engine is not initialized (send init first).` });
      return false;
    }
    return true;
  }

  private async init(settings: Settings): Promise<void> {
    const errors = checkSettings(settings);
    if (errors.length) {
      this.emit({ type: 'error', fatal: false, message: `Invalid settings: ${errors.join('; ')}` });
      return;
    }
    await this.recoverIfFatal();
    const previous = this.state;
    this.setState('loading');
    try {
      await this.ensureBackend();
      await this.build({ ...settings });
      this.setState('ready');
    } catch (e) {
      this.setState(this.runs.length ? (previous === 'running' ? 'paused' : previous) : 'idle');
      throw e;
    }
  }

  private async start(): Promise<void> {
    if (this.fatal) {
      // Recovery after a lost device: start over on a new one with the same settings.
      await this.init(this.settings);
      if (this.fatal || !this.runs.length) return;
    }
    if (!this.requireModels('start')) return;
    if (this.state === 'running') return;
    if (this.activeRuns().length === 0) {
      this.emit({ type: 'notice', level: 'warning', message: 'Every run has halted; reset to train again.' });
      return;
    }
    this.setState('running');
    this.startLoop();
  }

  private async singleStep(): Promise<void> {
    if (!this.requireModels('step')) return;
    if (this.state === 'running') this.state = 'paused';
    await this.round();
    this.flushMetrics();
    this.setState('paused');
  }

  private async reset(): Promise<void> {
    if (!this.requireModels('reset')) return;
    this.flushMetrics();
    this.buildRuns();
    this.setState('ready');
  }

  private async update(change: Partial<Settings>): Promise<void> {
    const { settings: next, errors } = applySettingsChange(this.settings, change);
    if (errors.length) {
      this.emit({ type: 'error', fatal: false, message: `Invalid settings: ${errors.join('; ')}` });
      return;
    }
    const changed = (Object.keys(change) as (keyof Settings)[]).filter((k) => change[k] !== this.settings[k]);
    if (changed.length === 0) return;
    if (this.runs.length === 0 || this.fatal) {
      // Not initialized: just remember them for the next init/start.
      this.settings = next;
      this.emitStatus();
      return;
    }
    const diff: Partial<Settings> = {};
    for (const k of changed) (diff as Record<string, unknown>)[k] = change[k];
    if (needsRestart(diff)) {
      const wasRunning = this.state === 'running';
      this.flushMetrics();
      const names = changed.filter((k) => !this.isLive(k)).join(', ');
      await this.build(next);
      this.emit({ type: 'notice', level: 'info', message: `Restarted both runs from step 0: ${names} changed.` });
      this.setState(wasRunning ? 'running' : 'ready');
      if (wasRunning) this.startLoop();
      return;
    }
    // Live: validate against the trainer's rules (e.g. B ≤ N) before anything changes.
    const n = this.data?.device.train.count ?? 0;
    const imp = this.trainerSettings(next, 'importance');
    const uni = this.trainerSettings(next, 'uniform');
    try {
      validateSettings(imp, n);
      validateSettings(uni, n);
    } catch (e) {
      this.emit({ type: 'error', fatal: false, message: `Invalid settings: ${errorText(e)}` });
      return;
    }
    this.settings = next;
    for (const run of this.runs) run.trainer.updateSettings(run.id === 'importance' ? imp : uni);
    this.measuredApplied = null;
    this.emitStatus();
  }

  private isLive(key: keyof Settings): boolean {
    return !needsRestart({ [key]: this.settings[key] } as Partial<Settings>);
  }

  // ---- building -----------------------------------------------------------------------

  private async recoverIfFatal(): Promise<void> {
    if (!this.fatal) return;
    this.disposeRuns();
    this.disposeData();
    if (this.backend) discardBackend(this.backend.info.name);
    this.backend = null;
    this.fatal = null;
    this.emit({ type: 'notice', level: 'info', message: 'Starting over on a new GPU device.' });
  }

  private async ensureBackend(): Promise<void> {
    if (this.backend && tf.getBackend() === this.backend.info.name) return;
    const selection = await selectBackend({ order: this.opts.backendOrder ?? DEFAULT_BACKEND_ORDER });
    this.backend = selection;
    this.warmKey = '';
    const generation = ++this.backendGeneration;
    if (selection.info.fallbackReasons.length) {
      this.emit({
        type: 'notice',
        level: selection.info.name === 'cpu' ? 'warning' : 'info',
        message: `Training on ${selection.info.name.toUpperCase()}: ${selection.info.fallbackReasons.join('; ')}.`,
      });
    }
    if (selection.info.isFallbackAdapter) {
      this.emit({
        type: 'notice',
        level: 'warning',
        message: `The WebGPU adapter is a software fallback (${selection.info.adapter}): correct but slow.`,
      });
    }
    selection.deviceLost?.then((why) => this.deviceLost(generation, why)).catch(() => undefined);
  }

  private dataKeyOf(s: Settings): string {
    return JSON.stringify([...DATA_KEYS.map((k) => s[k]), s.evalSize]);
  }

  private async loadData(settings: Settings): Promise<PreparedDataset> {
    const onProgress = (p: LoadProgress): void => {
      const t = this.now();
      if (p.percent < 100 && t - this.lastProgressAt < this.metricsIntervalMs) return;
      this.lastProgressAt = t;
      const total = p.total || (p.percent >= 100 ? 1 : 0);
      this.emit({
        type: 'progress',
        task: 'dataset',
        loaded: p.total ? p.loaded : p.percent >= 100 ? 1 : 0,
        total,
        message: p.file ? `Loading ${settings.dataset}: ${p.file} (${Math.round(p.percent)}%)` : `Preparing ${settings.dataset}`,
      });
    };
    if (this.opts.loadData) return this.opts.loadData(settings, onProgress);
    return loadPreparedDataset(settings, { baseUrl: this.dataBaseUrl, onProgress });
  }

  /**
   * Loads the data (if the data settings changed) and builds both runs. Transactional:
   * the CPU data is prepared and the trainer settings validated before anything on the
   * device is replaced, so a failure leaves the engine as it was.
   */
  private async build(settings: Settings): Promise<void> {
    const key = this.dataKeyOf(settings);
    let cpu: PreparedDataset | null = null;
    if (!this.data || key !== this.dataKey) cpu = await this.loadData(settings);
    const n = cpu ? cpu.train.count : this.data!.device.train.count;
    for (const run of this.runIds(settings)) validateSettings(this.trainerSettings(settings, run), n);
    if (cpu && settings.evalSize > cpu.train.count) {
      throw new Error(`Evaluation subset size (${settings.evalSize}) exceeds the ${cpu.train.count} training samples: lower evalSize`);
    }
    this.disposeRuns();
    if (cpu) {
      this.disposeData();
      this.data = this.upload(cpu, settings);
      this.dataKey = key;
    }
    this.settings = settings;
    this.buildRuns();
  }

  private upload(cpu: PreparedDataset, s: Settings): Loaded {
    const device = toDeviceData(cpu);
    try {
      const trainIdx = evalSubsetIndices(cpu.train.count, s.evalSize, s.seed);
      const testCap = Math.min(cpu.test.count, this.opts.testEvalCap ?? DEFAULT_TEST_EVAL_CAP);
      const testIdx = evalSubsetIndices(cpu.test.count, testCap, deriveSeed(s.seed, 'engine.testSubset'));
      const tr = device.gather(trainIdx, 'train');
      const te = device.gather(testIdx, 'test');
      const summary = datasetSummary(cpu);
      const info: DatasetInfo = {
        name: summary.name,
        title: summary.title,
        trainCount: summary.trainCount,
        testCount: summary.testCount,
        imageShape: summary.imageShape,
        classNames: summary.classNames,
        flippedCount: summary.flippedCount,
        trainEvalCount: trainIdx.length,
        testEvalCount: testIdx.length,
      };
      return {
        cpu,
        device,
        evalTrain: { x: tr.x, y: tr.y, count: trainIdx.length },
        evalTest: { x: te.x, y: te.y, count: testIdx.length },
        info,
      };
    } catch (e) {
      device.dispose();
      throw e;
    }
  }

  private runIds(s: Settings): RunId[] {
    return s.compare ? ['importance', 'uniform'] : ['importance'];
  }

  private tauThresholdSetting(s: Settings): number | null {
    if (s.tauThresholdMode === 'fixed') return s.tauThreshold;
    if (s.tauThresholdMode === 'measured') return this.measuredTauThreshold(s);
    return null;
  }

  private trainerSettings(s: Settings, run: RunId): TrainerSettings {
    return {
      mode: run === 'uniform' ? 'uniform' : s.mode,
      // The uniform run never samples by score: the plain uniform step, and no gnorm pass
      // (it would slow its clock for scores nobody uses).
      sampler: run === 'uniform' ? 'presample' : s.sampler,
      score: run === 'uniform' && s.score === 'gnorm' ? 'upperBound' : s.score,
      batchSize: s.batchSize,
      presampleFactor: s.presampleFactor,
      learningRate: s.learningRate,
      optimizer: s.optimizer,
      momentum: s.momentum,
      tauThreshold: run === 'uniform' ? null : this.tauThresholdSetting(s),
      smoothing: s.smoothing,
      tauMomentum: 0.9,
    };
  }

  /** Both runs from the same seeded initial weights, the same data and the same draw seed. */
  private buildRuns(): void {
    this.disposeRuns();
    const s = this.settings;
    const data = this.data;
    if (!data) throw new Error('internal: buildRuns without data');
    const config = { inputShape: data.cpu.imageShape, numClasses: data.cpu.numClasses, seed: deriveSeed(s.seed, 'engine.model') >>> 1 };
    this.modelConfig = config;
    const first = buildModel(s.model, config);
    this.modelInfo = { name: s.model, parameters: countParameters(first), description: MODEL_ZOO[s.model].description };
    const snapshotData = {
      numClasses: data.cpu.numClasses,
      labels: data.cpu.train.labels,
      images: data.cpu.train.images,
      pixelsPerSample: pixelsPerSample(data.cpu.train),
      flippedMask: data.cpu.flippedMask,
      flippedCount: data.cpu.flippedIndices.length,
    };
    const awaitDevice = this.deviceFence();
    this.measuredApplied = null;
    for (const id of this.runIds(s)) {
      const model = id === 'importance' ? first : cloneModel(s.model, config, first);
      const logits = asLogitsModel(model);
      let trainer: RunTrainer;
      try {
        trainer = this.createTrainer({
          run: id,
          model: logits,
          data: data.device,
          settings: this.trainerSettings(s, id),
          // Same stream for both runs: their uniform draws coincide.
          rng: createRng(deriveSeed(s.seed, 'engine.draws')),
          awaitDevice,
        });
      } catch (e) {
        model.dispose();
        throw e;
      }
      this.runs.push({
        id,
        model,
        logits,
        trainer,
        step: 0,
        samplesSeen: 0,
        clockMs: 0,
        haltedReason: null,
        stepMs: new Ema(0.8),
        steps: [],
        evals: [],
        snapshot: new SnapshotTracker(snapshotData),
      });
    }
    this.needsInitialEval = true;
    this.displayRng = createRng(deriveSeed(s.seed, 'engine.display'));
  }

  /** WebGPU: submit tfjs's pending commands and wait for the queue (no data moves). */
  private deviceFence(): (() => Promise<void>) | undefined {
    if (this.backend?.info.name !== 'webgpu') return undefined;
    return webgpuFence() ?? undefined;
  }

  private disposeRuns(): void {
    for (const run of this.runs) {
      try {
        run.trainer.dispose();
        run.model.dispose();
      } catch {
        /* a lost device may refuse; the tensors are gone with it */
      }
    }
    this.runs = [];
  }

  private disposeData(): void {
    const d = this.data;
    this.data = null;
    this.dataKey = '';
    if (!d) return;
    try {
      tf.dispose([d.evalTrain.x, d.evalTrain.y, d.evalTest.x, d.evalTest.y]);
      d.device.dispose();
    } catch {
      /* as above */
    }
  }

  // ---- training -----------------------------------------------------------------------

  private activeRuns(): Run[] {
    return this.runs.filter((r) => !r.haltedReason);
  }

  private startLoop(): void {
    if (this.loop) return;
    this.loop = (async () => {
      try {
        while (this.state === 'running') {
          await this.exclusive(async () => {
            if (this.state !== 'running') return;
            await this.round();
            if (this.activeRuns().length === 0 && this.state === 'running') {
              this.flushMetrics();
              this.setState('paused');
            }
          });
          await this.yieldToEvents();
        }
      } catch (e) {
        this.fail(e);
      } finally {
        this.loop = null;
        // The round in flight when pause came has finished: its points and the final counts.
        this.flushMetrics();
        if (this.state !== 'running') this.emitStatus();
      }
    })();
  }

  /** One step of each active run, importance first (steps alternate). */
  private async round(): Promise<void> {
    if (this.needsInitialEval) await this.initialEval();
    await this.warmUp();
    let uniformReport: StepReport | null = null;
    for (const run of this.activeRuns()) {
      const report = await this.stepRun(run);
      if (run.id === 'uniform') uniformReport = report;
    }
    // A run that never trains uniformly (importance mode) borrows the uniform run's picks.
    const imp = this.runs.find((r) => r.id === 'importance');
    if (imp && uniformReport) imp.snapshot.setUniformPicks(uniformReport);
    this.throttled();
  }

  /**
   * GPU backends compile a kernel the first time they meet an op and shape. Whichever run
   * stepped first would pay that on its clock, so before the first step (and after a change
   * of model or batch shapes) a scratch copy of the model takes one importance and one
   * uniform step, on no run's clock, and is thrown away.
   */
  private async warmUp(): Promise<void> {
    const s = this.settings;
    if (!this.backend || this.backend.info.name === 'cpu' || !this.data || !this.modelConfig || !this.runs.length) return;
    const key = JSON.stringify([s.model, this.modelConfig.inputShape, s.batchSize, presampleSize(s), s.score, s.sampler]);
    if (key === this.warmKey) return;
    this.warmKey = key;
    this.emit({ type: 'progress', task: 'warmup', loaded: 0, total: 1, message: 'Compiling GPU kernels…' });
    const scratch = cloneModel(s.model, this.modelConfig, this.runs[0].model);
    let trainer: RunTrainer | null = null;
    try {
      const settings: TrainerSettings = { ...this.trainerSettings(s, 'importance'), mode: 'importance', tauThreshold: null };
      const n = this.data.device.train.count;
      if (presampleSize(settings) > n) settings.mode = 'uniform';
      trainer = this.createTrainer({
        run: 'importance',
        model: asLogitsModel(scratch),
        data: this.data.device,
        settings,
        rng: createRng(deriveSeed(s.seed, 'engine.warmup')),
        awaitDevice: this.deviceFence(),
      });
      await trainer.step();
      trainer.updateSettings({ mode: 'uniform' });
      await trainer.step();
    } catch (e) {
      // Only a warm-up: the real steps report their own errors.
      if (DEVICE_LOST.test(errorText(e))) throw e;
    } finally {
      trainer?.dispose();
      scratch.dispose();
    }
    this.emit({ type: 'progress', task: 'warmup', loaded: 1, total: 1, message: 'GPU kernels ready' });
  }

  private async stepRun(run: Run): Promise<StepReport | null> {
    const s = this.settings;
    if (run.id === 'importance' && s.tauThresholdMode === 'measured') await this.applyMeasured(run);
    const t0 = this.now();
    let report: StepReport;
    try {
      report = await run.trainer.step();
    } catch (e) {
      run.clockMs += this.now() - t0;
      const msg = errorText(e);
      if (this.fatal || DEVICE_LOST.test(msg)) throw e;
      if (NON_FINITE.test(msg)) this.halt(run, `loss became non-finite at step ${run.step + 1}: ${msg}`);
      else {
        this.halt(run, `stopped by an error at step ${run.step + 1}: ${msg}`);
        this.emit({ type: 'error', fatal: false, message: `${run.id} run: ${msg}` });
      }
      return null;
    }
    const dt = this.now() - t0;
    run.clockMs += dt;
    run.stepMs.add(dt);
    run.step++;
    run.samplesSeen += report.indices.length;
    this.recordCosts(report);
    run.steps.push({
      step: run.step,
      samplesSeen: run.samplesSeen,
      clockMs: run.clockMs,
      batchLoss: report.batchLoss,
      mode: report.mode,
      importanceActive: report.importanceActive,
      tauRaw: report.tauRaw,
      tauSmoothed: report.tauSmoothed,
      tauThreshold: report.tauThreshold,
      sampler: report.sampler,
      scoreMs: report.scoreMs,
      trainMs: report.trainMs,
    });
    run.snapshot.record(report);
    if (!Number.isFinite(report.batchLoss)) {
      this.halt(run, `loss became ${report.batchLoss} at step ${run.step}`);
      return report;
    }
    if (run.step % s.evalInterval === 0) await this.evaluateRun(run);
    return report;
  }

  private halt(run: Run, reason: string): void {
    run.haltedReason = reason;
    this.emit({ type: 'notice', level: 'warning', message: `The ${run.id} run halted: ${reason}. Reset (or lower the learning rate and reset) to continue.` });
    this.flushMetrics();
    this.emitStatus();
  }

  private async initialEval(): Promise<void> {
    this.needsInitialEval = false;
    const run = this.runs[0];
    if (!run) return;
    const r = await this.evalModel(run);
    // Same initial weights: one evaluation serves every run.
    for (const x of this.runs) x.evals.push({ step: 0, samplesSeen: 0, clockMs: 0, ...r });
  }

  private async evaluateRun(run: Run): Promise<void> {
    const r = await this.evalModel(run);
    run.evals.push({ step: run.step, samplesSeen: run.samplesSeen, clockMs: run.clockMs, ...r });
  }

  private evalModel(run: Run): ReturnType<typeof evaluate> {
    const d = this.data!;
    return evaluate((x) => run.logits.logits(x, false), d.evalTrain, d.evalTest);
  }

  // ---- measured costs and τ_th ----------------------------------------------------------

  private syncCostKey(s: Settings): void {
    const key = `${s.batchSize}:${presampleSize(s)}:${s.score}`;
    if (key === this.costKey) return;
    this.costKey = key;
    this.scoreCost.reset();
    this.stepCost.reset();
  }

  private recordCosts(report: StepReport): void {
    this.syncCostKey(this.settings);
    if (report.importanceActive && report.sampler === 'presample') this.scoreCost.add(report.scoreMs);
    this.stepCost.add(report.trainMs);
  }

  private measuredTauThreshold(s: Settings): number | null {
    this.syncCostKey(s);
    const ts = this.scoreCost.value;
    const tt = this.stepCost.value;
    if (ts === null || tt === null || !(tt > 0)) return null;
    return (ts + tt) / tt;
  }

  /**
   * Measured τ_th: before any presample step has timed the scoring pass over B, time one
   * (forward only, no update; charged to the importance run's clock), then hand the
   * current (t_score(B) + t_step(b)) / t_step(b) to the trainer.
   */
  private async applyMeasured(run: Run): Promise<void> {
    const s = this.settings;
    this.syncCostKey(s);
    if (s.sampler === 'presample' && this.scoreCost.value === null) {
      run.clockMs += await this.probeScoring(run);
    }
    const th = this.measuredTauThreshold(s);
    if (th !== null && th !== this.measuredApplied) {
      run.trainer.updateSettings({ tauThreshold: th });
      this.measuredApplied = th;
    }
  }

  /** Times a scoring pass over B (the second of two: the first compiles); returns its ms. */
  private async probeScoring(run: Run): Promise<number> {
    const s = this.settings;
    const d = this.data!;
    const B = Math.min(presampleSize(s), d.device.train.count);
    const rng = createRng(deriveSeed(s.seed, 'engine.probe'));
    // Twice: the first pass includes kernel compilation.
    for (let k = 0; k < 2; k++) {
      const t0 = this.now();
      const out = tf.tidy(() => {
        const idx = uniformIndices(d.device.train.count, B, rng);
        const { x, y } = d.device.gather(idx);
        return tf.sum(scoreBatch(run.logits, x, y, s.score).scores);
      });
      await out.data();
      out.dispose();
      if (k === 1) {
        const ms = this.now() - t0;
        this.scoreCost.add(ms);
        return ms;
      }
    }
    return 0;
  }

  private costs(): MeasuredCosts {
    const s = this.settings;
    return {
      scoreMs: this.scoreCost.value,
      stepMs: this.stepCost.value,
      measuredTauThreshold: this.measuredTauThreshold(s),
      presampleSize: presampleSize(s),
      batchSize: s.batchSize,
      costModelTauThreshold: (presampleSize(s) + 3 * s.batchSize) / (3 * s.batchSize),
    };
  }

  private tauThresholdInForce(): number {
    const imp = this.runs.find((r) => r.id === 'importance');
    if (imp) return imp.trainer.tauThreshold;
    return tauThresholdOf(this.trainerSettings(this.settings, 'importance'));
  }

  // ---- faults -------------------------------------------------------------------------

  private deviceLost(generation: number, why: string): void {
    if (generation !== this.backendGeneration || this.fatal) return;
    this.fatal = why;
    this.state = 'error';
    this.emit({ type: 'error', fatal: true, message: `${why}. Training stopped; press Start to begin again on a new device.` });
    this.emitStatus();
  }

  /** Reports a failure. A lost device is fatal; anything else leaves the engine usable. */
  private fail(e: unknown): void {
    const msg = errorText(e);
    if (this.fatal || DEVICE_LOST.test(msg)) {
      if (!this.fatal) {
        this.fatal = msg;
        this.emit({ type: 'error', fatal: true, message: `GPU device lost: ${msg}. Training stopped; press Start to begin again on a new device.` });
      }
      this.state = 'error';
      this.emitStatus();
      return;
    }
    this.emit({ type: 'error', fatal: false, message: msg });
    if (this.state === 'running') this.state = 'paused';
    if (this.state === 'loading') this.state = this.runs.length ? 'paused' : 'idle';
    this.emitStatus();
  }

  // ---- events -------------------------------------------------------------------------

  private setState(state: EngineState): void {
    if (state !== 'running') this.flushMetrics();
    this.state = state;
    this.emitStatus();
  }

  private throttled(): void {
    const t = this.now();
    if (t - this.lastMetricsAt >= this.metricsIntervalMs) this.flushMetrics();
    if (t - this.lastStatusAt >= this.statusIntervalMs) this.emitStatus();
  }

  /** Sends the points gathered since the last message, if any. */
  private flushMetrics(): void {
    const runs: Partial<Record<RunId, RunMetrics>> = {};
    let any = false;
    for (const run of this.runs) {
      if (run.snapshot.hasNews) this.prepareSnapshot(run);
      const snapshot = run.snapshot.take(this.tableTop(run));
      if (!run.steps.length && !run.evals.length && !snapshot) continue;
      runs[run.id] = { steps: run.steps, evals: run.evals, snapshot };
      run.steps = [];
      run.evals = [];
      any = true;
    }
    if (!any) return;
    this.lastMetricsAt = this.now();
    this.emit({ type: 'metrics', runs });
  }

  /** Uniform picks for a run that has none (importance mode, no uniform run beside it). */
  private prepareSnapshot(run: Run): void {
    const n = this.data?.device.train.count ?? 0;
    if (n > 0) run.snapshot.fillUniformPicks(() => this.displayRng.int(n));
  }

  /** With the table sampler, the image grid shows the table's highest scores. */
  private tableTop(run: Run): Candidate[] | undefined {
    const table = run.trainer.scoreTable;
    if (run.id !== 'importance' || this.settings.sampler !== 'table' || !table) return undefined;
    const n = this.data?.device.train.count ?? 0;
    const { indices, scores } = table.top(TOP_SAMPLES);
    return Array.from(indices, (index, k) => ({ index, score: scores[k], weight: 1 / (n * table.probability(index)) }));
  }

  private emitStatus(): void {
    this.lastStatusAt = this.now();
    this.emit({ type: 'status', status: this.status() });
  }

  /** tf.memory(), or zeros before a backend is ready (tf.memory() throws then). */
  private memory(): { numTensors: number; numBytes: number } {
    if (!this.backend) return { numTensors: 0, numBytes: 0 };
    try {
      return tf.memory();
    } catch {
      return { numTensors: 0, numBytes: 0 };
    }
  }

  private status(): EngineStatus {
    const mem = this.memory();
    const runs: Partial<Record<RunId, RunStatus>> = {};
    for (const run of this.runs) {
      runs[run.id] = {
        step: run.step,
        samplesSeen: run.samplesSeen,
        clockMs: run.clockMs,
        stepsPerSecond: run.stepMs.value ? 1000 / run.stepMs.value : 0,
        haltedReason: run.haltedReason,
      };
    }
    return {
      state: this.state,
      backend: this.backend?.info ?? null,
      dataset: this.data?.info ?? null,
      model: this.modelInfo,
      settings: { ...this.settings },
      costs: this.costs(),
      tauThresholdInForce: this.tauThresholdInForce(),
      tensors: mem.numTensors,
      bytes: mem.numBytes,
      runs,
    };
  }
}
