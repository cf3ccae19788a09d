// Trainer settings: defaults and the sizes derived from them.
import { costModelTauThreshold } from './catalogue';
import { samplerSettingDefaults } from './samplers/metas';
import type { SamplerKind, TrainerSettings } from './types';

export { presampleSize } from './catalogue';

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
  tauMomentum: 0.9,
  // Each sampler's own settings at the defaults its meta.ts gives them.
  ...samplerSettingDefaults(),
});

/**
 * τ_th of the settings (docs/method.md §3): the set value, else the sampler's cost model. The
 * presample sampler's scoring pass over B costs about B/3 training samples, so τ_th =
 * (B + 3b)/(3b); the score table adds no forward pass, only its upkeep: TABLE_TAU_THRESHOLD
 * (1.02). The trainer adds the sampler's margin (its τ meter's error) to this for the τ_th in force.
 */
export function tauThresholdOf(settings: TrainerSettings, sampler: SamplerKind = settings.sampler): number {
  if (settings.tauThreshold != null) return settings.tauThreshold;
  return costModelTauThreshold(sampler, settings);
}
