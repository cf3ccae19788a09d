// The charted history of both runs. The engine sends points in batches a few times per
// second; the store appends them and keeps memory bounded on long runs: when a series grows
// past `maxPoints`, its oldest half is thinned to every other point (recent points keep full
// resolution, old ones lose it gradually). Snapshots are immutable, so React can compare
// them by identity (useSyncExternalStore).
import type { EngineEvent, EvalPoint, RunId, SamplerSnapshot, StepPoint } from '../engine/protocol';

export const RUN_IDS: readonly RunId[] = ['importance', 'uniform'];
export const DEFAULT_MAX_POINTS = 2000;

export interface RunSeries {
  steps: readonly StepPoint[];
  evals: readonly EvalPoint[];
  snapshot: SamplerSnapshot | null;
  /** Points received in total (before thinning), for export and status. */
  stepsReceived: number;
  evalsReceived: number;
}

export interface MetricsSnapshot {
  /** Grows on every change. */
  version: number;
  runs: Record<RunId, RunSeries>;
}

const emptyRun = (): RunSeries => ({ steps: [], evals: [], snapshot: null, stepsReceived: 0, evalsReceived: 0 });

/**
 * Thins the oldest half of `points` to every other point until it holds at most `max`.
 * The first point is always kept; points where `keep(prev, p)` says so (e.g. the step where
 * importance sampling switched on) survive a thinning pass as long as the bound allows.
 */
export function thinSeries<T>(points: readonly T[], max: number, keep?: (prev: T, p: T) => boolean): T[] {
  let out = points.slice();
  if (max < 2) return out.slice(-Math.max(0, max));
  while (out.length > max) {
    const half = Math.ceil(out.length / 2);
    const thinned: T[] = [];
    for (let i = 0; i < half; i++) {
      if (i % 2 === 0 || (keep && i > 0 && keep(out[i - 1], out[i]))) thinned.push(out[i]);
    }
    let next = thinned.concat(out.slice(half));
    const plainRemoval = Math.floor(half / 2);
    if (out.length - next.length < Math.max(1, plainRemoval / 2)) {
      // The kept transitions defeat the thinning: fall back to plain halving.
      const plain: T[] = [];
      for (let i = 0; i < half; i += 2) plain.push(out[i]);
      next = plain.concat(out.slice(half));
    }
    out = next;
  }
  return out;
}

const modeChanged = (a: StepPoint, b: StepPoint) => a.importanceActive !== b.importanceActive || a.mode !== b.mode;

export class MetricsStore {
  private snap: MetricsSnapshot = { version: 0, runs: { importance: emptyRun(), uniform: emptyRun() } };
  private listeners = new Set<() => void>();
  readonly maxPoints: number;

  constructor(maxPoints = DEFAULT_MAX_POINTS) {
    this.maxPoints = maxPoints;
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
        (incoming.evals.length > 0 && lastEval !== undefined && incoming.evals[0].step < lastEval.step);
      if (restarted) run = emptyRun();
      const steps = incoming.steps.length ? run.steps.concat(incoming.steps) : run.steps;
      const evals = incoming.evals.length ? run.evals.concat(incoming.evals) : run.evals;
      runs[id] = {
        steps: steps.length > this.maxPoints ? thinSeries(steps, this.maxPoints, modeChanged) : steps,
        evals: evals.length > this.maxPoints ? thinSeries(evals, this.maxPoints) : evals,
        snapshot: incoming.snapshot ?? run.snapshot,
        stepsReceived: run.stepsReceived + incoming.steps.length,
        evalsReceived: run.evalsReceived + incoming.evals.length,
      };
      changed = true;
    }
    if (changed) this.publish({ version: this.snap.version + 1, runs });
  }

  /** Forgets everything (reset, re-init, restart after a non-live settings change). */
  clear(): void {
    this.publish({ version: this.snap.version + 1, runs: { importance: emptyRun(), uniform: emptyRun() } });
  }

  private publish(next: MetricsSnapshot): void {
    this.snap = next;
    for (const l of this.listeners) l();
  }
}
