// The race as the page runs it: the data resident on the device, the importance run and the
// uniform run beside it built from the page's settings, stepped block by block in
// alternation, with the honest evaluations, the sampler views, the measured costs and the
// kernel warm-up around the blocks (docs/method.md §6-7), none of it on a run's clock. The
// engine (engine.ts) drives it from commands.
import type { LoadProgress, PreparedDataset } from '../../data';
import { createRng, deriveSeed, samplerInfo, tauThresholdOf, validateSettings, type StepReport } from '../../is';
import { MODEL_ZOO, countParameters, type ModelConfig } from '../../models';
import type { BackendSession } from '../backend/session';
import { CostMeter } from '../core/costs';
import type { DatasetInfo, EngineEvent, EvalPoint, MeasuredCosts, ModelInfo, RunId, RunMetrics, RunStatus } from '../../contract/protocol';
import { SCHEDULES, buildRuns, stepRound, type TrainerFactory } from '../core/race';
import { makeResident, type ResidentData } from '../core/residency';
import { dataKeyOf } from './dataLoading';
import { fitSettingsToData, type DataFit } from './fitToData';
import type { Run, StepOutcome } from '../core/run';
import { budgetProgress, budgetUsed, stepsLeft, type RunEnd } from './clockBudget';
import { runIdsOf, trainerSettingsFor } from './runSettings';
import { MetricsBuffer } from './metricsBuffer';
import { SamplerViews } from './samplerView';
import { VarianceLabProbes } from '../core/varianceLab';
import type { Settings } from '../../contract/settings';
import type { HiddenMark } from '../core/hiddenTime';
import { blockSizesOf, compileKernels, warmUpKey } from '../core/warmup';
import { declaredShape, offClockPieceSamples } from './workBudget';
import { OffClockWork } from './offClockWork';
import type { DataShape } from './workBudgetGate';

export interface PageRaceOptions {
  backend: BackendSession;
  createTrainer: TrainerFactory;
  now: () => number;
  emit: (event: EngineEvent) => void;
  loadData: (settings: Settings, onProgress: (p: LoadProgress) => void) => Promise<PreparedDataset>;
  onProgress: (dataset: string) => (p: LoadProgress) => void;
  testEvalCap: number;
  /** After a run halted and its notice went out (the engine sends its points and status). */
  onHalted: () => void;
  /** The page's visibility (visibility.ts): blocks it was hidden during are charged an estimate. */
  hiddenMark?: () => HiddenMark;
}

export class PageRace {
  private s: Settings | null = null;
  private data: ResidentData | null = null;
  private dataKey = '';
  runs: Run[] = [];
  private views: SamplerViews | null = null;
  private modelConfig: ModelConfig | null = null;
  private modelInfo: ModelInfo | null = null;
  private needsInitialEval = false;
  private rounds = 0;
  /** What the GPU kernels were last compiled for; '' = nothing yet (or a new backend). */
  warmKey = '';
  private readonly costs = new CostMeter();
  /** Variance-lab probes of the importance run, buffered per run until takeMetrics. */
  private readonly lab = new VarianceLabProbes();
  /** Each run's step and evaluation points until takeMetrics (the runs' observer). */
  private readonly points = new MetricsBuffer();
  /** Each run's latest evaluation (the budget's final evaluation and 'finished' message read it). */
  private lastEvals = new Map<Run, EvalPoint>();
  /** Evaluations and probes queued after blocks, run a piece per round (offClockWork.ts). */
  private readonly offClock = new OffClockWork();
  /** The step each run's queued evaluation is for (so the budget's final one is not queued twice). */
  private evalQueued = new Map<Run, number>();

  constructor(private readonly o: PageRaceOptions) {}

  get built(): boolean {
    return this.runs.length > 0;
  }

  get anyActive(): boolean {
    return this.runs.some((r) => r.active);
  }

