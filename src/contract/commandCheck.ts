// The shape check of a message arriving at the worker (the worker shell runs it on every
// message): anything a page (or a script on it) posts is `unknown` until this says it is an
// EngineCommand. It checks only the envelope
// (an object, a known type, the right field types); the settings' values are the engine's
// to check (settings.ts), so every error about a value names the setting.
import { checkHandsOnCommand } from './handsOnCheck';
import type { EngineCommand } from './protocol';
import type { Settings } from './settings';
import { quoteUntrusted } from './untrustedText';

const COMMAND_TYPES = ['init', 'start', 'pause', 'step', 'reset', 'update', 'visibility', 'probe', 'watchWeights', 'exportModel'] as const;
type CommandType = (typeof COMMAND_TYPES)[number];

/** How a value looks, for an error message: "null", "an array", "a number", … */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCommandType(v: unknown): v is CommandType {
  return typeof v === 'string' && (COMMAND_TYPES as readonly string[]).includes(v);
}


/**
 * Returns `value` as an EngineCommand (a fresh object holding only the command's own fields),
 * or a sentence saying what is wrong with it.
 */
export function checkCommand(value: unknown): EngineCommand | string {
  if (!isPlainObject(value)) return `a command must be an object with a "type", got ${describeValue(value)}`;
  const type = value.type;
  if (!isCommandType(type)) {
    const expected = `"type" must be one of ${COMMAND_TYPES.join(', ')}`;
    return typeof type === 'string' ? `unknown command type ${quoteUntrusted(type)}: ${expected}` : `${expected}, got ${describeValue(type)}`;
  }
  switch (type) {
    case 'init': {
      const { settings, dataBaseUrl } = value;
      if (!isPlainObject(settings)) return `init: "settings" must be an object, got ${describeValue(settings)}`;
      if (dataBaseUrl !== undefined && typeof dataBaseUrl !== 'string') {
        return `init: "dataBaseUrl" must be a string when given, got ${describeValue(dataBaseUrl)}`;
      }
      // Only known to be an object here: the engine checks every key and value (checkSettings)
      // before using them, and names each one that is wrong.
      const command: Extract<EngineCommand, { type: 'init' }> = { type, settings: settings as unknown as Settings };
      return dataBaseUrl === undefined ? command : { ...command, dataBaseUrl };
    }
    case 'update': {
      const { change } = value;
      if (!isPlainObject(change)) return `update: "change" must be an object, got ${describeValue(change)}`;
      // Its keys and values are checked by the engine (applySettingsChange), as for init.
      return { type, change: change as Partial<Settings> };
    }
    case 'visibility': {
      const { hidden } = value;
      if (typeof hidden !== 'boolean') return `visibility: "hidden" must be true or false, got ${describeValue(hidden)}`;
      return { type, hidden };
    }
    case 'probe':
    case 'watchWeights':
    case 'exportModel':
      return checkHandsOnCommand(type, value);
    default:
      return { type };
  }
}
