// A sampler's own settings are declared once, in its folder's meta.ts (label, range, default,
// live or restart, help), and everything on their way derives from that declaration: the types,
// the page's schema and defaults, the library's defaults and validation, the URL, the trainer
// settings the engine builds, and the overlay's labels. Each built-in sampler setting is checked
// here against its meta, so a second copy of a range or default anywhere would show.
import { describe, expect, it } from 'vitest';
import { SETTINGS_SCHEMA, checkSettingValue, defaultSettings, restartingKeys } from '../../../src/contract/settings';
import { trainerSettingsFor } from '../../../src/engine/page/runSettings';
import { DEFAULT_SETTINGS, SAMPLER_METAS, SAMPLER_SETTINGS, SAMPLER_SETTING_KEYS, samplerInfo, validateSettings } from '../../../src/is';
import { settingsDiffLabel } from '../../../src/ui/history/overlay';
import { parseSettingsFromQuery, serializeSettings } from '../../../src/ui/urlState';

describe("the samplers' own settings", () => {
  it('are the settings each meta.ts declares, in the order of the sampler list', () => {
    const declared = SAMPLER_METAS.flatMap((m) => Object.keys(m.settings));
    expect(SAMPLER_SETTING_KEYS).toEqual(declared);
    expect(SAMPLER_SETTING_KEYS).toEqual(['smoothing', 'tableSmoothing', 'rankPressure', 'rankCorrection', 'pruneRatio', 'pruneFullFrom']);
    expect(SAMPLER_SETTINGS.rankPressure.sampler).toBe('online-batch');
    expect(SAMPLER_SETTINGS.pruneRatio.sampler).toBe('infobatch');
    expect(SAMPLER_SETTINGS.tableSmoothing.sampler).toBe('table');
    expect(samplerInfo('table').settings).toHaveProperty('tableSmoothing');
  });

  it.each(SAMPLER_SETTING_KEYS)('%s: schema, defaults and validation follow its meta', (key) => {
    const meta = SAMPLER_SETTINGS[key];
    expect(SETTINGS_SCHEMA[key]).toMatchObject({ kind: 'number', label: meta.label, default: meta.default, min: meta.min, max: meta.max, live: meta.live, help: meta.help, short: meta.short });
    expect(defaultSettings()[key]).toBe(meta.default);
    expect(DEFAULT_SETTINGS[key]).toBe(meta.default);
    expect(checkSettingValue(key, meta.max)).toBeNull();
    expect(checkSettingValue(key, meta.max + 1)).toBe(`${meta.label} must be between ${meta.min} and ${meta.max}`);
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, [key]: meta.max }, 1000)).not.toThrow();
    expect(() => validateSettings({ ...DEFAULT_SETTINGS, [key]: meta.min - 1 }, 1000)).toThrow(new RegExp(`^${key} must be a`));
    expect(restartingKeys(defaultSettings(), { [key]: meta.max })).toEqual(meta.live ? [] : [key]);
  });

  it.each(SAMPLER_SETTING_KEYS)('%s: round-trips through the URL, reaches the trainer settings and names a difference', (key) => {
    const meta = SAMPLER_SETTINGS[key];
    // A value inside the range that the overlay's label (3 significant digits) writes exactly.
    const value = Number(((meta.min + meta.max) / 4).toPrecision(2));
    const settings = { ...defaultSettings(), [key]: value };
    const parsed = parseSettingsFromQuery(serializeSettings(settings));
    expect(parsed.notices).toEqual([]);
    expect(parsed.settings[key]).toBe(value);
    expect(parseSettingsFromQuery(`?${key}=${meta.max * 2}`).notices.join(' ')).toContain(key);
    expect(trainerSettingsFor(settings, 'importance', null)[key]).toBe(value);
    expect(settingsDiffLabel(defaultSettings(), settings)).toBe(`${meta.short} ${value}`);
  });
});
