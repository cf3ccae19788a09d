// The built-in samplers as both bundles see them: their metas (meta.ts of each folder, listed in
// metaList.ts), tfjs-free. Everything else follows from them: the names (catalogue.ts), each
// sampler's own settings with their types (TrainerSettings, the page's Settings), defaults,
// validation, the settings schema, the URL, the controls and the overlay labels. The
// implementations are listed in implementationList.ts, which only the worker loads; the
// compiler checks that the two lists agree (registry.ts).
import type { SamplerMeta, SamplerSettingField } from './meta';
import * as META_LIST from './metaList';

type Metas = (typeof META_LIST)[keyof typeof META_LIST];

/** Every built-in sampler's meta, in the order of the sampler menu (menuOrder, then name). */
export const SAMPLER_METAS: readonly Metas[] = Object.freeze(
  Object.values(META_LIST).sort((a, b) => (a.menuOrder ?? Infinity) - (b.menuOrder ?? Infinity) || a.name.localeCompare(b.name)),
);

export type BuiltinSamplerKind = Metas['name'];
type SettingKeyOf<M> = M extends SamplerMeta<string, infer Setting> ? Setting : never;
/** The keys of every built-in sampler's own settings (e.g. 'tableSmoothing'). */
export type SamplerSettingKey = SettingKeyOf<Metas>;
/** Every built-in sampler's own settings, as values: part of TrainerSettings and of the page's Settings. */
export type SamplerSettingValues = { [K in SamplerSettingKey]: number };

/** A sampler's setting with the sampler it belongs to. */
export interface OwnedSamplerSetting extends SamplerSettingField {
  readonly sampler: BuiltinSamplerKind;
}

function collectSettings(): Readonly<Record<SamplerSettingKey, OwnedSamplerSetting>> {
  const out: Record<string, OwnedSamplerSetting> = {};
  for (const meta of SAMPLER_METAS) {
    for (const [key, field] of Object.entries(meta.settings) as [string, SamplerSettingField][]) {
      const other = out[key]?.sampler;
      if (other) throw new Error(`sampler '${meta.name}' declares the setting '${key}', which sampler '${other}' declares too: give it a name of its own`);
      if (!(field.min <= field.default && field.default <= field.max)) {
        throw new Error(`sampler '${meta.name}': the default ${field.default} of '${key}' is outside its range [${field.min}, ${field.max}]`);
      }
      out[key] = Object.freeze({ ...field, sampler: meta.name });
    }
  }
  return Object.freeze(out) as Readonly<Record<SamplerSettingKey, OwnedSamplerSetting>>;
}

/** Every built-in sampler's own settings by key, in the order of the list above. */
export const SAMPLER_SETTINGS = collectSettings();
export const SAMPLER_SETTING_KEYS = Object.freeze(Object.keys(SAMPLER_SETTINGS) as SamplerSettingKey[]);

/** Each sampler setting at its default. */
export function samplerSettingDefaults(): SamplerSettingValues {
  return Object.fromEntries(SAMPLER_SETTING_KEYS.map((k) => [k, SAMPLER_SETTINGS[k].default])) as SamplerSettingValues;
}

/** Whether a value fits a sampler setting's range (and is whole where it must be). */
export function isSamplerSettingValue(key: SamplerSettingKey, value: unknown): value is number {
  const f = SAMPLER_SETTINGS[key];
  return typeof value === 'number' && Number.isFinite(value) && (!f.integer || Number.isInteger(value)) && value >= f.min && value <= f.max;
}
