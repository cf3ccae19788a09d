// The settings that depend on the size of the training set, fitted to it once the dataset is
// prepared (issue 22 item 3). The schema checks each value against its range, and the link's
// cross-field checks compare evalSize with trainCap, but the training set's real size N is known
// only from the dataset and its perturbations (a cap above the dataset, a class kept at 1 %): a
// link can pass every check and still ask for an evaluation subset, a batch or a presample larger
// than N. Such a link trains on the nearest setting that fits, and a notice names each value
// changed, in the words of the link's own notices (src/ui/urlState.ts).
import { presampleSize, samplerInfo } from '../../is/catalogue';
import { SETTINGS_SCHEMA, type Settings } from '../../contract/settings';

export interface DataFit {
  /** The settings to train with: `s`, with the values that did not fit changed. */
  settings: Settings;
  /** The keys changed, in the order of the notices. */
  adjusted: (keyof Settings)[];
  /** One sentence per change, naming the setting, both values and the reason. */
  notices: string[];
}

const FACTOR = SETTINGS_SCHEMA.presampleFactor;

/** True when the importance run draws a presample of B: a sampler that scores one, outside uniform mode. */
export function presamples(s: Pick<Settings, 'sampler' | 'mode'>): boolean {
  return samplerInfo(s.sampler).capabilities.scoresPresample && s.mode !== 'uniform';
}

/**
 * `s` fitted to a training set of `n` samples: evalSize ≤ n; b ≤ n; and where the importance run
 * presamples, b < B ≤ n (B = round(presampleFactor·b)), keeping b as large as a factor within the
 * schema's range allows and the factor as close to the one asked for (to 0.01). Throws when n is
 * below the smallest evaluation subset the schema allows.
 */
export function fitSettingsToData(s: Settings, n: number): DataFit {
  const minEval = SETTINGS_SCHEMA.evalSize.min;
  if (n < minEval) {
    throw new Error(
      `The training set holds only ${n} samples with these settings, fewer than the smallest evaluation subset (${minEval}): ` +
        'raise trainCap or imbalanceFraction, or choose another dataset',
    );
  }
  const out: Settings = { ...s };
  const adjusted: (keyof Settings)[] = [];
  const notices: string[] = [];
  const change = <K extends 'evalSize' | 'batchSize' | 'presampleFactor'>(key: K, to: Settings[K], because: string): void => {
    if (to === s[key]) return;
    out[key] = to;
    adjusted.push(key);
    const how = to < s[key] ? 'lowered' : 'raised';
    notices.push(`Setting "${key}" (${SETTINGS_SCHEMA[key].label}): ${how} from ${s[key]} to ${to}, because ${because}.`);
  };

  if (s.evalSize > n) change('evalSize', n, `the training set holds ${n} samples with these settings (dataset, trainCap, imbalance)`);
  const sampler = `the ${s.sampler} sampler`;
  if (!presamples(s)) {
    if (s.batchSize > n) change('batchSize', n, `a batch cannot be larger than the ${n} training samples`);
    return { settings: out, adjusted, notices };
  }
  // The largest b below n for which some factor in the schema's range gives b < B ≤ n.
  for (let b = Math.min(s.batchSize, n - 1); b >= 1; b--) {
    const factor = nearestFactor(s.presampleFactor, b, n);
    if (factor === null) continue;
    change('batchSize', b, `${sampler} draws B > b of the ${n} training samples`);
    const asked = presampleSize({ batchSize: b, presampleFactor: s.presampleFactor });
    const why =
      asked <= b
        ? `B = round(${s.presampleFactor} × ${b}) = ${asked} must exceed b = ${b} for ${sampler} to choose among samples`
        : `B = round(${s.presampleFactor} × ${b}) = ${asked} may not exceed the ${n} training samples`;
    change('presampleFactor', factor, why);
    return { settings: out, adjusted, notices };
  }
  // Unreachable for n ≥ 2: b = 1 with B = 2 fits (factor 1.5).
  throw new Error(`No batch size fits a presample of the ${n} training samples: raise trainCap or imbalanceFraction`);
}

/**
 * The presample factor (two decimals, within the schema's range) nearest to `f` that gives
 * b < round(f·b) ≤ n: `f` itself when it does; null when none does.
 */
function nearestFactor(f: number, b: number, n: number): number | null {
  const B = (factor: number): number => presampleSize({ batchSize: b, presampleFactor: factor });
  const fits = (factor: number): boolean => factor >= FACTOR.min && factor <= FACTOR.max && B(factor) > b && B(factor) <= n;
  if (fits(f)) return f;
  const cents = (x: number): number => Math.round(x * 100) / 100;
  let candidate: number;
  if (B(f) <= b) {
    // The smallest: round(x) ≥ b + 1 from x = b + 0.5 on.
    candidate = Math.max(FACTOR.min, Math.ceil(((b + 0.5) / b) * 100) / 100);
    while (candidate <= FACTOR.max && B(candidate) <= b) candidate = cents(candidate + 0.01);
  } else {
    // The largest: round(x) ≤ n below x = n + 0.5.
    candidate = Math.min(FACTOR.max, Math.floor(((n + 0.5) / b) * 100) / 100);
    while (candidate >= FACTOR.min && B(candidate) > n) candidate = cents(candidate - 0.01);
  }
  return fits(candidate) ? candidate : null;
}
