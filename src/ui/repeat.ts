// "Repeat with seeds 1..k": the same race k times, one seed after the other, each to the end
// of its own-clock budget, so the history holds k comparable races (drawn as a band). Pure
// planning here; App.tsx runs the plan on the engine.
import type { Settings } from '../contract/settings';

export const MAX_REPEAT_SEEDS = 10;

export interface RepeatPlan {
  seeds: readonly number[];
  /** Index of the seed racing now. */
  index: number;
  /** Record ids of the races finished so far. */
  finished: readonly string[];
}

/** Why a repeat cannot start with these settings, or null. */
export function repeatProblem(settings: Settings, k: number): string | null {
  if (!Number.isInteger(k) || k < 1 || k > MAX_REPEAT_SEEDS) return `Seeds to repeat must be a whole number from 1 to ${MAX_REPEAT_SEEDS}, got ${k}`;
  if (settings.budgetUnit === 'off') return 'A repeat needs an end: set a Budget (Run → Budget, seconds or epochs) first';
  return null;
}

export function planRepeat(k: number): RepeatPlan {
  return { seeds: Array.from({ length: k }, (_, i) => i + 1), index: 0, finished: [] };
}

/** The plan after the race now running finished as record `id`; null when it was the last. */
export function advanceRepeat(plan: RepeatPlan, id: string): { plan: RepeatPlan; done: boolean } {
  const finished = [...plan.finished, id];
  const index = plan.index + 1;
  return { plan: { ...plan, index, finished }, done: index >= plan.seeds.length };
}
