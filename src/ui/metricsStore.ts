// The charted history of both runs. The engine sends points in batches a few times per
// second; the store appends them to a SeriesHistory per series, which keeps the whole run at
// bounded memory: an evenly spaced grid whose stride doubles as the run grows, plus the first
// and newest points and every step where the importance mode or state switched. Snapshots are
// immutable, so React can compare them by identity (useSyncExternalStore).
import type { EngineEvent, EvalPoint, RunId, SamplerSnapshot, StepPoint, VarianceLabPoint } from '../contract/protocol';
import { SeriesHistory } from './seriesHistory';

export const RUN_IDS: readonly RunId[] = ['importance', 'uniform'];
/** Most points kept per series (steps or evals of one run). */
export const DEFAULT_MAX_POINTS = 2000;
/** Smallest `maxPoints` a store accepts: room for a grid, a few pins and the newest point. */
export const MIN_MAX_POINTS = 8;

export interface RunSeries {
  steps: readonly StepPoint[];
  evals: readonly EvalPoint[];
  snapshot: SamplerSnapshot | null;
  /** Points received in total (before decimation), for export and status. */
  stepsReceived: number;
  evalsReceived: number;
  /** The kept steps hold every `stepStride`-th step received (1 = all), plus the first `switchesPinned` mode switches. */
  stepStride: number;
  evalStride: number;
  /** Mode switches kept only at grid resolution because the switch budget was spent (0 normally). */
  switchesUnpinned: number;
  /** Mode switches kept at their step whatever the stride: the first ones received (absent: not counted). */
  switchesPinned?: number;
  /** Variance-lab probes (importance run), oldest first; the store always sets it. */
  varianceLab?: readonly VarianceLabPoint[];
}

export interface MetricsSnapshot {
  /** Grows on every change. */
  version: number;
  runs: Record<RunId, RunSeries>;
}

const emptyRun = (): RunSeries => ({
  steps: [],
  evals: [],
  snapshot: null,
  stepsReceived: 0,
  evalsReceived: 0,
  stepStride: 1,
  evalStride: 1,
  switchesUnpinned: 0,
  switchesPinned: 0,
  varianceLab: [],
});

/**
 * The probes kept, at most `max`: they come one per varianceLabInterval steps, so only a
 * long run at a short interval fills them; then every other one goes (first and newest stay).
 */
export function keepLabPoints(kept: readonly VarianceLabPoint[], incoming: readonly VarianceLabPoint[], max: number): readonly VarianceLabPoint[] {
  let all = [...kept, ...incoming];
  while (all.length > max) all = all.filter((_, i) => i % 2 === 0 || i === all.length - 1);
  return all;
}

const modeChanged = (a: StepPoint, b: StepPoint) => a.importanceActive !== b.importanceActive || a.mode !== b.mode;

interface RunHistory {
  steps: SeriesHistory<StepPoint>;
  evals: SeriesHistory<EvalPoint>;
}

export class MetricsStore {
  private snap: MetricsSnapshot = { version: 0, runs: { importance: emptyRun(), uniform: emptyRun() } };
  private listeners = new Set<() => void>();
  private histories: Record<RunId, RunHistory>;
  readonly maxPoints: number;

  /** `maxPoints`: most points kept per series; a quarter of them is reserved for mode switches. */
  constructor(maxPoints = DEFAULT_MAX_POINTS) {
    if (!Number.isInteger(maxPoints) || maxPoints < MIN_MAX_POINTS) {
      throw new RangeError(`maxPoints must be a whole number ≥ ${MIN_MAX_POINTS}, got ${maxPoints}`);
    }
    this.maxPoints = maxPoints;
    this.histories = { importance: this.newHistory(), uniform: this.newHistory() };
  }

  private newHistory(): RunHistory {
    const pinBudget = Math.floor(this.maxPoints / 4);
    return {
      steps: new SeriesHistory<StepPoint>({ gridBudget: this.maxPoints - pinBudget - 1, pinBudget, pin: modeChanged }),
      evals: new SeriesHistory<EvalPoint>({ gridBudget: this.maxPoints - 1 }),
    };
  }

  getSnapshot = (): MetricsSnapshot => this.snap;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Appends one batched `metrics` event. A step count that goes backwards means the run restarted. */
  append(event: Extract<EngineEvent, { type: 'metrics' }>): void {
    const runs = { ...this.snap.runs };
    let changed = false;
    for (const id of RUN_IDS) {
      const incoming = event.runs[id];
      if (!incoming) continue;
      let run = runs[id];
      const lastStep = run.steps[run.steps.length - 1];
      const lastEval = run.evals[run.evals.length - 1];
      const restarted =
        (incoming.steps.length > 0 && lastStep !== undefined && incoming.steps[0].step < lastStep.step) ||
        (incoming.evals.length > 0 && lastEval !== undefined && incoming.evals[0].step < lastEval.step) ||
        (!!incoming.varianceLab?.length && !!run.varianceLab?.length && incoming.varianceLab[0].step < run.varianceLab[run.varianceLab.length - 1].step);
      if (restarted) {
        run = emptyRun();
        this.histories[id] = this.newHistory();
      }
      const history = this.histories[id];
      if (incoming.steps.length) history.steps.push(incoming.steps);
      if (incoming.evals.length) history.evals.push(incoming.evals);
      runs[id] = {
        steps: incoming.steps.length ? history.steps.points() : run.steps,
        evals: incoming.evals.length ? history.evals.points() : run.evals,
        snapshot: incoming.snapshot ?? run.snapshot,
        stepsReceived: history.steps.received,
        evalsReceived: history.evals.received,
        stepStride: history.steps.stride,
        evalStride: history.evals.stride,
        switchesUnpinned: history.steps.unpinned,
        switchesPinned: history.steps.pinned,
        varianceLab: incoming.varianceLab?.length ? keepLabPoints(run.varianceLab ?? [], incoming.varianceLab, this.maxPoints) : (run.varianceLab ?? []),
      };
      changed = true;
    }
    if (changed) this.publish({ version: this.snap.version + 1, runs });
  }

  /** Forgets everything (reset, re-init, restart after a non-live settings change). */
  clear(): void {
    this.histories = { importance: this.newHistory(), uniform: this.newHistory() };
    this.publish({ version: this.snap.version + 1, runs: { importance: emptyRun(), uniform: emptyRun() } });
  }

  private publish(next: MetricsSnapshot): void {
    this.snap = next;
    for (const l of this.listeners) l();
  }
}
