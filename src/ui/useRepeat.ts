// Runs a repeat plan (repeat.ts) on the engine: each seed is set (a restart) and started; when
// its budget runs out the page saves the race and calls `finished`, which moves on to the next
// seed, and after the last one overlays all of them so the band shows at once.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EngineCommand } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { advanceRepeat, planRepeat, repeatProblem, type RepeatPlan } from './repeat';

export interface RepeatRunner {
  plan: RepeatPlan | null;
  /** Starts seeds 1..k; returns why it cannot, or null. */
  start: (k: number) => string | null;
  cancel: () => void;
  /** The race now on the page finished its budget and was saved as `recordId`. */
  finished: (recordId: string) => void;
}

export function useRepeat(options: {
  settingsRef: { current: Settings };
  change: (change: Partial<Settings>) => string[];
  send: (command: EngineCommand) => void;
  overlay: (ids: readonly string[]) => void;
}): RepeatRunner {
  const [plan, setPlan] = useState<RepeatPlan | null>(null);
  const planRef = useRef<RepeatPlan | null>(null);
  const optionsRef = useRef(options);
  useEffect(() => {
    optionsRef.current = options;
  });

  const update = (next: RepeatPlan | null) => {
    planRef.current = next;
    setPlan(next);
  };

  const race = useCallback((seed: number) => {
    const { settingsRef, change, send } = optionsRef.current;
    // A new seed restarts both runs; the same seed needs a Reset to start from step 0.
    if (settingsRef.current.seed !== seed) change({ seed });
    else send({ type: 'reset' });
    send({ type: 'start' });
  }, []);

  const start = useCallback(
    (k: number) => {
      const problem = repeatProblem(optionsRef.current.settingsRef.current, k);
      if (problem) return problem;
      const next = planRepeat(k);
      update(next);
      race(next.seeds[0]);
      return null;
    },
    [race],
  );

  const cancel = useCallback(() => update(null), []);

  const finished = useCallback(
    (recordId: string) => {
      const current = planRef.current;
      if (!current) return;
      const { plan: next, done } = advanceRepeat(current, recordId);
      if (done) {
        update(null);
        optionsRef.current.overlay(next.finished);
        return;
      }
      update(next);
      // Not inside the engine's event handler that reported the end: the next race's commands
      // would clear the charts while that handler still reads them.
      setTimeout(() => race(next.seeds[next.index]), 0);
    },
    [race],
  );

  return useMemo(() => ({ plan, start, cancel, finished }), [plan, start, cancel, finished]);
}