  /**
   * Loads the data (if the data settings changed) and builds the runs. Transactional: the CPU
   * data is prepared and the trainer settings validated before anything on the device is
   * replaced, so a failure leaves the race as it was. Returns the settings the runs train with:
   * those asked for, fitted to the training set's size (fitToData.ts), and what was changed.
   */
  async build(asked: Settings): Promise<DataFit> {
    let newBackend = await this.o.backend.ensure(asked.backend);
    let cpu = !this.data || dataKeyOf(asked) !== this.dataKey ? await this.o.loadData(asked, this.o.onProgress(asked.dataset)) : null;
    // The training set's real size is known now: the settings that depend on it are fitted to it.
    const fit = fitSettingsToData(asked, cpu ? cpu.train.count : this.data!.device.train.count);
    const settings = fit.settings;
    // No hardware GPU: measure which backend trains this model fastest (once per model and shapes).
    const shapes = cpu ?? this.data!.cpu;
    const probe = { model: settings.model, inputShape: shapes.imageShape, numClasses: shapes.numClasses, batchSize: settings.batchSize };
    if (await this.o.backend.choose(probe)) newBackend = true;
    if (newBackend) {
      // Tensors live on the backend that made them: the data goes up again, the kernels compile again.
      cpu ??= this.data?.cpu ?? null;
      this.warmKey = '';
    }
    const n = cpu ? cpu.train.count : this.data!.device.train.count;
    for (const run of runIdsOf(settings)) validateSettings(trainerSettingsFor(settings, run, null), n);
    this.disposeRuns();
    if (cpu) {
      this.disposeData();
      this.data = makeResident(cpu, { evalSize: settings.evalSize, seed: settings.seed, testEvalCap: this.o.testEvalCap });
      // The key of the settings in force (fitted): the page follows them, and sends them next.
      this.dataKey = dataKeyOf(settings);
    }
    this.s = settings;
    this.rebuildRuns();
    return fit;
  }

  /** Both runs from the same seeded initial weights, the same data and the same draw seed. */
  rebuildRuns(): void {
    this.disposeRuns();
    const s = this.s;
    const data = this.data;
    if (!data || !s) throw new Error('internal: runs built before data');
    this.modelConfig = { inputShape: data.cpu.imageShape, numClasses: data.cpu.numClasses, seed: deriveSeed(s.seed, 'engine.model') >>> 1 };
    this.costs.forgetApplied();
    this.runs = buildRuns({
      model: s.model,
      modelConfig: this.modelConfig,
      data: data.device,
      runs: runIdsOf(s).map((id) => ({ id, settings: trainerSettingsFor(s, id, this.costs.tauThreshold(s)) })),
      drawSeed: deriveSeed(s.seed, 'engine.draws'),
      createTrainer: this.o.createTrainer,
      observer: this.points,
    });
    this.rounds = 0;
    this.modelInfo = { name: s.model, parameters: countParameters(this.runs[0].model), description: MODEL_ZOO[s.model].description };
    this.views = new SamplerViews(this.runs, data.cpu, createRng(deriveSeed(s.seed, 'engine.display')));
    this.needsInitialEval = true;
  }

  /** Live settings: validated against the trainers' rules (e.g. B ≤ N) before anything changes. Throws when invalid. */
  applyLive(next: Settings): void {
    const n = this.data?.device.train.count ?? 0;
    const perRun = this.runs.map((run) => trainerSettingsFor(next, run.id as RunId, this.costs.tauThreshold(next)));
    for (const ts of perRun) validateSettings(ts, n);
    this.s = next;
    this.runs.forEach((run, k) => run.trainer.updateSettings(perRun[k]));
    this.costs.forgetApplied();
  }

  /**
   * One block of each active run; runs alternate by block. A block has `k` steps (default:
   * the blockSteps setting), cut short so that it ends on the next multiple of evalInterval:
   * evaluations then fall on the same steps whatever the block size, and block boundaries
   * depend only on the step count (the same seed reproduces the same run). A run that has used
   * its budget (clockBudget.ts) steps no more, and an epochs budget cuts a run's last block
   * short at the step that reaches it; runs that used it take their final evaluation.
   */
  async round(k = this.s?.blockSteps ?? 1): Promise<void> {
    // Work queued off the clocks comes first, a piece per round, and no run trains meanwhile.
    if (this.needsInitialEval) this.queueInitialEval();
    if (this.offClock.pending) return this.offClock.piece();
    const s = this.s;
    const stepping = this.runs.filter((r) => r.active && !this.budgetDone(r));
    const lead = stepping[0];
    if (s && lead) k = Math.max(1, Math.min(k, s.evalInterval - (lead.step % s.evalInterval)));
    if (s && this.data) for (const run of stepping) k = Math.min(k, stepsLeft(s, run, this.data.device.train.count));
    await this.warmUp();
    let uniformReport: StepReport | null = null;
    await stepRound(stepping, SCHEDULES.alternate, this.rounds++, { now: this.o.now, hiddenMark: this.o.hiddenMark }, k, {
      before: (run) => this.applyMeasured(run),
      after: (run, outcome) => {
        const report = this.afterBlock(run, outcome);
        if (run.id === 'uniform') uniformReport = report;
      },
    });
    // A run that never trains uniformly (importance mode) borrows the uniform run's picks.
    if (uniformReport) this.views?.lendUniformPicks('importance', uniformReport);
    this.queueFinalEvaluations();
  }

