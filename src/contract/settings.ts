// The one typed settings object of an experiment. It round-trips through the URL (the share
// link), the page's controls are drawn from it, and the engine validates every change against
// the same schema (part of the contract between the UI and the worker: src/contract/).

import { IMPORTANCE_MODES, OPTIMIZERS, SAMPLER_KINDS, SCORE_KINDS } from '../is/catalogue';
import { SAMPLER_SETTINGS, SAMPLER_SETTING_KEYS, type SamplerSettingKey, type SamplerSettingValues } from '../is/samplers/metas';
import { DATASET_NAMES, MAX_DATASET_CLASSES, type DatasetName } from '../data/catalogue';
import { MODEL_NAMES, type ModelName } from '../models/catalogue';
import { quoteUntrusted } from './untrustedText';

// The vocabularies of datasets and models belong to their layers (src/data/catalogue.ts,
// src/models/catalogue.ts; both tfjs-free); the schema offers them.
export { DATASET_NAMES, MODEL_NAMES };
export type { DatasetName, ModelName };

// The library's names (src/is/catalogue.ts, tfjs-free), so the schema offers exactly what the
// trainer accepts. SAMPLER_KINDS is live: a sampler registered at runtime is offered too.
export { IMPORTANCE_MODES, OPTIMIZERS, SAMPLER_KINDS, SCORE_KINDS };
// Each sampler's own settings (declared in its folder's meta.ts): settings of the page like any other.
export { SAMPLER_SETTING_KEYS };
export type { SamplerSettingKey };
export const TAU_THRESHOLD_MODES = ['costModel', 'measured', 'fixed'] as const;
/** auto: WebGPU on a hardware adapter, else the fastest measured; a name forces that backend. */
export const BACKEND_PREFERENCES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** What the own-clock budget counts: nothing (no budget), seconds of a run's own clock, or epochs. */
export const BUDGET_UNITS = ['off', 'seconds', 'epochs'] as const;

export type ImportanceMode = (typeof IMPORTANCE_MODES)[number];
export type ScoreKind = (typeof SCORE_KINDS)[number];
export type SamplerKind = (typeof SAMPLER_KINDS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type TauThresholdMode = (typeof TAU_THRESHOLD_MODES)[number];
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];
export type BudgetUnit = (typeof BUDGET_UNITS)[number];

/**
 * The settings of an experiment: these, and every sampler's own settings (SamplerSettingValues,
 * from the samplers' meta.ts: `smoothing` of the presample, `tableSmoothing` of the score table, …).
 */
export interface Settings extends SamplerSettingValues {
  dataset: DatasetName;
  /** Training samples kept, 0 = all. */
  trainCap: number;
  /** Fraction of training labels flipped to another class. */
  labelNoise: number;
  /** Class kept at `imbalanceFraction` of its samples; -1 = none. */
  imbalanceClass: number;
  imbalanceFraction: number;
  model: ModelName;
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  /** b: samples per training step. */
  batchSize: number;
  /** B / b: how many samples are scored per training sample in presample mode. */
  presampleFactor: number;
  mode: ImportanceMode;
  sampler: SamplerKind;
  score: ScoreKind;
  tauThresholdMode: TauThresholdMode;
  /** τ_th used when tauThresholdMode is 'fixed'. */
  tauThreshold: number;
  seed: number;
  /** Train a uniform run beside the importance run. */
  compare: boolean;
  /** Which tfjs backend trains: auto (measured where there is no GPU) or a forced one. */
  backend: BackendPreference;
  /** Steps between evaluations on the evaluation subset and the test split. */
  evalInterval: number;
  /**
   * Steps each run queues on the device before one read brings their results back
   * (docs/method.md §7): fewer stalls, τ and the score table at most this many steps old.
   */
  blockSteps: number;
  /** Size of the fixed, seeded evaluation subset of the training set. */
  evalSize: number;
  /**
   * Steps between probes of the variance lab (docs/method.md §8) on the importance run, off
   * every clock; 0 = off.
   */
  varianceLabInterval: number;
  /**
   * Keep training while the page is hidden (another tab in front, a minimised window). Off:
   * training pauses when the page is hidden and resumes when it is shown again.
   */
  trainWhenHidden: boolean;
  /**
   * What stops both runs (src/engine/page/clockBudget.ts): 'off' = nothing, they train until paused;
   * 'seconds' = `budget` seconds of each run's OWN clock (its training time, the clock the race
   * is fair on, docs/method.md §7); 'epochs' = `budget` epochs, samplesSeen / training-set size
   * of that run. A run that has used it trains no further; once every run has, the race is over.
   */
  budgetUnit: BudgetUnit;
  /** The budget's amount, in `budgetUnit` (seconds or epochs; fractions allowed). Unused when 'off'. */
  budget: number;
}

