// The points each run made since the last metrics message: the runs hand them over as they
// make them (RunObserver), and the engine takes them when a message goes out (throttled).
// Keyed by the run object, so runs rebuilt from step 0 start with nothing buffered.
import type { EvalPoint, StepPoint } from '../../contract/protocol';
import type { Run, RunObserver } from '../core/run';

interface Pending {
  steps: StepPoint[];
  evals: EvalPoint[];
}

export class MetricsBuffer implements RunObserver {
  private pending = new WeakMap<Run, Pending>();

  onBlock(run: Run, points: readonly StepPoint[]): void {
    this.of(run).steps.push(...points);
  }

  onEval(run: Run, point: EvalPoint): void {
    this.of(run).evals.push(point);
  }

  /** The run's points since the last take (empty lists when none); the buffer forgets them. */
  take(run: Run): Pending {
    const out = this.pending.get(run) ?? { steps: [], evals: [] };
    this.pending.delete(run);
    return out;
  }

  private of(run: Run): Pending {
    let p = this.pending.get(run);
    if (!p) this.pending.set(run, (p = { steps: [], evals: [] }));
    return p;
  }
}
