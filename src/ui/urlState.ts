// Settings ⇄ URL query string. The keys are the setting names of SETTINGS_SCHEMA, in the
// schema's order; values are plain text (numbers in JavaScript's shortest round-trip form,
// booleans as true/false). Anything the URL says that the schema does not accept falls back
// to the default, with a notice that names the key. Notices are plain strings: the UI renders
// them as text, never as HTML, and user text in them is quoted with hidden characters escaped.
import {
  SETTINGS_SCHEMA,
  SETTING_KEYS,
  checkSettingValue,
  checkSettings,
  defaultSettings,
  isSettingKey,
  type Settings,
} from '../contract/settings';
import { quoteUserText } from './noticeText';

export interface ParsedUrlSettings {
  settings: Settings;
  /** One sentence per ignored value, naming its key. Empty when the URL was clean. */
  notices: string[];
}

/** Longest piece of a user-supplied key or value quoted back in a notice. */
const QUOTE_LIMIT = 40;
/**
 * Longest value accepted for a setting. The app writes at most about 25 characters (a float
 * in shortest round-trip form); anything longer is refused before it is parsed.
 */
export const MAX_VALUE_LENGTH = 64;
/** Most notices one link produces; the last one then counts the rest. */
export const MAX_NOTICES = 12;
/** Most unknown keys named in the notice about them; the rest are counted. */
const MAX_UNKNOWN_NAMED = 5;

/**
 * Quotes a URL-supplied string for a notice: shortened, quotes and backslashes escaped, and
 * hidden characters (controls, Unicode format characters) written as escapes, so the notice
 * shows what the link holds (noticeText.ts). Keys are settings' names, all ASCII: any other
 * character in an unknown key is escaped too, so look-alike letters cannot spell a setting.
 */
export function quoteForNotice(raw: string, { key = false }: { key?: boolean } = {}): string {
  return quoteUserText(raw, { limit: QUOTE_LIMIT, asciiOnly: key });
}

// Decimal notation only. Each alternative fixes where the digits go (digits, then optionally a
// dot and digits; or a dot and digits), so a failed match backtracks over no digit run twice:
// linear in the length, unlike `\d+\.?\d*`, where a long digit run can split in n ways.
const NUMBER_TEXT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

/** Parses one URL value for `key`; returns the typed value or undefined when it is not one. */
function parseValue(key: keyof Settings, raw: string): unknown {
  const field = SETTINGS_SCHEMA[key];
  const text = raw.trim();
  switch (field.kind) {
    case 'boolean': {
      const t = text.toLowerCase();
      if (t === 'true' || t === '1' || t === 'on' || t === 'yes') return true;
      if (t === 'false' || t === '0' || t === 'off' || t === 'no') return false;
      return undefined;
    }
    case 'number':
      // Number('') is 0 and Number('0x10') is 16: accept decimal notation only.
      return NUMBER_TEXT.test(text) ? Number(text) : undefined;
    case 'enum':
      return text;
  }
}

/**
 * Reads settings from a query string (with or without the leading '?'). Never throws:
 * every problem becomes a notice and the default for that key. At most MAX_NOTICES notices.
 */
