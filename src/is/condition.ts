// The condition that switches importance sampling on, one per importance mode (docs/method.md
// §4). Algorithm 1's auto mode trains uniformly while the moving average of τ stays at or
// below τ_th, and samples by importance above it. The trainer keeps that average (it is
// reported in every mode) and asks the condition before each step.
import type { ImportanceMode } from './catalogue';

/** τ as the condition sees it before a step. */
export interface TauState {
  /** Moving average of τ over the steps so far (0 before the first). */
  readonly smoothed: number;
  /** τ_th in force. */
  readonly threshold: number;
}

export interface SamplingCondition {
  readonly mode: ImportanceMode;
  /** Whether the next step samples by importance. */
  isMet(tau: TauState): boolean;
}

const NEVER: SamplingCondition = { mode: 'uniform', isMet: () => false };
const ALWAYS: SamplingCondition = { mode: 'importance', isMet: () => true };
const TAU_ABOVE_THRESHOLD: SamplingCondition = { mode: 'auto', isMet: (tau) => tau.smoothed > tau.threshold };

const CONDITIONS: Readonly<Record<ImportanceMode, SamplingCondition>> = {
  uniform: NEVER,
  importance: ALWAYS,
  auto: TAU_ABOVE_THRESHOLD,
};

export function conditionFor(mode: ImportanceMode): SamplingCondition {
  return CONDITIONS[mode];
}
