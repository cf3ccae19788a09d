// Metric points for the chart tests: a run whose batch loss and evaluation losses decay with
// the step, τ that moves (so its lines are not flat) and one step every 40 ms of clock.
import type { EvalPoint, StepPoint } from '../../src/contract/protocol';

export function stepPoint(step: number, active: boolean): StepPoint {
  return {
    step,
    samplesSeen: step * 32,
    clockMs: step * 40,
    batchLoss: 2 / Math.sqrt(step),
    mode: 'auto',
    importanceActive: active,
    tauRaw: 1 + ((step * 7919) % 13) / 10,
    tauSmoothed: 1 + step / (step + 50),
    tauThreshold: 2,
  };
}

export interface EvalPointOptions {
  /** Amplitude of a sin(step) term added to the train loss, so that it is not monotone (default 0: none). */
  trainLossWobble?: number;
}

export function evalPoint(step: number, { trainLossWobble = 0 }: EvalPointOptions = {}): EvalPoint {
  return {
    step,
    samplesSeen: step * 32,
    clockMs: step * 40,
    trainLoss: 2.3 / (1 + step / 100) + trainLossWobble * Math.sin(step),
    testLoss: 2.4 / (1 + step / 100),
    testAccuracy: Math.min(0.99, step / 1000),
  };
}
