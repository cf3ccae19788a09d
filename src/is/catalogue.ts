// The library's named choices: importance modes, scores, optimizers and samplers, each with
// the label and the explanation the UI shows. The name lists and the name types
// (ImportanceMode, ScoreKind, OptimizerName, SamplerKind) are derived from the tables here.
//
// No tfjs in this module (only tau.ts, which is plain arithmetic, and the samplers' metas), so
// the settings schema and the UI may import it. The samplers are described by their folders'
// meta.ts (samplers/metas.ts lists them); their implementations are looked up by the same names
// (samplers/registry.ts; the compiler checks every built-in name has one).
//
// Samplers are open: registerSampler (samplers/registry.ts) adds one at runtime, and its name
// joins SAMPLER_KINDS, the same array every consumer holds, so validation, the settings
// schema and the sampler menu accept it at once.
import type { ChoiceInfo, SamplerCapabilities, SamplerMeta, SamplerSizes } from './samplers/meta';
import { SAMPLER_METAS, type BuiltinSamplerKind } from './samplers/metas';
import { tauThresholdFor } from './tau';

export type { ChoiceInfo, SamplerCapabilities, SamplerSizes } from './samplers/meta';
export type { BuiltinSamplerKind } from './samplers/metas';

export interface ModeInfo extends ChoiceInfo {
  /** A few words under the label of the mode toggle. */
  readonly hint: string;
}

// ---- importance modes (docs/method.md §4) -------------------------------------------------

// The order here is the order of the mode toggle.
const MODES = {
  uniform: {
    label: 'Uniform',
    hint: 'plain minibatches',
    description: 'Every step trains on b samples drawn uniformly at random. τ is still computed from their scores.',
  },
  importance: {
    label: 'Importance',
    hint: 'always on',
    description: 'Every step draws its batch with the chosen sampler, by score, and reweights it so that the gradient stays unbiased.',
  },
  auto: {
    label: 'Auto',
    hint: 'on when τ > τ_th',
    description:
      'Algorithm 1 of the paper: train uniformly while tracking a moving average of τ, and sample by importance ' +
      'whenever that average exceeds τ_th, the point where the gain pays for the cost of scoring.',
  },
} as const satisfies Record<string, ModeInfo>;

export type ImportanceMode = keyof typeof MODES;
export const MODE_INFO: Readonly<Record<ImportanceMode, ModeInfo>> = MODES;
export const IMPORTANCE_MODES: readonly ImportanceMode[] = Object.freeze(Object.keys(MODES) as ImportanceMode[]);

// ---- scores (docs/method.md §1) -----------------------------------------------------------

const SCORES = {
  upperBound: {
    label: 'Upper bound ‖softmax − y‖',
    description:
      '‖softmax(z) − y‖, the gradient norm of the loss with respect to the logits: the paper’s upper bound of a ' +
      'sample’s gradient norm, up to a factor shared by all samples. Any forward pass gives it for free.',
  },
  loss: {
    label: 'Loss',
    description: 'The sample’s own cross-entropy loss: high for samples the model gets wrong.',
  },
  gnorm: {
    label: 'Exact gradient norm (slow)',
    description:
      'The norm of the sample’s full gradient over all weights, the ideal score: one backward pass per sample, ' +
      'for comparisons rather than speed.',
  },
} as const satisfies Record<string, ChoiceInfo>;

export type ScoreKind = keyof typeof SCORES;
export const SCORE_INFO: Readonly<Record<ScoreKind, ChoiceInfo>> = SCORES;
export const SCORE_KINDS: readonly ScoreKind[] = Object.freeze(Object.keys(SCORES) as ScoreKind[]);

// ---- optimizers ---------------------------------------------------------------------------

const OPTIMIZER_TABLE = {
  sgd: { label: 'SGD', description: 'Stochastic gradient descent with heavy-ball momentum; momentum 0 is plain SGD.' },
  adam: { label: 'Adam', description: 'Adam, with its default moment decay rates.' },
} as const satisfies Record<string, ChoiceInfo>;

export type OptimizerName = keyof typeof OPTIMIZER_TABLE;
export const OPTIMIZER_INFO: Readonly<Record<OptimizerName, ChoiceInfo>> = OPTIMIZER_TABLE;
export const OPTIMIZERS: readonly OptimizerName[] = Object.freeze(Object.keys(OPTIMIZER_TABLE) as OptimizerName[]);

// ---- samplers (docs/method.md §2, §5) -----------------------------------------------------

