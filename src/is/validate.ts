// Checks that say what is wrong and which value to change.
import * as tf from '@tensorflow/tfjs';
import { IMPORTANCE_MODES, OPTIMIZERS, SAMPLER_KINDS, SCORE_KINDS, presampleSize, samplerInfo } from './catalogue';
import { SAMPLER_SETTINGS, SAMPLER_SETTING_KEYS, isSamplerSettingValue } from './samplers/metas';
import type { TrainerSettings } from './types';

// The catalogue's lists; SAMPLER_KINDS is live, so a registered sampler is valid at once.
const CHOICES: { [K in 'mode' | 'sampler' | 'score' | 'optimizer']: readonly TrainerSettings[K][] } = {
  mode: IMPORTANCE_MODES,
  sampler: SAMPLER_KINDS,
  score: SCORE_KINDS,
  optimizer: OPTIMIZERS,
};

const KNOWN_KEYS: readonly (keyof TrainerSettings)[] = [
  'mode', 'sampler', 'score', 'batchSize', 'presampleFactor', 'learningRate', 'optimizer',
  'momentum', 'tauThreshold', 'tauMomentum', ...SAMPLER_SETTING_KEYS,
];

const fmt = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

/** Throws on keys that are not settings (e.g. a typo in a URL or a plain-JS caller). */
export function checkSettingKeys(partial: object): void {
  for (const key of Object.keys(partial)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      throw new Error(`unknown setting '${key}': the settings are ${KNOWN_KEYS.join(', ')}`);
    }
  }
}

/** Throws an Error naming the bad value and what to set instead. `n` is the training-set size. */
export function validateSettings(s: TrainerSettings, n: number): void {
  for (const key of Object.keys(CHOICES) as (keyof typeof CHOICES)[]) {
    const allowed: readonly string[] = CHOICES[key];
    if (!allowed.includes(s[key])) {
      throw new Error(`${key} ${fmt(s[key])} is not valid: set ${key} to one of ${allowed.map(fmt).join(', ')}`);
    }
  }
  const b = s.batchSize;
  if (!Number.isInteger(b) || b < 1) {
    throw new Error(`batchSize must be a positive integer, got ${fmt(b)}: set batchSize to e.g. 32`);
  }
  if (b > n) {
    throw new Error(`batchSize ${b} exceeds the N = ${n} training samples: set batchSize to at most ${n}`);
  }
  const f = s.presampleFactor;
  if (typeof f !== 'number' || !Number.isFinite(f)) {
    throw new Error(`presampleFactor must be a finite number above 1, got ${fmt(f)}: set presampleFactor to e.g. 3`);
  }
  const B = presampleSize(s);
  // B matters only where something presamples: uniform mode and a sampler that scores no
  // presample (the score table) never draw B samples, so B ≤ b is no error there.
  const presamples = samplerInfo(s.sampler).capabilities.scoresPresample && s.mode !== 'uniform';
  if (presamples && B <= b) {
    const gives = B === b ? `B = b = ${b}` : `B = ${B} < b = ${b}`;
    throw new Error(
      `presampleFactor ${f} gives ${gives}; B must exceed b: set presampleFactor above 1 ` +
        `(at least ${+((b + 1) / b).toFixed(4)} for batchSize ${b})`,
    );
  }
  if (presamples && B > n) {
    throw new Error(
      `presampleFactor ${f} with batchSize ${b} gives B = ${B}, more than the N = ${n} training samples: ` +
        `set presampleFactor to at most ${Math.floor((n / b) * 100) / 100} or lower batchSize`,
    );
  }
  const lr = s.learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`learningRate must be a positive finite number, got ${fmt(lr)}: set learningRate to e.g. 0.001`);
  }
  for (const key of ['momentum', 'tauMomentum'] as const) {
    const m = s[key];
    if (typeof m !== 'number' || !Number.isFinite(m) || m < 0 || m >= 1) {
      throw new Error(`${key} must be in [0, 1), got ${fmt(m)}: set ${key} to e.g. 0.9`);
    }
  }
  // Each sampler's own settings, against the ranges its meta.ts gives them.
  for (const key of SAMPLER_SETTING_KEYS) {
    if (isSamplerSettingValue(key, s[key])) continue;
    const f = SAMPLER_SETTINGS[key];
    throw new Error(
      `${key} must be a ${f.integer ? 'whole' : 'finite'} number in [${f.min}, ${f.max}], got ${fmt(s[key])}: ` +
        `set ${key} to e.g. ${f.default} (the ${f.sampler} sampler's ${f.label})`,
    );
  }
  const t = s.tauThreshold;
  if (t !== null && (typeof t !== 'number' || !Number.isFinite(t) || t <= 0)) {
    throw new Error(
      `tauThreshold must be a positive finite number or null (the cost model (B + 3b)/(3b)), got ${fmt(t)}: ` +
        `set tauThreshold to null or e.g. 1.5`,
    );
  }
}

