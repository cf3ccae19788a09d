// The training engine: commands, the state machine, faults and events. The race itself (data
// on the device, the runs, evaluations, warm-up, measured costs) is pageRace.ts on the race
// core (../core); the backend is ../backend/session.ts; the budgets are workBudgetGate.ts and
// clockBudget.ts; the pace of messages is messagePacer.ts. No worker globals here (worker.ts is
// the thin shell), so the whole engine runs in Node under Vitest.
//
// Concurrency: every command and every training round runs through one promise chain
// (`exclusive`), so a command never lands in the middle of a step; the training loop yields
// to the event loop between rounds so commands get in.
import { loadPreparedDataset } from '../../data';
import { BackendSession } from '../backend/session';
import { errorText, isDeviceLost } from '../core/faults';
import { PageRace } from './pageRace';
import type { EngineCommand, EngineEvent, EngineState, EngineStatus } from '../../contract/protocol';
import { defaultTrainerFactory } from '../core/race';
import { DEFAULT_TEST_EVAL_CAP } from '../core/residency';
import { datasetProgress } from './dataLoading';
import { applySettingsChange, checkSettings, defaultSettings, restartingKeys, type Settings } from '../../contract/settings';
import { WorkBudgetGate } from './workBudgetGate';
import { ClockBudget } from './clockBudget';
import { HandsOn, isHandsOnCommand } from './handsOn';
import type { Run } from '../core/run';
import { PageVisibility } from './visibility';
import { DEFAULT_METRICS_INTERVAL_MS, DEFAULT_STATUS_INTERVAL_MS, defaultYield, type EngineOptions } from './engineOptions';
import { MessagePacer } from './messagePacer';
import { TrainingLoop } from './trainingLoop';
import { checkDataBaseUrl, ownLocation } from './dataOrigin';
import { quoteUntrusted } from '../../contract/untrustedText';

export type { RunTrainer } from '../core/run';
export type { TrainerContext, TrainerFactory } from '../core/race';
export type { DataLoader, EngineOptions } from './engineOptions';
export { DEFAULT_TEST_EVAL_CAP } from '../core/residency';

export class Engine {
  private readonly backend: BackendSession;
  private readonly race: PageRace;
  /** The work budget: what one step may cost, and the block size that keeps commands prompt. */
  private readonly workBudget: WorkBudgetGate;
  /** The clock budget (settings budgetUnit, budget): the end of the race, announced once. */
  private readonly clockBudget: ClockBudget;
  /** The page's visibility as the UI reports it ('visibility' commands). */
  private readonly visibility: PageVisibility;
  private readonly messages: MessagePacer;
  /** The page's hands-on views (page/handsOn.ts): predictions, first-layer weights, kept models. */
  private readonly handsOn: HandsOn;
  /** Training was paused because the page was hidden: showing it resumes. */
  private pausedWhileHidden = false;
  /** Init commands received and not yet processed: a Start behind one waits for its load. */
  private initsQueued = 0;
  /** A Start came while loading: it starts the race once the load is done; Pause cancels it. */
  private startPending = false;

  private settings: Settings = defaultSettings();
  private state: EngineState = 'idle';
  /** Set when the GPU device was lost: the next init/start starts over on a new device. */
  private fatal: string | null = null;
  private dataBaseUrl: string | undefined;
  /** The worker's location: an init's dataBaseUrl must be on its origin (undefined in Node: any). */
  private readonly pageUrl: string | undefined;

