// The training engine: commands, the state machine, faults and events. The race itself (data
// on the device, the runs, evaluations, warm-up, measured costs) is pageRace.ts on the race
// core (race.ts, run.ts); the backend is backendSession.ts. No worker globals here
// (worker.ts is the thin shell), so the whole engine runs in Node under Vitest.
//
// Concurrency: every command and every training round runs through one promise chain
// (`exclusive`), so a command never lands in the middle of a step; the training loop yields
// to the event loop between rounds so commands get in.
import { loadPreparedDataset, type LoadProgress, type PreparedDataset } from '../data';
import type { BackendName } from './backend';
import { BackendSession } from './backendSession';
import { errorText, isDeviceLost } from './faults';
import { HandsOn, isHandsOnCommand } from './page/handsOn';
import { PageRace } from './pageRace';
import type { EngineCommand, EngineEvent, EngineState, EngineStatus } from './protocol';
import { defaultTrainerFactory, type TrainerFactory } from './race';
import { DEFAULT_TEST_EVAL_CAP, datasetProgress } from './residency';
import { applySettingsChange, checkSettings, defaultSettings, needsRestart, type Settings } from './settings';
import { RaceBudget } from './raceBudget';
import type { Run } from './run';
import { BudgetStop } from './runBudget';
import { PageVisibility } from './visibility';

export type { RunTrainer } from './run';
export type { TrainerContext, TrainerFactory } from './race';
export { DEFAULT_TEST_EVAL_CAP } from './residency';

export type DataLoader = (settings: Settings, onProgress: (p: LoadProgress) => void) => Promise<PreparedDataset>;