  /** True while evaluations or probes are queued (the training loop runs them a piece per round). */
  get offClockPending(): boolean {
    return this.offClock.pending;
  }

  /** One piece of the queued evaluations and probes (the loop after a pause). */
  offClockPiece(): Promise<void> {
    return this.offClock.piece();
  }

  /** Runs every queued evaluation and probe now (a step by hand, the end of the budget). */
  async finishOffClockWork(): Promise<void> {
    if (this.needsInitialEval) this.queueInitialEval();
    await this.offClock.drain();
  }

  /** True when a budget is set and this run has used it: it trains no further. */
  budgetDone(run: Run): boolean {
    return !!this.s && !!this.data && budgetUsed(this.s, run, this.data.device.train.count);
  }

  /** True when a budget is set and every run still training has used it (halted runs aside; not when all halted). */
  get budgetFinished(): boolean {
    const active = this.runs.filter((r) => r.active);
    return active.length > 0 && active.every((r) => this.budgetDone(r));
  }

  /** Off the clocks: queues a final evaluation of each run that has used its budget, unless it has one at its last step. */
  queueFinalEvaluations(): void {
    for (const run of this.runs) {
      if (!run.active || !this.budgetDone(run) || this.lastEvals.get(run)?.step === run.step) continue;
      this.queueEvaluation(run);
    }
  }

  /** The data on the device and its CPU copy (the hands-on views read test images from it); null before build. */
  get resident(): ResidentData | null {
    return this.data;
  }

  /** A run's latest evaluation (the hands-on views: a kept model's metadata, when weights refresh). */
  latestEval(run: Run): EvalPoint | null {
    return this.lastEvals.get(run) ?? null;
  }

  /** How each run stands at its latest evaluation, for the budget's 'finished' message. */
  runEnds(): RunEnd[] {
    return this.runs.map((run) => ({ id: run.id, trainLoss: this.lastEvals.get(run)?.trainLoss ?? null, haltedReason: run.haltedReason }));
  }

  /** The points and sampler views gathered since the last call, or null when there are none. */
  takeMetrics(): Partial<Record<RunId, RunMetrics>> | null {
    const out: Partial<Record<RunId, RunMetrics>> = {};
    let any = false;
    for (const run of this.runs) {
      const table = run.id === 'importance' && !!this.s && samplerInfo(this.s.sampler).capabilities.keepsTable;
      const snapshot = this.views?.take(run, table) ?? null;
      const varianceLab = this.lab.take(run);
      const { steps, evals } = this.points.take(run);
      if (!steps.length && !evals.length && !snapshot && !varianceLab) continue;
      out[run.id as RunId] = { steps, evals, snapshot, ...(varianceLab ? { varianceLab } : {}) };
      any = true;
    }
    return any ? out : null;
  }

  runStatus(): Partial<Record<RunId, RunStatus>> {
    const out: Partial<Record<RunId, RunStatus>> = {};
    for (const run of this.runs) {
      const { step, samplesSeen, clockMs, haltedReason } = run;
      const stepsPerSecond = run.stepMs.value ? 1000 / run.stepMs.value : 0;
      out[run.id as RunId] = { step, samplesSeen, clockMs, stepsPerSecond, haltedReason, readsPerStep: run.readsPerStep, ...this.budgetStatus(run) };
    }
    return out;
  }

  /** The run's share of the budget and whether it is used up; nothing when no budget is set. */
  private budgetStatus(run: Run): Pick<RunStatus, 'budgetProgress' | 'budgetDone'> {
    const progress = this.s && this.data ? budgetProgress(this.s, run, this.data.device.train.count) : null;
    return progress === null ? {} : { budgetProgress: progress, budgetDone: this.budgetDone(run) };
  }

  info(settings: Settings): { dataset: DatasetInfo | null; model: ModelInfo | null; costs: MeasuredCosts; tauThresholdInForce: number } {
    const imp = this.runs.find((r) => r.id === 'importance');
    const measured = this.costs.tauThreshold(settings);
    return {
      dataset: this.data?.info ?? null,
      model: this.modelInfo,
      costs: this.costs.snapshot(settings),
      tauThresholdInForce: imp ? imp.trainer.tauThreshold : tauThresholdOf(trainerSettingsFor(settings, 'importance', measured)),
    };
  }

  /** The image shape and classes the runs train on: the data loaded now, else the dataset's declared ones. */
  dataShape(s: Settings): DataShape {
    const loaded = this.data?.info;
    if (loaded && loaded.name === s.dataset) return { imageShape: loaded.imageShape, numClasses: loaded.classNames.length };
    return declaredShape(s.dataset);
  }

