// Commands that reach the worker are checked before the engine sees them: anything that is
// not a well-formed EngineCommand becomes a clear 'error' event, never a TypeError. Settings
// keys are the schema's own keys only: inherited names (toString, constructor, __proto__)
// are unknown settings, in an update and in init.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkCommand } from '../../../src/contract/commandCheck';
import type { EngineEvent } from '../../../src/contract/protocol';
import { applySettingsChange, checkSettings, defaultSettings, restartingKeys, type Settings } from '../../../src/contract/settings';
import { harness, tinySettings, type Harness } from '../../support/engineHarness';

describe('settings keys are own keys of the schema', () => {
  const inherited = ['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'];

  it.each(inherited)('update {%s: …} is refused and restarts nothing', (key) => {
    // A literal { __proto__: … } would set the prototype; define an own key as a message would carry it.
    const change = Object.defineProperty({}, key, { value: 'x', enumerable: true }) as Partial<Settings>;
    const base = defaultSettings();
    const { settings, errors } = applySettingsChange(base, change);
    expect(errors).toEqual([`unknown setting "${key}"`]);
    expect(settings).toBe(base);
    expect(restartingKeys(base, change)).toEqual([]);
  });

  it('checkSettings reports keys that are not settings, and missing ones', () => {
    const extra = { ...defaultSettings(), toString: 'x', nonsense: 1 } as unknown as Settings;
    expect(checkSettings(extra)).toEqual(['unknown settings "toString", "nonsense"']);
    const missing: Partial<Settings> = { ...defaultSettings() };
    delete missing.seed;
    expect(checkSettings(missing as Settings)).toEqual(['Seed must be a finite number']);
    expect(checkSettings(defaultSettings())).toEqual([]);
  });
});

describe('the engine refuses inherited setting names', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.engine.dispose();
    h = null;
  });

  it('init with an extra key is refused; update {toString} restarts neither run', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: { ...tinySettings(), toString: 'x' } as unknown as Settings });
    expect(h.of('error').map((e) => e.message)).toEqual(['Invalid settings: unknown setting "toString"']);
    expect(h.status().state).toBe('idle');

    h.clear();
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await h.engine.handle({ type: 'step' });
    h.clear();
    await h.engine.handle({ type: 'update', change: { toString: 'x' } as unknown as Partial<Settings> });
    expect(h.of('error').map((e) => e.message)).toEqual(['Invalid settings: unknown setting "toString"']);
    expect(h.of('notice')).toEqual([]); // no "Restarted both runs"
    expect(h.status().runs.importance?.step).toBe(1);
  });
});

