// The work budget as the engine applies it (workBudget.ts has the estimates): settings whose
// step would exceed the memory or time budget are refused before anything loads, and the
// race's blocks are shortened until one takes about BLOCK_TARGET_MS on the backend in force,
// so that a command waits at most that long. The settings (and the link) keep the block size
// asked for; the race runs the shorter one and a notice says so, once per change. Not the
// clock budget (clockBudget.ts), which ends a race.
import { BLOCK_TARGET_MS, STEP_WAIT_NOTICE_MS, blockStepsWithinBudget, budgetErrors, largestBatchWithin, type ImageShape } from './workBudget';
import type { EngineEvent } from '../../contract/protocol';
import { SETTINGS_SCHEMA, type Settings } from '../../contract/settings';

/** The image shape and classes the runs train on (or will: the dataset's declared ones). */
export interface DataShape {
  imageShape: ImageShape;
  numClasses: number;
}

export class WorkBudgetGate {
  /** The block notice last sent ('' = none), so each change is announced once. */
  private noticeKey = '';
  /** The same for the notice of a step too long to wait for. */
  private longStepKey = '';

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  /** Why these settings are over the budget, or null when they fit. */
  refusal(s: Settings, shape: DataShape): string | null {
    const errors = budgetErrors(s, shape.imageShape, shape.numClasses);
    return errors.length ? `Too much work for one step: ${errors.join('; ')}.` : null;
  }

  /**
   * The settings the race runs: these, with blocks within the budget on `backend` (the
   * backend in force; null before one is chosen); announce() says so once.
   */
  within(s: Settings, shape: DataShape, backend: string | null): { settings: Settings; announce: () => void } {
    const budget = blockStepsWithinBudget(s, shape.imageShape, shape.numClasses, backend);
    const key = budget.blockSteps < s.blockSteps ? `${budget.blockSteps}/${s.blockSteps}/${budget.device}` : '';
    const announce = (): void => {
      // On the CPU and on WebAssembly a block costs no device stall: shortening the default block
      // changes nothing one sees, so only a block size someone asked for is worth a notice there.
      const onCpu = backend === 'cpu' || backend === 'wasm';
      const asked = !onCpu || s.blockSteps !== SETTINGS_SCHEMA.blockSteps.default;
      if (key && key !== this.noticeKey && asked) {
        const message =
          `Blocks of ${budget.blockSteps} step${budget.blockSteps > 1 ? 's' : ''} instead of ${s.blockSteps}: a step of these settings ` +
          `takes an estimated ${Math.round(budget.stepMs)} ms on ${budget.device}, and a block is kept near ${BLOCK_TARGET_MS} ms ` +
          'so that Pause and setting changes take effect promptly.';
        this.emit({ type: 'notice', level: 'info', message });
      }
      this.noticeKey = key;
      this.announceLongStep(s, shape, backend, budget.stepMs, budget.device);
    };
    return { settings: key ? { ...s, blockSteps: budget.blockSteps } : s, announce };
  }

  /**
   * A step is never cut (the off-clock work is: offClockWork.ts), so where one step alone is
   * estimated over STEP_WAIT_NOTICE_MS on the backend in force, Pause waits for it: say so, with
   * the batch size that would keep it within, once per change.
   */
  private announceLongStep(s: Settings, shape: DataShape, backend: string | null, stepMs: number, device: string): void {
    const key = stepMs > STEP_WAIT_NOTICE_MS ? `${Math.round(stepMs)}/${device}` : '';
    if (key && key !== this.longStepKey) {
      const b = largestBatchWithin(s, shape.imageShape, shape.numClasses, backend, STEP_WAIT_NOTICE_MS);
      const fixes = [b !== null && b < s.batchSize ? `lower batchSize to at most ${b}` : null, `choose a smaller model than ${s.model}`].filter((f): f is string => f !== null);
      const message =
        `A step of these settings takes an estimated ${(stepMs / 1000).toFixed(1)} s on ${device}, and Pause and setting changes wait ` +
        `for the step in flight. To have them within a second, ${fixes.join(', or ')}.`;
      this.emit({ type: 'notice', level: 'info', message });
    }
    this.longStepKey = key;
  }
}
