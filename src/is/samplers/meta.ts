// What a sampler is to everyone but the trainer: its name, its label and explanation for the
// menu, its capabilities, its τ_th cost model and its own settings, in a tfjs-free file each
// sampler folder has (samplers/<name>/meta.ts). The page's bundle reads these (the settings
// schema, the URL, the controls, the overlay labels: src/contract/settings.ts), the worker's
// bundle too (validation, defaults, the trainer settings); the implementation is the folder's
// sampler.ts, which only the worker loads.

export interface ChoiceInfo {
  /** Short, for a menu. */
  readonly label: string;
  /** One paragraph for a reader who has not read the paper. */
  readonly description: string;
}

export interface SamplerCapabilities {
  /**
   * Scores a presample of B samples in an extra forward pass before each importance step:
   * needs B ≤ N, and that pass is a cost (the engine times it for the measured τ_th).
   */
  readonly scoresPresample: boolean;
  /** Keeps a score for every training sample, readable as ImportanceTrainer.scoreTable. */
  readonly keepsTable: boolean;
}

/** The sizes a sampler's τ_th cost model depends on. */
export interface SamplerSizes {
  /** b */
  readonly batchSize: number;
  /** B = presampleSize(settings) */
  readonly presampleSize: number;
}

/**
 * A numeric setting of one sampler (e.g. the score table's smoothing c). Its key is a setting
 * of its own everywhere: in TrainerSettings, the page's settings schema and the URL (so name it
 * after the sampler: `tableSmoothing`, not `smoothing`, unless the sampler came first).
 */
export interface SamplerSettingField {
  /** The control's label, e.g. 'Smoothing c (score table)'. */
  readonly label: string;
  /** A few words for a chart legend that names what differs, e.g. 'table c'. */
  readonly short: string;
  /** One sentence on what it does and when to change it (the control's tooltip). */
  readonly help: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly integer: boolean;
  /** Applies from the next block (true), or restarts both runs (false). */
  readonly live: boolean;
}

export interface SamplerMeta<Name extends string = string, Setting extends string = string> extends ChoiceInfo {
  readonly name: Name;
  readonly capabilities: SamplerCapabilities;
  /** The weight a drawn sample gets, as text for the UI, e.g. 'w = 1 / (B·p)'. */
  readonly weightFormula?: string;
  /** τ_th of the cost model (docs/method.md §3): the τ above which importance sampling pays. */
  tauThreshold(sizes: SamplerSizes): number;
  /** Place in the sampler menu, lowest first (none: after those that have one, by name). */
  readonly menuOrder?: number;
  /** The sampler's own settings, by key (none: {}). */
  readonly settings: { readonly [K in Setting]: SamplerSettingField };
}

/** A sampler's meta with its name and setting keys kept as literal types (for the settings types). Its folder's meta.ts exports one. */
export function defineSamplerMeta<const Name extends string, const Setting extends string = never>(
  meta: SamplerMeta<Name, Setting>,
): SamplerMeta<Name, Setting> {
  return meta;
}
