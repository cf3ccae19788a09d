// The work budget as the engine applies it (budget.ts has the estimates): settings whose
// step would exceed the memory or time budget are refused before anything loads, and the
// race's blocks are shortened until one takes about BLOCK_TARGET_MS on the backend in force,
// so that a command waits at most that long. The settings (and the link) keep the block size
// asked for; the race runs the shorter one and a notice says so, once per change.
import type { BackendSession } from '../backend/session';
import { BLOCK_TARGET_MS, blockStepsWithinBudget, budgetErrors, declaredShape, type ImageShape } from './workBudget';
import type { PageRace } from './pageRace';
import type { EngineEvent } from '../../contract/protocol';
import { SETTINGS_SCHEMA, type Settings } from '../../contract/settings';

export class RaceBudget {
  /** The block notice last sent ('' = none), so each change is announced once. */
  private noticeKey = '';

  constructor(
    private readonly race: PageRace,
    private readonly backend: BackendSession,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  /** Why these settings are over the budget, or null when they fit. */
  refusal(s: Settings): string | null {
    const { imageShape, numClasses } = this.shapeOf(s);
    const errors = budgetErrors(s, imageShape, numClasses);
    return errors.length ? `Too much work for one step: ${errors.join('; ')}.` : null;
  }

  /** The settings the race runs: these, with blocks within the budget; announce() says so once. */
  within(s: Settings): { settings: Settings; announce: () => void } {
    const { imageShape, numClasses } = this.shapeOf(s);
    const budget = blockStepsWithinBudget(s, imageShape, numClasses, this.backend.name);
    const key = budget.blockSteps < s.blockSteps ? `${budget.blockSteps}/${s.blockSteps}/${budget.device}` : '';
    const announce = (): void => {
      // On the CPU and on WebAssembly a block costs no device stall: shortening the default block
      // changes nothing one sees, so only a block size someone asked for is worth a notice there.
      const onCpu = this.backend.name === 'cpu' || this.backend.name === 'wasm';
      const asked = !onCpu || s.blockSteps !== SETTINGS_SCHEMA.blockSteps.default;
      if (key && key !== this.noticeKey && asked) {
        const message =
          `Blocks of ${budget.blockSteps} step${budget.blockSteps > 1 ? 's' : ''} instead of ${s.blockSteps}: a step of these settings ` +
          `takes an estimated ${Math.round(budget.stepMs)} ms on ${budget.device}, and a block is kept near ${BLOCK_TARGET_MS} ms ` +
          'so that Pause and setting changes take effect promptly.';
        this.emit({ type: 'notice', level: 'info', message });
      }
      this.noticeKey = key;
    };
    return { settings: key ? { ...s, blockSteps: budget.blockSteps } : s, announce };
  }

  /** After a build (the backend is known only then): the race's blocks within the budget. */
  apply(s: Settings): void {
    const race = this.within(s);
    if (race.settings !== s) this.race.applyLive(race.settings);
    race.announce();
  }

  /** The image shape and classes the runs train on: the data loaded now, else the dataset's declared ones. */
  private shapeOf(s: Settings): { imageShape: ImageShape; numClasses: number } {
    const loaded = this.race.info(s).dataset;
    if (loaded && loaded.name === s.dataset) return { imageShape: loaded.imageShape, numClasses: loaded.classNames.length };
    return declaredShape(s.dataset);
  }
}
