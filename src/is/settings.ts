// Trainer settings: defaults and the sizes derived from them.
import type { SamplerKind, TrainerSettings } from './types';

export const DEFAULT_SETTINGS: Readonly<TrainerSettings> = Object.freeze({
  mode: 'auto',
  sampler: 'presample',
  score: 'upperBound',
  batchSize: 32,
  presampleFactor: 3,
  learningRate: 0.001,
  optimizer: 'adam',
  momentum: 0.9,
  tauThreshold: null,
  smoothing: 0,
  tauMomentum: 0.9,
});

/** B = round(presampleFactor · b). */
export function presampleSize(settings: Pick<TrainerSettings, 'batchSize' | 'presampleFactor'>): number {
  return Math.round(settings.presampleFactor * settings.batchSize);
}

/**
 * τ_th in force: the set value, else the cost model. Presampling costs B forward passes
 * (about B/3 training samples), so τ_th = (B + 3b)/(3b). The score table costs no forward
 * pass, so any τ > 1 pays: τ_th = 1.
 */
export function tauThresholdOf(settings: TrainerSettings, sampler: SamplerKind = settings.sampler): number {
  if (settings.tauThreshold != null) return settings.tauThreshold;
  if (sampler === 'table') return 1;
  const b = settings.batchSize;
  return (presampleSize(settings) + 3 * b) / (3 * b);
}