interface EnumField<T extends string> {
  kind: 'enum';
  values: readonly T[];
  default: T;
  live: boolean;
  label: string;
}
interface NumberField {
  kind: 'number';
  min: number;
  max: number;
  integer: boolean;
  default: number;
  live: boolean;
  label: string;
  /** What it does, for the control's tooltip (a sampler's settings have one). */
  help?: string;
  /** A few words naming it with its value in a chart legend, e.g. 'table c' (a sampler's settings have one). */
  short?: string;
}
interface BooleanField {
  kind: 'boolean';
  default: boolean;
  live: boolean;
  label: string;
}

type FieldFor<V> = [V] extends [string] ? EnumField<V> : [V] extends [number] ? NumberField : BooleanField;
export type SettingsSchema = { [K in keyof Settings]: FieldFor<Settings[K]> };

const num = (label: string, def: number, min: number, max: number, integer: boolean, live: boolean): NumberField => ({
  kind: 'number', label, default: def, min, max, integer, live,
});
const flag = (label: string, def: boolean, live: boolean): BooleanField => ({ kind: 'boolean', label, default: def, live });
const choice = <T extends string>(label: string, values: readonly T[], def: T, live: boolean): EnumField<T> => ({
  kind: 'enum', label, values, default: def, live,
});

/** Each sampler's own settings as fields of the schema, from its meta.ts (range, default, live, label, help). */
function samplerFields(): { [K in SamplerSettingKey]: NumberField } {
  const out = {} as { [K in SamplerSettingKey]: NumberField };
  for (const key of SAMPLER_SETTING_KEYS) {
    const f = SAMPLER_SETTINGS[key];
    out[key] = { ...num(f.label, f.default, f.min, f.max, f.integer, f.live), help: f.help, short: f.short };
  }
  return out;
}

// The page's own settings, in the URL's and the controls' order: those before the samplers' own…
const FIELDS_BEFORE_SAMPLERS = {
  dataset: choice('Dataset', DATASET_NAMES, 'mnist', false),
  trainCap: num('Training-set cap (0 = all)', 5000, 0, 60000, true, false),
  labelNoise: num('Label noise', 0, 0, 0.9, false, false),
  imbalanceClass: num('Imbalanced class (-1 = none)', -1, -1, MAX_DATASET_CLASSES - 1, true, false),
  imbalanceFraction: num('Imbalanced class kept', 0.1, 0.01, 1, false, false),
  // The MLP trains in milliseconds on any backend; the page offers cnn-tiny by default where a hardware GPU is found (src/ui/environmentDefaults.ts).
  model: choice('Model', MODEL_NAMES, 'mlp', false),
  optimizer: choice('Optimizer', OPTIMIZERS, 'adam', false),
  learningRate: num('Learning rate', 0.001, 1e-6, 10, false, true),
  momentum: num('Momentum (SGD)', 0.9, 0, 0.999, false, false),
  batchSize: num('Batch size b', 32, 1, 1024, true, true),
  presampleFactor: num('Presample factor B/b', 3, 1.01, 32, false, true),
  mode: choice('Importance mode', IMPORTANCE_MODES, 'auto', true),
  // The score table: it won at equal time in the long benchmarks (BENCHMARKS.md §6); the paper's presampling is one click away (preset "the paper's method").
  sampler: choice('Sampler', SAMPLER_KINDS, 'table', true),
  score: choice('Score', SCORE_KINDS, 'upperBound', true),
  tauThresholdMode: choice('τ threshold', TAU_THRESHOLD_MODES, 'costModel', true),
  tauThreshold: num('τ_th (fixed)', 1.5, 1, 100, false, true),
};

// … and those after them.
const FIELDS_AFTER_SAMPLERS = {
  seed: num('Seed', 1, 0, 2 ** 31 - 1, true, false),
  compare: flag('Compare with uniform', true, false),
  backend: choice('Backend', BACKEND_PREFERENCES, 'auto', false),
  evalInterval: num('Evaluation interval (steps)', 25, 1, 10000, true, true),
  blockSteps: num('Steps per block (one read each)', 8, 1, 64, true, true),
  evalSize: num('Evaluation subset size', 1000, 32, 10000, true, false),
  varianceLabInterval: num('Variance lab interval (steps, 0 = off)', 500, 0, 100000, true, true),
  trainWhenHidden: flag('Train while the page is hidden', false, true),
  // Live: raising the budget lets a finished race go on, lowering it finishes the race at the next block.
  budgetUnit: choice('Budget', BUDGET_UNITS, 'off', true),
  // From 0.01 (10 ms or 1 % of an epoch: about a block) to 100,000 (over a day, or epochs no page trains).
  budget: num('Budget amount', 60, 0.01, 100000, false, true),
};