describe('setting names a message echoes are shortened and escaped', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.engine.dispose();
    h = null;
  });

  it('a 1 MB unknown key comes back as its first 40 characters and its length, not verbatim', () => {
    const key = 'k'.repeat(2 ** 20);
    const change = { [key]: 1 } as unknown as Partial<Settings>;
    const { errors } = applySettingsChange(defaultSettings(), change);
    expect(errors).toEqual([`unknown setting "${'k'.repeat(40)}…" (1,048,576 characters)`]);
    expect(checkSettings({ ...defaultSettings(), [key]: 1 } as unknown as Settings)).toEqual(errors);
  });

  it('control, format and non-ASCII characters of a name are written as escapes', () => {
    // A right-to-left override, a NUL, a zero-width space and a Cyrillic "ѕ" that looks like "s".
    const key = 'se\u202Eed\u0000\u200B\u0455"\\';
    const { errors } = applySettingsChange(defaultSettings(), { [key]: 1 } as unknown as Partial<Settings>);
    expect(errors).toEqual(['unknown setting "se\\u202eed\\u0000\\u200b\\u0455\\"\\\\"']);
    expect(errors[0]).toMatch(/^[\x20-\x7e]*$/);
  });

  it('thousands of unknown keys are named five at a time, with a count of the rest', () => {
    const change = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x${i}`, i])) as unknown as Partial<Settings>;
    const { errors } = applySettingsChange(defaultSettings(), change);
    expect(errors).toEqual(['unknown settings "x0", "x1", "x2", "x3", "x4" and 9,995 more']);
  });

  it('the engine refuses them in init and update with the short message', async () => {
    h = harness();
    const key = `${'a'.repeat(2 ** 20)}\u202E`;
    await h.engine.handle({ type: 'init', settings: { ...tinySettings(), [key]: 'x' } as unknown as Settings });
    await h.engine.handle({ type: 'update', change: { [key]: 'x' } as unknown as Partial<Settings> });
    const messages = h.of('error').map((e) => e.message);
    expect(messages).toEqual([
      `Invalid settings: unknown setting "${'a'.repeat(40)}…" (1,048,577 characters)`,
      `Invalid settings: unknown setting "${'a'.repeat(40)}…" (1,048,577 characters)`,
    ]);
  });
});

describe('checkCommand', () => {
  const settings = defaultSettings();

  it('passes well-formed commands through', () => {
    for (const type of ['start', 'pause', 'step', 'reset'] as const) expect(checkCommand({ type })).toEqual({ type });
    expect(checkCommand({ type: 'init', settings })).toEqual({ type: 'init', settings });
    expect(checkCommand({ type: 'init', settings, dataBaseUrl: 'http://x/data/' })).toEqual({
      type: 'init',
      settings,
      dataBaseUrl: 'http://x/data/',
    });
    expect(checkCommand({ type: 'update', change: { seed: 3 } })).toEqual({ type: 'update', change: { seed: 3 } });
  });

  const malformed: [string, unknown, RegExp][] = [
    ['undefined', undefined, /must be an object.*got undefined/],
    ['null', null, /must be an object.*got null/],
    ['a number', 42, /must be an object.*got a number/],
    ['a string', 'start', /must be an object.*got a string/],
    ['an array', [{ type: 'start' }], /must be an object.*got an array/],
    ['no type', {}, /"type" must be one of init, start, pause, step, reset, update/],
    ['a non-string type', { type: 7 }, /"type" must be one of/],
    ['an unknown type', { type: 'explode' }, /unknown command type "explode"/],
    ['an inherited type', { type: 'toString' }, /unknown command type "toString"/],
    ['init without settings', { type: 'init' }, /init: "settings" must be an object, got undefined/],
    ['init with array settings', { type: 'init', settings: [] }, /init: "settings" must be an object, got an array/],
    ['init with a numeric dataBaseUrl', { type: 'init', settings, dataBaseUrl: 5 }, /init: "dataBaseUrl" must be a string/],
    ['update without change', { type: 'update' }, /update: "change" must be an object, got undefined/],
    ['update with a string change', { type: 'update', change: 'seed=3' }, /update: "change" must be an object, got a string/],
  ];
  it.each(malformed)('rejects %s with a message', (_, value, message) => {
    const r = checkCommand(value);
    expect(typeof r).toBe('string');
    expect(r).toMatch(message);
  });

  it('quotes an unknown type shortened', () => {
    const r = checkCommand({ type: 'x'.repeat(10_000) });
    expect(typeof r).toBe('string');
    expect((r as string).length).toBeLessThan(200);
  });
});

describe('the worker shell', () => {
  afterEach(() => {
    vi.doUnmock('../../../src/engine/page/engine');
    vi.resetModules();
    delete (globalThis as { self?: unknown }).self;
  });

  it('answers a malformed message with an error event and never hands it to the engine', async () => {
    const posted: EngineEvent[] = [];
    const handled: unknown[] = [];
    const scope = {
      location: { href: 'http://localhost/' },
      onmessage: null as ((e: { data: unknown }) => void) | null,
      postMessage: (e: EngineEvent) => posted.push(e),
      addEventListener: () => undefined,
    };
    (globalThis as { self?: unknown }).self = scope;
    vi.resetModules();
    vi.doMock('../../../src/engine/page/engine', () => ({
      Engine: class {
        handle(command: unknown): Promise<void> {
          handled.push(command);
          return Promise.resolve();
        }
      },
    }));
    // A path in a variable: the worker needs Vite's client types (import.meta.env), which the
    // tests' TypeScript project does not load; vitest resolves and transforms it at run time.
    const workerModule = '../../../src/engine/page/worker';
    await import(/* @vite-ignore */ workerModule);
    expect(scope.onmessage).toBeTypeOf('function');
    scope.onmessage!({ data: 42 });
    scope.onmessage!({ data: { type: 'update', change: null } });
    scope.onmessage!({ data: { type: 'start' } });
    expect(handled).toEqual([{ type: 'start' }]);
    expect(posted).toHaveLength(2);
    for (const e of posted) expect(e).toMatchObject({ type: 'error', fatal: false });
    expect(posted.map((e) => (e.type === 'error' ? e.message : ''))).toEqual([
      expect.stringMatching(/^Ignored a malformed command: .*got a number/),
      expect.stringMatching(/^Ignored a malformed command: update: "change" must be an object, got null/),
    ]);
  });
});
