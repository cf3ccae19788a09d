// The clock budget of a race, the own-clock budget of the settings (budgetUnit, budget): each
// run trains until it has used `budget` seconds of its own clock or `budget` epochs, and then no
// further; once every run has, the race is over, the engine pauses and says so once with a
// 'finished' event. (Not the work budget of workBudget.ts and workBudgetGate.ts, which bounds
// what one step may cost.)
//
// Where a run stops:
// - epochs: at exactly the step where samplesSeen first reaches budget·N. Blocks are queued
//   k steps at a time (docs/method.md §7), so the race shortens a run's last block to the steps
//   it has left (stepsLeft); samplesSeen grows by b per step, b read at the block's start.
// - seconds: at the first block end at or past the budget. A block's time is known only once
//   its one read returns, so a run goes over by at most one block (~200 ms, workBudgetGate.ts).
//
// Nothing here is kept per run: whether a run is done is worked out from its counters, which
// reset with the runs (reset, restart, init), so a raised budget lets the race go on and a
// lowered one ends it at the next block. The engine side (ClockBudget) keeps only whether the
// end was announced.
import type { EngineEvent, RunId } from '../../contract/protocol';
import type { Settings } from '../../contract/settings';

/** The settings the budget reads. */
export type BudgetSettings = Pick<Settings, 'budgetUnit' | 'budget' | 'batchSize'>;

/** What the budget reads of a run. */
export interface BudgetCounters {
  samplesSeen: number;
  /** The run's own clock, ms. */
  clockMs: number;
}

/**
 * Samples a run of `epochs` epochs over `trainCount` samples has seen at least: ⌈epochs·N⌉.
 * The product is rounded to 9 significant digits first, so that 0.3·10 (3.0000000000000004)
 * asks for 3 samples, not 4.
 */
export function epochSamples(epochs: number, trainCount: number): number {
  return Math.ceil(Number((epochs * trainCount).toPrecision(9)));
}

/** True when a run with these counters has used the whole budget; false when there is none. */
export function budgetUsed(s: BudgetSettings, run: BudgetCounters, trainCount: number): boolean {
  switch (s.budgetUnit) {
    case 'off':
      return false;
    case 'seconds':
      return run.clockMs >= s.budget * 1000;
    case 'epochs':
      return run.samplesSeen >= epochSamples(s.budget, trainCount);
  }
}

/** Share of the budget a run has used, 0..1; null when no budget is set. */
export function budgetProgress(s: BudgetSettings, run: BudgetCounters, trainCount: number): number | null {
  if (s.budgetUnit === 'off') return null;
  if (budgetUsed(s, run, trainCount)) return 1;
  const share = s.budgetUnit === 'seconds' ? run.clockMs / (s.budget * 1000) : run.samplesSeen / epochSamples(s.budget, trainCount);
  return Math.min(1, Math.max(0, share));
}

/**
 * The most steps a run may take before it reaches its budget: with epochs, the steps of b
 * samples until samplesSeen ≥ budget·N (0 when used up); otherwise unbounded (a seconds budget
 * is checked at block ends).
 */
export function stepsLeft(s: BudgetSettings, run: BudgetCounters, trainCount: number): number {
  if (s.budgetUnit !== 'epochs') return Infinity;
  return Math.max(0, Math.ceil((epochSamples(s.budget, trainCount) - run.samplesSeen) / s.batchSize));
}

/** The budget in words: "60 s", "1 epoch", "2.5 epochs". */
export function describeBudget(s: Pick<Settings, 'budgetUnit' | 'budget'>): string {
  if (s.budgetUnit === 'off') return 'no budget';
  if (s.budgetUnit === 'seconds') return `${s.budget} s`;
  return `${s.budget} epoch${s.budget === 1 ? '' : 's'}`;
}

/** How one run ended, for the 'finished' message. */
export interface RunEnd {
  id: RunId | string;
  /** Mean loss on the evaluation subset at the run's last evaluation (null: none yet). */
  trainLoss: number | null;
  haltedReason: string | null;
}

/** "Budget of 60 s reached: importance 0.041, uniform 0.067 training loss." */
export function finishedMessage(s: Pick<Settings, 'budgetUnit' | 'budget'>, ends: readonly RunEnd[]): string {
  const parts = ends.map((e) =>
    e.haltedReason !== null ? `${e.id} halted` : `${e.id} ${e.trainLoss === null ? '–' : Number(e.trainLoss.toPrecision(3))}`,
  );
  return `Budget of ${describeBudget(s)} reached: ${parts.join(', ')} training loss.`;
}

/** What the end of the budget reads of the race (page/pageRace.ts fits). */
export interface BudgetedRace {
  /** True when a budget is set and every run still training has used it. */
  readonly budgetFinished: boolean;
  /** Off the clocks: queues a final evaluation of each run that has used its budget, unless it has one at its last step. */
  queueFinalEvaluations(): void;
  /** True while evaluations are queued (the training loop runs them a piece per round). */
  readonly offClockPending: boolean;
  /** Runs every queued evaluation now. */
  finishOffClockWork(): Promise<void>;
  /** How each run stands at its latest evaluation. */
  runEnds(): RunEnd[];
}

/**
 * The engine's side of the budget: when the race has used it, the final evaluations, the pause
 * and the one 'finished' event; and the refusal of Start and Step after that.
 */
export class ClockBudget {
  /** The 'finished' event went out for the race as it stands. */
  private announced = false;

  constructor(
    private readonly race: BudgetedRace,
    private readonly emit: (event: EngineEvent) => void,
    /** Pauses the engine (it sends the points and its status). */
    private readonly pause: () => void,
  ) {}

  /** Forgets the end of the race: after init, reset and a restart (the runs start from step 0). */
  clear(): void {
    this.announced = false;
  }

  /**
   * After a round or a live change: when every run has used the budget, each takes a final
   * evaluation at its last step (so the history has its end point), the engine pauses, then
   * 'finished' goes out, once. In the training loop (`inLoop`) the evaluations are left to the
   * loop's next rounds, a piece each, and the race is not over until they are done; elsewhere
   * they run now.
   * Returns whether the race is over. A raised budget makes it not over, and the next end is
   * announced again.
   */
  async settle(s: Pick<Settings, 'budgetUnit' | 'budget'>, inLoop = false): Promise<boolean> {
    if (!this.race.budgetFinished) {
      this.announced = false;
      return false;
    }
    if (this.announced) return true;
    this.race.queueFinalEvaluations();
    if (inLoop && this.race.offClockPending) return false;
    await this.race.finishOffClockWork();
    this.pause();
    this.announced = true;
    this.emit({ type: 'finished', message: finishedMessage(s, this.race.runEnds()) });
    return true;
  }

  /**
   * Start and Step once the race has used its budget: a notice saying what to do (never a
   * silent no-op), after settling the end if that has not happened yet. Returns whether `what`
   * was refused.
   */
  async refuse(what: 'start' | 'step', s: Pick<Settings, 'budgetUnit' | 'budget'>): Promise<boolean> {
    if (!this.race.budgetFinished) return false;
    await this.settle(s);
    const runs = this.race.runEnds().length > 1 ? 'every run has' : 'the run has';
    const message = `Cannot ${what}: ${runs} used its budget of ${describeBudget(s)}. Raise the budget (Run settings) or Reset to train again.`;
    this.emit({ type: 'notice', level: 'warning', message });
    return true;
  }
}