export function parseSettingsFromQuery(query: string): ParsedUrlSettings {
  const settings = defaultSettings();
  const notices: string[] = [];
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  } catch {
    return { settings, notices: ['The link could not be read; using the default settings.'] };
  }
  const unknownKeys: string[] = [];
  let unknownCount = 0;
  /** How often each key appeared; repeats get one notice per key. */
  const seen = new Map<keyof Settings, number>();
  const fromUrl = new Set<keyof Settings>();
  const writable = settings as unknown as Record<keyof Settings, unknown>;

  for (const [key, raw] of params) {
    if (!isSettingKey(key)) {
      unknownCount++;
      if (unknownKeys.length < MAX_UNKNOWN_NAMED) unknownKeys.push(quoteForNotice(key, { key: true }));
      continue;
    }
    const times = (seen.get(key) ?? 0) + 1;
    seen.set(key, times);
    if (times > 1) continue;
    const field = SETTINGS_SCHEMA[key];
    if (raw.length > MAX_VALUE_LENGTH) {
      notices.push(
        `Setting "${key}" (${field.label}): ignored a value ${raw.length} characters long because it is too long ` +
          `(at most ${MAX_VALUE_LENGTH}); using the default ${formatValue(field.default)}.`,
      );
      continue;
    }
    const value = parseValue(key, raw);
    const problem = value === undefined ? 'it is not a valid value' : checkSettingValue(key, value);
    if (problem !== null) {
      notices.push(
        `Setting "${key}" (${field.label}): ignored ${quoteForNotice(raw)} because ${lowerFirst(problem)}; ` +
          `using the default ${formatValue(field.default)}.`,
      );
      continue;
    }
    writable[key] = value;
    fromUrl.add(key);
  }
  for (const [key, times] of seen) {
    if (times > 1) notices.push(`Setting "${key}" appears ${times} times in the link; the first value is used.`);
  }
  if (unknownCount > 0) {
    const more = unknownCount - unknownKeys.length;
    const names = unknownKeys.join(', ') + (more > 0 ? ` and ${more} more` : '');
    // First: a mistyped key is the likeliest reason a link does not do what its sender meant.
    notices.unshift(`Ignored unknown setting${unknownCount > 1 ? 's' : ''} ${names} in the link.`);
  }

  // Cross-field rule: the evaluation subset is drawn from the training set, so it cannot be
  // larger than the training cap. A subset above the cap is lowered to the cap when the cap
  // allows a subset at all; otherwise the link's values for the keys involved fall back to
  // their defaults, one key at a time.
  const evalField = SETTINGS_SCHEMA.evalSize;
  if (settings.trainCap > 0 && settings.evalSize > settings.trainCap && settings.trainCap >= evalField.min) {
    notices.push(
      `Setting "evalSize" (${evalField.label}): lowered from ${settings.evalSize} to the training-set cap ` +
        `${settings.trainCap}, because the evaluation subset is drawn from the training set.`,
    );
    settings.evalSize = settings.trainCap;
  }
  let crossErrors = checkSettings(settings);
  if (crossErrors.length > 0) {
    for (const key of ['evalSize', 'trainCap'] as const) {
      if (!fromUrl.has(key)) continue;
      writable[key] = SETTINGS_SCHEMA[key].default;
      notices.push(
        `Setting "${key}" (${SETTINGS_SCHEMA[key].label}) conflicts with another setting (${crossErrors.join(
          '; ',
        )}); using the default ${formatValue(SETTINGS_SCHEMA[key].default)}.`,
      );
      crossErrors = checkSettings(settings);
      if (crossErrors.length === 0) break;
    }
    if (crossErrors.length > 0) {
      notices.push(`The link's settings do not fit together (${crossErrors.join('; ')}); using the defaults.`);
      return { settings: defaultSettings(), notices: capNotices(notices) };
    }
  }
  return { settings, notices: capNotices(notices) };
}

/** The first MAX_NOTICES - 1 notices and a count of the rest, when there are more than MAX_NOTICES. */
function capNotices(notices: string[]): string[] {
  if (notices.length <= MAX_NOTICES) return notices;
  const shown = notices.slice(0, MAX_NOTICES - 1);
  shown.push(`…and ${notices.length - shown.length} more notices about the link.`);
  return shown;
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0].toLowerCase() + s.slice(1) : s;
}

function formatValue(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

export interface SerializeOptions {
  /** Write only values that differ from the defaults (shorter links). Default false. */
  onlyNonDefaults?: boolean;
}

/**
 * Writes settings as a query string without the leading '?', keys in the schema's order.
 * By default every setting is written, so a link keeps reproducing its experiment even if
 * a later version changes a default.
 */
export function serializeSettings(settings: Settings, options: SerializeOptions = {}): string {
  const params = new URLSearchParams();
  for (const key of SETTING_KEYS) {
    const value = settings[key];
    if (options.onlyNonDefaults && value === SETTINGS_SCHEMA[key].default) continue;
    params.set(key, String(value));
  }
  return params.toString();
}

/** The page URL with `settings` as its query string (hash and path kept). */
export function urlWithSettings(href: string, settings: Settings, options?: SerializeOptions): string {
  const url = new URL(href);
  url.search = serializeSettings(settings, options);
  return url.toString();
}
