// A fake clock for engine tests: the trainers advance it, so own-clock times are exact. A
// block of k steps takes `msPerStep[run]` × k ms and nothing else takes time; `during` (if
// set) runs once inside the importance run's next block, before its time passes (e.g. to hide
// the page mid-block).
import type { RunTrainer, TrainerFactory } from '../../src/engine/page/engine';
import type { RunId } from '../../src/contract/protocol';
import { defaultTrainerFactory } from '../../src/engine/core/race';

export interface FakeClock {
  t: number;
  msPerStep: Record<RunId, number>;
  during: null | (() => void);
}

export function fakeClockTrainers(msPerStep: Record<RunId, number>): { clock: FakeClock; createTrainer: TrainerFactory } {
  const clock: FakeClock = { t: 0, msPerStep: { ...msPerStep }, during: null };
  const createTrainer: TrainerFactory = (ctx) => {
    const inner = defaultTrainerFactory(ctx);
    const run = ctx.run as RunId;
    const trainer: RunTrainer = {
      async trainBlock(k) {
        const reports = await inner.trainBlock(k);
        if (run === 'importance' && clock.during) {
          const f = clock.during;
          clock.during = null;
          f();
        }
        clock.t += clock.msPerStep[run] * k;
        return reports;
      },
      get readsAwaited() {
        return inner.readsAwaited;
      },
      updateSettings: (change) => inner.updateSettings(change),
      get tauThreshold() {
        return inner.tauThreshold;
      },
      get scoreTable() {
        return inner.scoreTable;
      },
      dispose: () => inner.dispose(),
    };
    return trainer;
  };
  return { clock, createTrainer };
}