  private chain: Promise<void> = Promise.resolve();
  /** Set by dispose(): the loop finishes no queued work. */
  private disposing = false;
  private readonly loop: TrainingLoop;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    opts: EngineOptions = {},
  ) {
    const now = opts.now ?? (() => performance.now());
    const metricsMs = opts.metricsIntervalMs ?? DEFAULT_METRICS_INTERVAL_MS;
    this.loop = new TrainingLoop({
      running: () => this.state === 'running',
      exclusive: (fn) => this.exclusive(fn),
      round: () => this.trainingRound(),
      finishing: () => this.state === 'paused' && !this.disposing && !this.fatal && this.race.offClockPending,
      // Its points go out with the loop's last flush (stopped).
      piece: () => this.race.offClockPiece(),
      yieldToEvents: opts.yieldToEvents ?? defaultYield,
      stopped: (error) => {
        if (error !== undefined) this.fail(error);
        // The round in flight when pause came has finished: its points and the final counts.
        this.messages.metrics();
        if (this.state !== 'running') this.messages.status();
      },
    });
    this.dataBaseUrl = opts.dataBaseUrl;
    this.pageUrl = opts.pageUrl ?? ownLocation();
    this.visibility = new PageVisibility(now);
    this.backend = new BackendSession(opts.backendOrder, (n) => this.emit(n), (why) => this.deviceLost(why));
    this.race = new PageRace({
      backend: this.backend,
      createTrainer: opts.createTrainer ?? defaultTrainerFactory,
      now,
      emit: (e) => this.emit(e),
      loadData: opts.loadData ?? ((s, onProgress) => loadPreparedDataset(s, { baseUrl: this.dataBaseUrl, onProgress })),
      onProgress: (dataset) => datasetProgress(dataset, this.emit, now, metricsMs),
      testEvalCap: opts.testEvalCap ?? DEFAULT_TEST_EVAL_CAP,
      hiddenMark: () => this.visibility.mark(),
      onHalted: () => {
        this.messages.metrics();
        this.messages.status();
      },
    });
    this.messages = new MessagePacer(emit, now, { metricsMs, statusMs: opts.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS }, {
      takeMetrics: () => this.race.takeMetrics(),
      status: () => this.getStatus(),
    });
    this.workBudget = new WorkBudgetGate((e) => this.emit(e));
    this.clockBudget = new ClockBudget(this.race, (e) => this.emit(e), () => this.setState('paused'));
    this.handsOn = new HandsOn(
      {
        runs: () => this.race.runs,
        data: () => this.race.resident,
        settings: () => (this.race.built ? this.settings : null),
        latestEval: (run) => this.race.latestEval(run as Run),
        backend: () => this.backend.name,
      },
      (e) => this.emit(e),
      now,
    );
  }

  // ---- public API ---------------------------------------------------------------------

  /** Handles one command. Never rejects: failures become 'error' events. */
  handle(command: EngineCommand): Promise<void> {
    // Pause is acknowledged at once (a step on a slow device can take seconds); the step in
    // flight finishes and its points are still sent. It also cancels a Start waiting for a load.
    if (command?.type === 'pause') {
      if (this.state === 'running') this.setState('paused');
      else if (this.startPending) this.setStartPending(false);
    }
    // Visibility, too, takes effect at once: a block in flight must know the page was hidden.
    if (command?.type === 'visibility') {
      this.pageHidden(command.hidden);
      return Promise.resolve();
    }
    // What the user asks for replaces what hiding the page did.
    if (command?.type !== 'update') this.pausedWhileHidden = false;
    if (command?.type === 'init') this.initsQueued++;
    // Start during a load: said at once (the page shows it), done once the load is over.
    if (command?.type === 'start' && (this.state === 'loading' || this.initsQueued > 0)) {
      this.setStartPending(true);
      return this.exclusive(() => this.startWhenLoaded()).catch((e) => this.fail(e));
    }
    return this.exclusive(() => this.process(command)).catch((e) => this.fail(e));
  }

  /** The current status (what the next 'status' event would say). */
  getStatus(): EngineStatus {
    const mem = this.backend.memory();
    return {
      state: this.state,
      startPending: this.startPending,
      backend: this.backend.info,
      ...this.race.info(this.settings),
      settings: { ...this.settings },
      tensors: mem.numTensors,
      bytes: mem.numBytes,
      runs: this.race.runStatus(),
    };
  }

  /** Resolves once the training loop has stopped and no command is pending. */
  async whenIdle(): Promise<void> {
    await this.loop.whenStopped();
    await this.chain;
  }

  /** Frees every tensor the engine holds (models, optimizers, data). */
  async dispose(): Promise<void> {
    this.disposing = true;
    if (this.state === 'running') this.setState('paused', false);
    await this.whenIdle();
    await this.exclusive(async () => {
      this.race.dispose();
      this.setState('idle', false);
    });
    this.disposing = false;
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
        this.initsQueued = Math.max(0, this.initsQueued - 1);
        if (cmd.dataBaseUrl) {
          const checked = this.pageUrl ? checkDataBaseUrl(cmd.dataBaseUrl, this.pageUrl) : { url: cmd.dataBaseUrl };
          if ('error' in checked) return this.refuse(checked.error);
          this.dataBaseUrl = checked.url;
        }
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
        this.messages.metrics();
        this.race.rebuildRuns();
        this.clockBudget.clear();
        this.emit({ type: 'raceEnded', reason: 'reset' });
        return this.setState('ready');
      case 'update':
        return this.update(cmd.change);
      case 'visibility': // handled on arrival (handle)
        return;
      default:
        if (isHandsOnCommand(cmd)) return this.handsOn.handle(cmd);
        throw new Error(`unknown command ${quoteUntrusted(String((cmd as { type?: unknown }).type))}`);
    }
  }

  private refuse(message: string): void {
    this.emit({ type: 'error', fatal: false, message });
  }

  private notice(level: 'info' | 'warning', message: string): void {
    this.emit({ type: 'notice', level, message });
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
    const over = this.workBudget.refusal(settings, this.race.dataShape(settings));
    if (over) return this.refuse(over);
    // A race on the page (or one a lost device took) is replaced: its last points go out first.
    const replacing = this.race.built || this.fatal !== null;
    if (this.race.built) this.messages.metrics();
    await this.recoverIfFatal();
    const previous = this.state;
    this.setState('loading');
    try {
      await this.buildRace(settings, replacing);
      // Kernels compile before Start, with their progress shown, so Start trains at once.
      await this.race.warmUp();
      this.setState('ready');
    } catch (e) {
      this.setState(this.race.built ? (previous === 'running' ? 'paused' : previous) : 'idle');
      throw e;
    }
  }

  /**
   * New runs from `asked` (new data where they need it), fitted to the training set's size: the
   * race on the page, if any, ends ('raceEnded'). Throws, leaving the race as it was, when they
   * cannot be built.
   */
  private async buildRace(asked: Settings, replacing: boolean): Promise<void> {
    const fit = await this.race.build({ ...asked });
    if (replacing) this.emit({ type: 'raceEnded', reason: 'restart' });
    // Settings that did not fit the training set's size: each change named, and the page follows them.
    fit.notices.forEach((message, k) => this.emit({ type: 'notice', level: 'warning', message, adjusted: [fit.adjusted[k]] }));
    this.applyWorkBudget(fit.settings);
    this.clockBudget.clear();
    this.settings = { ...fit.settings };
  }

  /** A Start that came during a load, once it is over: starts, unless Pause cancelled it or the load failed (and said why). */
  private async startWhenLoaded(): Promise<void> {
    if (!this.startPending) return;
    this.setStartPending(false);
    if (this.race.built || this.fatal) await this.start();
  }

  private setStartPending(pending: boolean): void {
    if (pending === this.startPending) return;
    this.startPending = pending;
    this.messages.status();
  }

  private async start(): Promise<void> {
    if (this.fatal) {
      // Recovery after a lost device: start over on a new one with the same settings.
      await this.init(this.settings);
      if (this.fatal || !this.race.built) return;
    }
    if (!this.requireRuns('start') || this.state === 'running') return;
    if (!this.race.anyActive) return this.notice('warning', 'Every run has halted; reset to train again.');
    if (await this.clockBudget.refuse('start', this.settings)) return;
    if (this.visibility.hidden && !this.settings.trainWhenHidden) {
      // Started while the page is hidden (e.g. a pending start once loading ended): when shown.
      this.pausedWhileHidden = true;
      return;
    }
    this.setState('running');
    this.loop.start();
  }

  private async singleStep(): Promise<void> {
    if (!this.requireRuns('step') || (await this.clockBudget.refuse('step', this.settings))) return;
    if (this.state === 'running') this.setState('paused', false);
    // Stepping by hand: one step per run, with the evaluations before and after it done now.
    await this.race.finishOffClockWork();
    await this.race.round(1);
    await this.race.finishOffClockWork();
    if (!(await this.clockBudget.settle(this.settings))) this.setState('paused');
  }

  private async update(change: Partial<Settings>): Promise<void> {
    const { settings: next, errors } = applySettingsChange(this.settings, change);
    if (errors.length) return this.refuse(`Invalid settings: ${errors.join('; ')}`);
    if (!(Object.keys(change) as (keyof Settings)[]).some((k) => change[k] !== this.settings[k])) return;
    const over = this.workBudget.refusal(next, this.race.dataShape(next));
    if (over) return this.refuse(over);
    if (!this.race.built || this.fatal) {
      // Not initialized: just remember them for the next init/start.
      this.settings = next;
      return this.messages.status();
    }
    // The one place a restart is decided; the page learns of it from 'raceEnded'.
    const restarting = restartingKeys(this.settings, change);
    if (restarting.length) {
      const wasRunning = this.state === 'running';
      this.messages.metrics();
      await this.buildRace(next, true);
      this.notice('info', `Restarted both runs from step 0: ${restarting.join(', ')} changed.`);
      this.setState(wasRunning ? 'running' : 'ready');
      if (wasRunning) this.loop.start();
      return;
    }
    const race = this.workBudget.within(next, this.race.dataShape(next), this.backend.name);
    try {
      this.race.applyLive(race.settings);
    } catch (e) {
      return this.refuse(`Invalid settings: ${errorText(e)}`);
    }
    race.announce();
    this.settings = next;
    this.messages.status();
    // A budget lowered below what the runs have used ends the race now (between blocks).
    await this.clockBudget.settle(this.settings);
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
      this.notice('info', 'Training paused while the page was hidden and goes on now (set “Train while the page is hidden” to keep it going in the background).');
      this.setState('running');
      this.loop.start();
    }).catch((e) => this.fail(e));
  }

  private async recoverIfFatal(): Promise<void> {
    if (!this.fatal) return;
    this.race.dispose();
    this.backend.discard();
    this.fatal = null;
    this.notice('info', 'Starting over on a new GPU device.');
  }

  // ---- the training loop ------------------------------------------------------------------

  /** One round of the loop (trainingLoop.ts): a block of each run, the paced messages, the budget. */
  private async trainingRound(): Promise<void> {
    await this.race.round();
    this.messages.paced();
    if ((await this.clockBudget.settle(this.settings, true)) && this.state === 'running') this.setState('paused');
    if (!this.race.anyActive && !this.race.offClockPending && this.state === 'running') this.setState('paused');
  }

  // ---- the budgets (workBudgetGate.ts, clockBudget.ts) ------------------------------------------

  /** After a build (the backend is known only then): the race's blocks within the work budget. */
  private applyWorkBudget(s: Settings): void {
    const race = this.workBudget.within(s, this.race.dataShape(s), this.backend.name);
    if (race.settings !== s) this.race.applyLive(race.settings);
    race.announce();
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
    this.messages.status();
  }

  // ---- events -------------------------------------------------------------------------

  /** The one way the state changes. `flush`: send pending points first (not on faults). */
  private setState(state: EngineState, flush = true): void {
    if (flush && state !== 'running') this.messages.metrics();
    this.state = state;
    this.messages.status();
  }
}