export interface EngineOptions {
  /** Clock in ms (default performance.now). Drives the run clocks and the throttling. */
  now?: () => number;
  /** Loads and perturbs the dataset (default: src/data's loader from `dataBaseUrl`). */
  loadData?: DataLoader;
  /** Where dataset files are served (the app's data/ folder); also settable per init. */
  dataBaseUrl?: string;
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
const defaultYield = (): Promise<void> => new Promise((r) => ((globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate ?? setTimeout)(r));

export class Engine {
  private readonly now: () => number;
  private readonly metricsIntervalMs: number;
  private readonly statusIntervalMs: number;
  private readonly yieldToEvents: () => Promise<void>;
  private readonly backend: BackendSession;
  private readonly race: PageRace;
  private readonly budget: RaceBudget;
  /** The own-clock budget (settings budgetUnit, budget): the end of the race, announced once. */
  private readonly budgetStop: BudgetStop;
  /** The page's visibility as the UI reports it ('visibility' commands). */
  private readonly visibility: PageVisibility;
  /** The page's hands-on views (page/handsOn.ts): predictions, first-layer weights, kept models. */
  private readonly handsOn: HandsOn;
  /** Training was paused because the page was hidden: showing it resumes. */
  private pausedWhileHidden = false;

  private settings: Settings = defaultSettings();
  private state: EngineState = 'idle';
  /** Set when the GPU device was lost: the next init/start starts over on a new device. */
  private fatal: string | null = null;
  private dataBaseUrl: string | undefined;

  private chain: Promise<void> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private lastMetricsAt = -Infinity;
  private lastStatusAt = -Infinity;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    opts: EngineOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.metricsIntervalMs = opts.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
    this.statusIntervalMs = opts.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    this.yieldToEvents = opts.yieldToEvents ?? defaultYield;
    this.dataBaseUrl = opts.dataBaseUrl;
    this.visibility = new PageVisibility(this.now);
    this.backend = new BackendSession(opts.backendOrder, (n) => this.emit(n), (why) => this.deviceLost(why));
    this.race = new PageRace({
      backend: this.backend,
      createTrainer: opts.createTrainer ?? defaultTrainerFactory,
      now: this.now,
      emit: (e) => this.emit(e),
      loadData: opts.loadData ?? ((s, onProgress) => loadPreparedDataset(s, { baseUrl: this.dataBaseUrl, onProgress })),
      onProgress: (dataset) => datasetProgress(dataset, this.emit, this.now, this.metricsIntervalMs),
      testEvalCap: opts.testEvalCap ?? DEFAULT_TEST_EVAL_CAP,
      hiddenMark: () => this.visibility.mark(),
      onHalted: () => {
        this.flushMetrics();
        this.emitStatus();
      },
    });
    this.handsOn = new HandsOn(
      {
        runs: () => this.race.runs,
        data: () => this.race.resident,
        settings: () => (this.race.built ? this.settings : null),
        latestEval: (run) => this.race.latestEval(run as Run),
        backend: () => this.backend.name,
      },
      (e) => this.emit(e),
      this.now,
    );
    this.budget = new RaceBudget(this.race, this.backend, (e) => this.emit(e));
    this.budgetStop = new BudgetStop(this.race, (e) => this.emit(e));
  }

  // ---- public API ---------------------------------------------------------------------

  /** Handles one command. Never rejects: failures become 'error' events. */
  handle(command: EngineCommand): Promise<void> {
    // Pause is acknowledged at once (a step on a slow device can take seconds); the step in
    // flight finishes and its points are still sent.
    if (command?.type === 'pause' && this.state === 'running') this.setState('paused');
    // Visibility, too, takes effect at once: a block in flight must know the page was hidden.
    if (command?.type === 'visibility') {
      this.pageHidden(command.hidden);
      return Promise.resolve();
    }
    // What the user asks for replaces what hiding the page did.
    if (command?.type !== 'update') this.pausedWhileHidden = false;
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
    if (this.state === 'running') this.setState('paused', false);
    await this.whenIdle();
    await this.exclusive(async () => {
      this.race.dispose();
      this.setState('idle', false);
    });
  }

  // ---- commands -----------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // After every job (a command, a training round), between blocks: the hands-on views catch up
    // (not on a lost device, whose reads would only fail).
    const result = this.chain.then(fn).finally(() => (this.fatal ? undefined : this.handsOn.refresh(this.state !== 'running')));
    this.chain = result.then(() => undefined, () => undefined);
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
        if (!this.requireRuns('reset')) return;
        this.flushMetrics();
        this.race.rebuildRuns();
        this.budgetStop.clear();
        return this.setState('ready');
      case 'update':
        return this.update(cmd.change);
      case 'visibility':
        // Handled on arrival (handle).
        return;
      default:
        if (isHandsOnCommand(cmd)) return this.handsOn.handle(cmd);
        throw new Error(`unknown command ${JSON.stringify((cmd as { type?: unknown }).type)}`);
    }
  }

  private refuse(message: string): void {
    this.emit({ type: 'error', fatal: false, message });
  }

  private requireRuns(what: string): boolean {
    if (this.fatal) this.refuse(`Cannot ${what}: the GPU device was lost; press Start to begin again on a new device.`);
    else if (!this.race.built) this.refuse(`Cannot ${what}: the engine is not initialized (send init first).`);
    else return true;
    return false;
  }

  private async init(settings: Settings): Promise<void> {
    const errors = checkSettings(settings);
    if (errors.length) return this.refuse(`Invalid settings: ${errors.join('; ')}`);
    const over = this.budget.refusal(settings);
    if (over) return this.refuse(over);
    await this.recoverIfFatal();
    const previous = this.state;
    this.setState('loading');
    try {
      await this.race.build({ ...settings });
      this.budget.apply(settings);
      this.budgetStop.clear();
      this.settings = { ...settings };
      // Kernels compile before Start, with their progress shown, so Start trains at once.
      await this.race.warmUp();
      this.setState('ready');
    } catch (e) {
      this.setState(this.race.built ? (previous === 'running' ? 'paused' : previous) : 'idle');
      throw e;
    }
  }

  private async start(): Promise<void> {
    if (this.fatal) {
      // Recovery after a lost device: start over on a new one with the same settings.
      await this.init(this.settings);
      if (this.fatal || !this.race.built) return;
    }
    if (!this.requireRuns('start') || this.state === 'running') return;
    if (!this.race.anyActive) {
      this.emit({ type: 'notice', level: 'warning', message: 'Every run has halted; reset to train again.' });
      return;
    }
    if (await this.refusedByBudget('start')) return;
    if (this.visibility.hidden && !this.settings.trainWhenHidden) {
      // Started while the page is hidden (e.g. a pending start once loading ended): when shown.
      this.pausedWhileHidden = true;
      return;
    }
    this.setState('running');
    this.startLoop();
  }

  private async singleStep(): Promise<void> {
    if (!this.requireRuns('step') || (await this.refusedByBudget('step'))) return;
    if (this.state === 'running') this.setState('paused', false);
    // Stepping by hand: one step per run.
    await this.race.round(1);
    if (!(await this.settleBudget())) this.setState('paused');
  }

  private async update(change: Partial<Settings>): Promise<void> {
    const { settings: next, errors } = applySettingsChange(this.settings, change);
    if (errors.length) return this.refuse(`Invalid settings: ${errors.join('; ')}`);
    const changed = (Object.keys(change) as (keyof Settings)[]).filter((k) => change[k] !== this.settings[k]);
    if (changed.length === 0) return;
    const over = this.budget.refusal(next);
    if (over) return this.refuse(over);
    if (!this.race.built || this.fatal) {
      // Not initialized: just remember them for the next init/start.
      this.settings = next;
      return this.emitStatus();
    }
    const restarting = changed.filter((k) => needsRestart({ [k]: next[k] } as Partial<Settings>));
    if (restarting.length) {
      const wasRunning = this.state === 'running';
      this.flushMetrics();
      await this.race.build(next);
      this.budget.apply(next);
      this.budgetStop.clear();
      this.settings = next;
      this.emit({ type: 'notice', level: 'info', message: `Restarted both runs from step 0: ${restarting.join(', ')} changed.` });
      this.setState(wasRunning ? 'running' : 'ready');
      if (wasRunning) this.startLoop();
      return;
    }
    const race = this.budget.within(next);
    try {
      this.race.applyLive(race.settings);
    } catch (e) {
      return this.refuse(`Invalid settings: ${errorText(e)}`);
    }
    race.announce();
    this.settings = next;
    this.emitStatus();
    // A budget lowered below what the runs have used ends the race now (between blocks).
    await this.settleBudget();
  }

  // ---- page visibility ----------------------------------------------------------------------

  /** Hidden: pause unless trainWhenHidden. Shown: resume what hiding paused, saying so. */
  private pageHidden(hidden: boolean): void {
    this.visibility.set(hidden);
    if (hidden) {
      if (this.state === 'running' && !this.settings.trainWhenHidden) {
        this.pausedWhileHidden = true;
        this.setState('paused');
      }
      return;
    }
    if (!this.pausedWhileHidden) return;
    this.pausedWhileHidden = false;
    void this.exclusive(async () => {
      if (this.fatal || !this.race.built || this.state === 'running' || this.state === 'loading' || !this.race.anyActive || this.race.budgetFinished) return;
      this.emit({
        type: 'notice',
        level: 'info',
        message: 'Training paused while the page was hidden and goes on now (set “Train while the page is hidden” to keep it going in the background).',
      });
      this.setState('running');
      this.startLoop();
    }).catch((e) => this.fail(e));
  }

  private async recoverIfFatal(): Promise<void> {
    if (!this.fatal) return;
    this.race.dispose();
    this.backend.discard();
    this.fatal = null;
    this.emit({ type: 'notice', level: 'info', message: 'Starting over on a new GPU device.' });
  }

  // ---- the training loop ------------------------------------------------------------------

  private startLoop(): void {
    if (this.loop) return;
    this.loop = (async () => {
      try {
        while (this.state === 'running') {
          await this.exclusive(async () => {
            if (this.state !== 'running') return;
            await this.race.round();
            this.throttled();
            if ((await this.settleBudget()) && this.state === 'running') this.setState('paused');
            if (!this.race.anyActive && this.state === 'running') this.setState('paused');
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

  // ---- the own-clock budget (runBudget.ts) ---------------------------------------------------

  /** When every run has used the budget: final evaluations, paused, one 'finished' event. True when over. */
  private settleBudget(): Promise<boolean> {
    return this.budgetStop.settle(this.settings, () => this.setState('paused'));
  }

  /** Start and Step after the end of the race: refused with a notice saying what to do. */
  private refusedByBudget(what: 'start' | 'step'): Promise<boolean> {
    return this.budgetStop.refuse(what, this.settings, () => this.setState('paused'));
  }

  // ---- faults -------------------------------------------------------------------------

  private deviceLost(why: string): void {
    if (this.fatal) return;
    this.fatal = why;
    this.emit({ type: 'error', fatal: true, message: `${why}. Training stopped; press Start to begin again on a new device.` });
    this.setState('error', false);
  }

  /** Reports a failure. A lost device is fatal; anything else leaves the engine usable. */
  private fail(e: unknown): void {
    const msg = errorText(e);
    if (this.fatal || isDeviceLost(msg)) {
      if (!this.fatal) {
        this.fatal = msg;
        this.emit({ type: 'error', fatal: true, message: `GPU device lost: ${msg}. Training stopped; press Start to begin again on a new device.` });
      }
      return this.setState('error', false);
    }
    this.refuse(msg);
    if (this.state === 'running') return this.setState('paused', false);
    if (this.state === 'loading') return this.setState(this.race.built ? 'paused' : 'idle', false);
    this.emitStatus();
  }

  // ---- events -------------------------------------------------------------------------

  /** The one way the state changes. `flush`: send pending points first (not on faults). */
  private setState(state: EngineState, flush = true): void {
    if (flush && state !== 'running') this.flushMetrics();
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
    const runs = this.race.takeMetrics();
    if (!runs) return;
    this.lastMetricsAt = this.now();
    this.emit({ type: 'metrics', runs });
  }

  private emitStatus(): void {
    this.lastStatusAt = this.now();
    this.emit({ type: 'status', status: this.status() });
  }

  private status(): EngineStatus {
    const mem = this.backend.memory();
    return {
      state: this.state,
      backend: this.backend.info,
      ...this.race.info(this.settings),
      settings: { ...this.settings },
      tensors: mem.numTensors,
      bytes: mem.numBytes,
      runs: this.race.runStatus(),
    };
  }
}