const clashing = SAMPLER_SETTING_KEYS.filter((k) => Object.hasOwn(FIELDS_BEFORE_SAMPLERS, k) || Object.hasOwn(FIELDS_AFTER_SAMPLERS, k));
if (clashing.length) throw new Error(`sampler settings ${clashing.join(', ')} are named like settings of the page: give them names of their own`);

/** `live` fields apply from the next step; the others restart both runs. The samplers' own settings sit in the middle, in the order of samplers/metas.ts. */
export const SETTINGS_SCHEMA: SettingsSchema = { ...FIELDS_BEFORE_SAMPLERS, ...samplerFields(), ...FIELDS_AFTER_SAMPLERS };

export const SETTING_KEYS = Object.keys(SETTINGS_SCHEMA) as (keyof Settings)[];

export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = SETTINGS_SCHEMA[key].default;
  return out as unknown as Settings;
}

/** Describes what is wrong with one value, or null when it is acceptable. */
export function checkSettingValue<K extends keyof Settings>(key: K, value: unknown): string | null {
  if (!isSettingKey(key)) return unknownSettingsError([String(key)]);
  const field = SETTINGS_SCHEMA[key] as EnumField<string> | NumberField | BooleanField;
  switch (field.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? null : `${field.label} must be true or false`;
    case 'enum':
      return typeof value === 'string' && field.values.includes(value)
        ? null
        : `${field.label} must be one of ${field.values.join(', ')}`;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${field.label} must be a finite number`;
      if (field.integer && !Number.isInteger(value)) return `${field.label} must be a whole number`;
      if (value < field.min || value > field.max) return `${field.label} must be between ${field.min} and ${field.max}`;
      return null;
  }
}

/**
 * True for the schema's own keys only: `key in SETTINGS_SCHEMA` would also accept inherited
 * names (toString, constructor, __proto__), which are no settings.
 */
export function isSettingKey(key: PropertyKey): key is keyof Settings {
  return typeof key === 'string' && Object.hasOwn(SETTINGS_SCHEMA, key);
}

/** Unknown names a message names before counting the rest. */
const UNKNOWN_NAMED = 5;

/**
 * One error for the keys of a message that are no settings: at most five of them, each shortened
 * and escaped (quoteUntrusted), and a count of the rest. A key comes from whoever posted the
 * message, so it is never echoed in full (a 1 MB key came back verbatim).
 */
function unknownSettingsError(keys: readonly string[]): string {
  const named = keys.slice(0, UNKNOWN_NAMED).map((k) => quoteUntrusted(k)).join(', ');
  const more = keys.length > UNKNOWN_NAMED ? ` and ${(keys.length - UNKNOWN_NAMED).toLocaleString('en-US')} more` : '';
  return `unknown setting${keys.length > 1 ? 's' : ''} ${named}${more}`;
}

/** The error about the keys of `value` that are no settings, or null when there are none. */
function unknownKeysError(value: object): string | null {
  const unknown = Object.keys(value).filter((key) => !isSettingKey(key));
  return unknown.length ? unknownSettingsError(unknown) : null;
}

/** Every field's value, keys that are no settings, and cross-field rules that no single field can check. */
export function checkSettings(s: Settings): string[] {
  const errors: string[] = [];
  const unknown = unknownKeysError(s);
  if (unknown) errors.push(unknown);
  for (const key of SETTING_KEYS) {
    const e = checkSettingValue(key, s[key]);
    if (e) errors.push(e);
  }
  if (s.evalSize > 0 && s.trainCap > 0 && s.evalSize > s.trainCap) {
    errors.push(`Evaluation subset size (${s.evalSize}) must not exceed the training-set cap (${s.trainCap})`);
  }
  return errors;
}

/** Applies a partial change; returns the errors and leaves `base` untouched when any. */
export function applySettingsChange(base: Settings, change: Partial<Settings>): { settings: Settings; errors: string[] } {
  const unknown = unknownKeysError(change);
  if (unknown) return { settings: base, errors: [unknown] };
  const errors: string[] = [];
  const next = { ...base, ...change };
  errors.push(...checkSettings(next));
  return errors.length ? { settings: base, errors } : { settings: next, errors };
}

/**
 * The settings of `change` that restart both runs from step 0 when applied to `current`: those
 * whose value differs and whose field is not live. The engine decides a restart with it, once
 * (src/engine/page/engine.ts), and tells the page ('raceEnded'); the page does not guess.
 */
export function restartingKeys(current: Settings, change: Partial<Settings>): (keyof Settings)[] {
  return (Object.keys(change) as (keyof Settings)[]).filter((k) => isSettingKey(k) && !SETTINGS_SCHEMA[k].live && change[k] !== current[k]);
}