  disposeRuns(): void {
    this.offClock.clear();
    this.evalQueued = new Map();
    for (const run of this.runs) run.dispose();
    this.runs = [];
    this.lastEvals = new Map();
  }

  disposeData(): void {
    const d = this.data;
    this.data = null;
    this.dataKey = '';
    try {
      d?.dispose();
    } catch {
      /* a lost device may refuse; the tensors are gone with it */
    }
  }

  dispose(): void {
    this.disposeRuns();
    this.disposeData();
  }

  /**
   * Off the clocks: costs, sampler views, and queued for the rounds that follow, an evaluation
   * when the block crossed a multiple of evalInterval and a variance-lab probe of the importance
   * run when it crossed one of varianceLabInterval. Returns the block's last report.
   */
  private afterBlock(run: Run, outcome: StepOutcome): StepReport | null {
    if (outcome.kind === 'halted') {
      if (outcome.error) this.o.emit({ type: 'error', fatal: false, message: `${run.id} run: ${outcome.error}` });
      const message = `The ${run.id} run halted: ${outcome.reason}. Reset (or lower the learning rate and reset) to continue.`;
      this.o.emit({ type: 'notice', level: 'warning', message });
      this.o.onHalted();
      return null;
    }
    const { reports } = outcome;
    const s = this.s!;
    this.costs.record(s, reports);
    for (const report of reports) this.views?.record(run, report);
    if (run.step % s.evalInterval === 0) this.queueEvaluation(run);
    const probe = run.id === 'importance' ? this.lab.probeAfterBlock(run, reports.length, s, this.data!.device) : null;
    if (probe) this.offClock.add(probe.measurement, this.pieceSamples().probe, probe.record);
    return reports[reports.length - 1];
  }

  /** Queues an evaluation of the run at its current step; `then` also gets the point. */
  private queueEvaluation(run: Run, then?: (point: EvalPoint) => void): void {
    if (this.evalQueued.get(run) === run.step) return;
    this.evalQueued.set(run, run.step);
    this.offClock.add(run.startEvaluation(this.data!.evalTrain, this.data!.evalTest), this.pieceSamples().evaluation, (point) => {
      this.lastEvals.set(run, point);
      then?.(point);
    });
  }

  private queueInitialEval(): void {
    this.needsInitialEval = false;
    const [first, ...others] = this.runs;
    if (!first) return;
    // Same initial weights: one evaluation serves every run.
    this.queueEvaluation(first, (point) => {
      for (const run of others) {
        this.points.onEval(run, { ...point });
        this.lastEvals.set(run, point);
      }
    });
  }

  /** Samples per piece of off-clock work for the model, data and backend in force. */
  private pieceSamples(): { evaluation: number; probe: number } {
    const cpu = this.data!.cpu;
    return offClockPieceSamples(this.s!.model, cpu.imageShape, cpu.numClasses, this.o.backend.name);
  }

  /** Compiles the GPU kernels now (off every clock), so that Start trains at once; a no-op when done. */
  async warmUp(): Promise<void> {
    const s = this.s;
    const backend = this.o.backend.name;
    if (!s || backend === null || backend === 'cpu' || !this.data || !this.modelConfig || !this.runs.length) return;
    const settings = trainerSettingsFor(s, 'importance', null);
    const blockSizes = blockSizesOf(s.blockSteps, s.evalInterval);
    const key = warmUpKey(s.model, this.modelConfig.inputShape, settings, blockSizes);
    if (key === this.warmKey) return;
    this.warmKey = key;
    this.o.emit({ type: 'progress', task: 'warmup', loaded: 0, total: 1, message: 'Compiling GPU kernels…' });
    await compileKernels({
      model: s.model,
      modelConfig: this.modelConfig,
      source: this.runs[0].model,
      data: this.data.device,
      settings,
      seed: deriveSeed(s.seed, 'engine.warmup'),
      blockSizes,
      createTrainer: this.o.createTrainer,
    });
    this.o.emit({ type: 'progress', task: 'warmup', loaded: 1, total: 1, message: 'GPU kernels ready' });
  }

  /** Measured τ_th (costs.ts): any probe of the scoring pass counts on the importance run's clock. */
  private async applyMeasured(run: Run): Promise<void> {
    const s = this.s!;
    if (run.id !== 'importance' || s.tauThresholdMode !== 'measured') return;
    const probe = { scoresPresample: samplerInfo(s.sampler).capabilities.scoresPresample, model: run.logits, data: this.data!.device, now: this.o.now };
    run.clockMs += await this.costs.applyTo(run.trainer, s, probe);
  }
}
