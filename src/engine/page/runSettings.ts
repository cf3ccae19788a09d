// From the page's settings to each run's trainer settings: the importance run follows the
// settings; the uniform run beside it always samples uniformly.
import { SAMPLER_SETTING_KEYS, type SamplerSettingValues, type TrainerSettings } from '../../is';
import type { RunId } from '../../contract/protocol';
import type { Settings } from '../../contract/settings';

/** EMA momentum a_τ of τ (docs/method.md §3). */
export const TAU_MOMENTUM = 0.9;

export function runIdsOf(s: Settings): RunId[] {
  return s.compare ? ['importance', 'uniform'] : ['importance'];
}

/** τ_th for the trainer: a fixed value, the measured one (null until measured), or null = cost model. */
export function tauThresholdSetting(s: Settings, measured: number | null): number | null {
  if (s.tauThresholdMode === 'fixed') return s.tauThreshold;
  if (s.tauThresholdMode === 'measured') return measured;
  return null;
}

export function trainerSettingsFor(s: Settings, run: RunId, measuredTauThreshold: number | null): TrainerSettings {
  const uniform = run === 'uniform';
  return {
    mode: uniform ? 'uniform' : s.mode,
    // The uniform run never samples by score: the plain uniform step, and no gnorm pass
    // (it would slow its clock for scores nobody uses).
    sampler: uniform ? 'presample' : s.sampler,
    score: uniform && s.score === 'gnorm' ? 'upperBound' : s.score,
    batchSize: s.batchSize,
    presampleFactor: s.presampleFactor,
    learningRate: s.learningRate,
    optimizer: s.optimizer,
    momentum: s.momentum,
    tauThreshold: uniform ? null : tauThresholdSetting(s, measuredTauThreshold),
    tauMomentum: TAU_MOMENTUM,
    // Every sampler's own settings (its meta.ts), as the page has them.
    ...samplerSettingsOf(s),
  };
}

function samplerSettingsOf(s: Settings): SamplerSettingValues {
  return Object.fromEntries(SAMPLER_SETTING_KEYS.map((k) => [k, s[k]])) as SamplerSettingValues;
}