/** Shape checks of training tensors: x [N, ...], one-hot y [N, C]. */
export function validateTrainingData(x: tf.Tensor, y: tf.Tensor, classes?: number): void {
  if (x.rank < 1 || x.shape[0] < 1) {
    throw new Error(`x has shape [${x.shape.join(', ')}]: expected [N, ...] with at least one sample`);
  }
  const n = x.shape[0];
  const expected = classes != null ? `[${n}, ${classes}]` : `[${n}, C]`;
  if (y.rank !== 2) {
    throw new Error(
      `y has shape [${y.shape.join(', ')}]: the trainer expects one-hot labels of shape ${expected}; ` +
        `one-hot encode them (tf.oneHot) or pass integer labels [N] to fitImportance`,
    );
  }
  if (y.shape[0] !== n) {
    throw new Error(`y has ${y.shape[0]} rows but x has ${n} samples: pass one label per sample of x`);
  }
  if (y.shape[1] === 1) {
    throw new Error(
      `y has shape [${y.shape.join(', ')}], a column of labels: pass one-hot labels of shape ${expected}, ` +
        `or integer labels [N] (y.reshape([-1])) to fitImportance`,
    );
  }
  if (classes != null && y.shape[1] !== classes) {
    throw new Error(
      `y has shape [${y.shape.join(', ')}] but the model outputs ${classes} logits: ` +
        `pass one-hot labels of shape ${expected}`,
    );
  }
}

/**
 * Value checks of labels, one small read: integer labels [N] must be integers in [0, C);
 * one-hot (or soft) labels [N, C] must lie in [0, 1] with rows summing to 1.
 */
export async function validateLabelValues(y: tf.Tensor, classes: number): Promise<void> {
  if (y.rank === 1) {
    const stats = tf.tidy(() => {
      const v = tf.cast(y, 'float32');
      return tf.stack([tf.min(v), tf.max(v), tf.max(tf.abs(tf.sub(v, tf.round(v))))]);
    });
    const [min, max, frac] = await stats.data();
    stats.dispose();
    if (!(min >= 0) || !(max < classes) || frac !== 0) {
      throw new Error(
        `integer labels must be whole numbers in [0, ${classes - 1}] for a model with ${classes} logits; ` +
          `found values from ${min} to ${max}: fix the labels or the model's output size`,
      );
    }
    return;
  }
  const stats = tf.tidy(() => {
    const v = tf.cast(y, 'float32');
    const rows = tf.sum(v, 1);
    return tf.stack([tf.min(v), tf.max(v), tf.max(tf.abs(tf.sub(rows, 1)))]);
  });
  const [min, max, rowError] = await stats.data();
  stats.dispose();
  if (!(min >= 0) || !(max <= 1) || !(rowError < 1e-3)) {
    throw new Error(
      `one-hot labels must lie in [0, 1] with each row summing to 1; found values from ${min} to ${max} ` +
        `and a row sum off by ${rowError}: pass tf.oneHot(labels, ${classes}) or integer labels [N]`,
    );
  }
}