/** A sampler as the catalogue holds it: its meta (samplers/meta.ts) under a SamplerKind name. */
export type SamplerInfo = SamplerMeta<SamplerKind>;

/**
 * Names of samplers registered at runtime, for the type checker. A program that registers
 * one declares its name here, so that settings typed SamplerKind accept it:
 *
 *     declare module '<path to>/is/catalogue' {
 *       interface CustomSamplerNames { 'first-b': true }
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface CustomSamplerNames {}

export type SamplerKind = BuiltinSamplerKind | Extract<keyof CustomSamplerNames, string>;

const samplerInfos = new Map<string, SamplerInfo>();
const samplerNames: SamplerKind[] = [];

/**
 * Every sampler name, built-in ones first, then registered ones in registration order. Live:
 * this same array grows when a sampler is registered, so a list that holds it (the settings
 * schema's sampler choices) offers the new sampler too.
 */
export const SAMPLER_KINDS: readonly SamplerKind[] = samplerNames;

/**
 * Adds a sampler's description under its name. Use registerSampler (src/is), which also
 * registers the implementation; this half exists so the tfjs-free catalogue holds the names.
 */
export function registerSamplerInfo(info: SamplerInfo): void {
  const { name } = info;
  if (typeof name !== 'string' || !/^[A-Za-z][\w-]*$/.test(name)) {
    throw new Error(`sampler name ${JSON.stringify(name)} is not valid: use letters, digits, '-' and '_', starting with a letter`);
  }
  if (samplerInfos.has(name)) {
    throw new Error(`a sampler named '${name}' is already registered: register yours under another name`);
  }
  for (const key of ['label', 'description'] as const) {
    if (typeof info[key] !== 'string' || info[key].trim() === '') {
      throw new Error(`sampler '${name}' has no ${key}: give it a ${key} for the sampler menu`);
    }
  }
  samplerInfos.set(name, Object.freeze({ ...info, capabilities: Object.freeze({ ...info.capabilities }), settings: Object.freeze({ ...info.settings }) }));
  samplerNames.push(name);
}

for (const meta of SAMPLER_METAS) registerSamplerInfo(meta);

export function isSamplerKind(name: unknown): name is SamplerKind {
  return typeof name === 'string' && samplerInfos.has(name);
}

/** The description of a registered sampler, or undefined. */
export function findSamplerInfo(name: string): SamplerInfo | undefined {
  return samplerInfos.get(name);
}

/** The description of a registered sampler; throws, naming the choices, for any other name. */
export function samplerInfo(name: string): SamplerInfo {
  const info = samplerInfos.get(name);
  if (!info) {
    throw new Error(`no sampler named '${name}': set sampler to one of ${samplerNames.map((n) => `'${n}'`).join(', ')}`);
  }
  return info;
}

/**
 * The default cost model for a registered sampler that brings none: an extra scoring pass
 * over B costs about B/3 training samples (τ_th = (B + 3b) / 3b); without one, τ_th = 1.
 */
export function defaultTauThreshold(capabilities: SamplerCapabilities, sizes: SamplerSizes): number {
  return capabilities.scoresPresample ? tauThresholdFor(sizes.presampleSize, sizes.batchSize) : 1;
}

// ---- sizes derived from the settings --------------------------------------------------------

/** B = round(presampleFactor · b) (docs/method.md §2). */
export function presampleSize(settings: { readonly batchSize: number; readonly presampleFactor: number }): number {
  return Math.round(settings.presampleFactor * settings.batchSize);
}

/** τ_th of the sampler's cost model for these settings (docs/method.md §3). */
export function costModelTauThreshold(
  sampler: string,
  settings: { readonly batchSize: number; readonly presampleFactor: number },
): number {
  return samplerInfo(sampler).tauThreshold({ batchSize: settings.batchSize, presampleSize: presampleSize(settings) });
}

// ---- lookups by setting name, for menus -----------------------------------------------------

const FIXED_CHOICES: Readonly<Record<string, Readonly<Record<string, ChoiceInfo>> | undefined>> = {
  mode: MODE_INFO,
  score: SCORE_INFO,
  optimizer: OPTIMIZER_INFO,
};

/** Label and description of one value of the mode, sampler, score or optimizer setting; else undefined. */
export function describeChoice(setting: string, value: string): ChoiceInfo | undefined {
  if (setting === 'sampler') return findSamplerInfo(value);
  const table = FIXED_CHOICES[setting];
  return table && Object.hasOwn(table, value) ? table[value] : undefined;
}
