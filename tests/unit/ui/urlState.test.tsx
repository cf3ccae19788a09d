// @vitest-environment jsdom
// Settings ⇄ URL: valid settings survive the round trip; invalid, out-of-range, unknown and
// hostile values fall back to the defaults with notices naming them, and those notices reach
// the page as text only.
import { afterEach, describe, expect, it } from 'vitest';
import {
  SETTINGS_SCHEMA,
  SETTING_KEYS,
  checkSettings,
  defaultSettings,
  type Settings,
} from '../../../src/contract/settings';
import { initialEngineView } from '../../../src/ui/engineView';
import { Banners } from '../../../src/ui/StatusBar';
import { parseSettingsFromQuery, serializeSettings, urlWithSettings } from '../../../src/ui/urlState';
import { mulberry32 } from '../../support/prng';
import { TestHost } from '../../support/reactHost';

function randomSettings(rand: () => number): Settings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const f = SETTINGS_SCHEMA[key];
    if (f.kind === 'boolean') out[key] = rand() < 0.5;
    else if (f.kind === 'enum') out[key] = f.values[Math.floor(rand() * f.values.length)];
    else if (f.integer) out[key] = f.min + Math.floor(rand() * (f.max - f.min + 1));
    else {
      // Awkward floats on purpose (many digits, tiny and large magnitudes).
      const v = rand() < 0.2 ? f.min : rand() < 0.2 ? f.max : f.min + rand() * (f.max - f.min);
      out[key] = Math.min(f.max, Math.max(f.min, v));
    }
  }
  const s = out as unknown as Settings;
  if (s.trainCap > 0 && s.evalSize > s.trainCap) s.evalSize = Math.max(32, Math.min(s.evalSize, s.trainCap));
  if (s.trainCap > 0 && s.evalSize > s.trainCap) s.trainCap = s.evalSize;
  return s;
}

describe('settings ⇄ URL round trip', () => {
  it('random valid settings survive serialize → parse exactly, with no notices', () => {
    const rand = mulberry32(20240601);
    for (let i = 0; i < 300; i++) {
      const s = randomSettings(rand);
      expect(checkSettings(s)).toEqual([]);
      const full = parseSettingsFromQuery(serializeSettings(s));
      expect(full.notices).toEqual([]);
      expect(full.settings).toEqual(s);
      const short = parseSettingsFromQuery(`?${serializeSettings(s, { onlyNonDefaults: true })}`);
      expect(short.notices).toEqual([]);
      expect(short.settings).toEqual(s);
    }
  });

  it('writes every key in the schema order, and only changed keys when asked', () => {
    const s = { ...defaultSettings(), learningRate: 0.05, mode: 'importance' as const };
    const keys = [...new URLSearchParams(serializeSettings(s)).keys()];
    expect(keys).toEqual(SETTING_KEYS);
    expect(serializeSettings(s, { onlyNonDefaults: true })).toBe('learningRate=0.05&mode=importance');
    expect(serializeSettings(defaultSettings(), { onlyNonDefaults: true })).toBe('');
  });

  it('keeps the path and hash of the page URL', () => {
    const url = urlWithSettings('https://example.org/demo/sub/?old=1#x', { ...defaultSettings(), seed: 7 });
    expect(url.startsWith('https://example.org/demo/sub/?dataset=')).toBe(true);
    expect(url.endsWith('#x')).toBe(true);
    expect(url).not.toMatch(/[?&]old=/);
    expect(parseSettingsFromQuery(new URL(url).search).settings.seed).toBe(7);
  });

  it('an empty query gives the defaults and no notices', () => {
    expect(parseSettingsFromQuery('')).toEqual({ settings: defaultSettings(), notices: [] });
    expect(parseSettingsFromQuery('?')).toEqual({ settings: defaultSettings(), notices: [] });
  });
});

describe('invalid URL values fall back to defaults with a notice naming them', () => {
  const d = defaultSettings();
  const cases: [string, keyof Settings][] = [
    ['learningRate=abc', 'learningRate'],
    ['learningRate=', 'learningRate'],
    ['learningRate=0x10', 'learningRate'],
    ['learningRate=Infinity', 'learningRate'],
    ['learningRate=NaN', 'learningRate'],
    ['learningRate=1e9', 'learningRate'],
    ['batchSize=0', 'batchSize'],
    ['batchSize=2.5', 'batchSize'],
    ['batchSize=99999', 'batchSize'],
    ['labelNoise=-0.1', 'labelNoise'],
    ['seed=-1', 'seed'],
    ['dataset=imagenet', 'dataset'],
    ['mode=IMPORTANCE', 'mode'],
    ['compare=maybe', 'compare'],
    ['tauThreshold=0.5', 'tauThreshold'],
  ];
  it.each(cases)('%s', (query, key) => {
    const { settings, notices } = parseSettingsFromQuery(query);
    expect(settings[key]).toEqual(d[key]);
    expect(settings).toEqual(d);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`"${key}"`);
  });

  it('keeps the valid values next to invalid ones', () => {
    const { settings, notices } = parseSettingsFromQuery('?batchSize=64&learningRate=-3&mode=uniform&compare=false');
    expect(settings.batchSize).toBe(64);
    expect(settings.mode).toBe('uniform');
    expect(settings.compare).toBe(false);
    expect(settings.learningRate).toBe(d.learningRate);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/learningRate/);
  });

  it('names unknown keys, and does not let prototype keys through', () => {
    const { settings, notices } = parseSettingsFromQuery('?foo=1&__proto__=x&constructor=y&toString=z&seed=5');
    expect(settings.seed).toBe(5);
    expect(notices).toHaveLength(1); // one notice names all unknown keys
    expect(notices.join('\n')).toContain('"foo"');
    expect(notices.join('\n')).toContain('"__proto__"');
    expect(notices.join('\n')).toContain('"constructor"');
    expect(Object.keys(settings).sort()).toEqual([...SETTING_KEYS].sort());
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('uses the first of repeated keys and says so', () => {
    const { settings, notices } = parseSettingsFromQuery('seed=3&seed=4');
    expect(settings.seed).toBe(3);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('"seed"');
  });

  it('resolves a cross-field conflict (evaluation subset above the training cap) with a notice', () => {
    // A cap too small for any evaluation subset (minimum 32): evalSize falls back first; its
    // default (1000) still exceeds 10, so trainCap does too.
    const { settings, notices } = parseSettingsFromQuery('trainCap=10&evalSize=5000');
    expect(checkSettings(settings)).toEqual([]);
    expect(settings.evalSize).toBe(d.evalSize);
    expect(settings.trainCap).toBe(d.trainCap);
    expect(notices.some((n) => n.includes('"evalSize"'))).toBe(true);
    expect(notices.some((n) => n.includes('"trainCap"'))).toBe(true);
    // A cap that allows a subset keeps the link's cap and lowers the subset to it.
    const kept = parseSettingsFromQuery('trainCap=3000&evalSize=5000');
    expect(kept.settings.trainCap).toBe(3000);
    expect(kept.settings.evalSize).toBe(3000);
  });
});

// ---- hostile values ------------------------------------------------------------------------

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '<iframe src="javascript:alert(1)"></iframe>',
  'javascript:alert(1)',
  '{{constructor.constructor("alert(1)")()}}',
];

const page = new TestHost();
afterEach(() => page.cleanup());

function renderNotices(notices: string[]): HTMLDivElement {
  return page.render(
    <Banners
      view={initialEngineView()}
      urlNotices={notices}
      onDismissUrlNotices={() => undefined}
      onDismiss={() => undefined}
      onRestartEngine={() => undefined}
    />,
  );
}

describe('hostile URL values', () => {
  it('fall back to defaults with notices naming the key, and render as text only', () => {
    const keys: (keyof Settings)[] = ['dataset', 'learningRate', 'mode', 'compare', 'seed', 'model'];
    const params = new URLSearchParams();
    keys.forEach((k, i) => params.set(k, HOSTILE[i % HOSTILE.length]));
    params.set(HOSTILE[0], '1'); // a hostile key too
    params.set('x', HOSTILE[1]);
    const { settings, notices } = parseSettingsFromQuery(params.toString());

    expect(settings).toEqual(defaultSettings());
    expect(notices).toHaveLength(keys.length + 1); // one notice names both unknown keys
    for (const k of keys) expect(notices.some((n) => n.includes(`"${k}"`))).toBe(true);

    const el = renderNotices(notices);
    const banner = el.querySelector('[data-testid="url-notice"]');
    expect(banner).not.toBeNull();
    // The values are shown, as text...
    expect(banner!.textContent).toContain('<script>');
    expect(banner!.textContent).toContain('onerror');
    // ...and nothing they spell became an element or an attribute.
    expect(el.querySelector('script, img, svg, iframe, [onerror], [onload], [src]')).toBeNull();
    const tags = new Set(Array.from(el.querySelectorAll('*'), (n) => n.tagName.toLowerCase()));
    for (const t of tags) expect(['div', 'strong', 'ul', 'li', 'button', 'span']).toContain(t);
  });

  it('cuts very long values short in the notice', () => {
    const long = `<script>${'A'.repeat(5000)}</script>`;
    const { notices } = parseSettingsFromQuery(`dataset=${encodeURIComponent(long)}`);
    expect(notices).toHaveLength(1);
    expect(notices[0].length).toBeLessThan(300);
  });

  it('shows control characters in quoted values as escapes, never as the text they would hide', () => {
    const { notices } = parseSettingsFromQuery(`model=${encodeURIComponent('a\u0000b\nc\u001bd')}`);
    expect(notices[0]).toContain('"a\\u0000b\\u000Ac\\u001Bd"');
  });
});

// ---- spoofed notices -------------------------------------------------------------------------

describe('notices a link cannot spoof', () => {
  it('a key with a NUL in it is not shown as the setting it spells without it', () => {
    const { settings, notices } = parseSettingsFromQuery('se%00ed=5');
    expect(settings.seed).toBe(defaultSettings().seed);
    expect(notices).toHaveLength(1);
    expect(notices[0]).not.toContain('"seed"');
    expect(notices[0]).toContain('"se\\u0000ed"');
  });

  it('format characters (Unicode Cf: bidi overrides, zero-width) in a key or value are escaped, not dropped or obeyed', () => {
    // U+202E turns the rest of the line around; U+200B and U+2060 are invisible.
    const { notices } = parseSettingsFromQuery(
      `${encodeURIComponent('\u202Edees')}=1&${encodeURIComponent('se\u200Bed')}=2&model=${encodeURIComponent('ml\u2060p')}`,
    );
    const text = notices.join('\n');
    expect(text).not.toMatch(/\p{Cf}/u);
    expect(text).toContain('"\\u202Edees"');
    expect(text).toContain('"se\\u200Bed"');
    expect(text).toContain('"ml\\u2060p"');
    expect(text).not.toContain('"seed"');
    expect(text).not.toContain('ignored "mlp"');
  });

  it('a key that looks like a setting in other scripts is shown with its letters escaped', () => {
    // "ѕееd": Cyrillic dze and ie, which draw like s and e.
    const { notices } = parseSettingsFromQuery(`${encodeURIComponent('\u0455\u0435\u0435d')}=3`);
    expect(notices[0]).toContain('"\\u0455\\u0435\\u0435d"');
  });

  it('a quote or backslash in user text cannot close the quotation and write the rest of the notice', () => {
    const forged = 'x" in the link. All is well, "y';
    const { notices } = parseSettingsFromQuery(`${encodeURIComponent(forged)}=1`);
    expect(notices[0]).toBe('Ignored unknown setting "x\\" in the link. All is well, \\"y" in the link.');
  });

  it('every banner strips format characters at render, whoever wrote the message', () => {
    const view = {
      ...initialEngineView(),
      notices: [{ id: 1, level: 'info' as const, message: 'engine says \u202Eevil\u202C and \u200Bhidden' }],
      errors: [{ id: 2, level: 'error' as const, message: 'failed \u2066x\u2069', fatal: false }],
    };
    const el = page.render(
      <Banners
        view={view}
        modelNotice={'model \u202Enotice'}
        urlNotices={['link \u202Enotice']}
        onDismissUrlNotices={() => undefined}
        onDismiss={() => undefined}
        onRestartEngine={() => undefined}
      />,
    );
    const text = el.textContent ?? '';
    expect(text).toContain('engine says evil and hidden');
    expect(text).toContain('failed x');
    expect(text).toContain('model notice');
    expect(text).toContain('link notice');
    expect(text).not.toMatch(/\p{Cf}/u);
  });
});

// ---- oversized links -------------------------------------------------------------------------

/** Median of `n` timings of `f`, ms. */
function medianMs(f: () => void, n: number): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

describe('oversized links', () => {
  it('a 100,000-character number parses in linear time and falls back to the default with a notice', () => {
    // A run of digits followed by a letter made the old number pattern backtrack
    // quadratically (64k digits: 16 s). The long value must cost about as much as a short one:
    // allowed 100 ms plus 20 times the short value's time, generous for a loaded 2-core machine.
    const short = 'seed=12345a';
    const long = `seed=${'1'.repeat(100_000)}a`;
    const shortMs = medianMs(() => parseSettingsFromQuery(short), 5);
    let parsed: ReturnType<typeof parseSettingsFromQuery> | undefined;
    const longMs = medianMs(() => (parsed = parseSettingsFromQuery(long)), 3);
    expect(longMs).toBeLessThan(100 + 20 * shortMs);
    expect(parsed!.settings.seed).toBe(defaultSettings().seed);
    expect(parsed!.notices).toHaveLength(1);
    expect(parsed!.notices[0]).toContain('"seed"');
    expect(parsed!.notices[0]).toMatch(/too long/);
    expect(parsed!.notices[0].length).toBeLessThan(300);
    // Every numeric field, and digits with a dot (the other backtracking path), too.
    for (const key of SETTING_KEYS.filter((k) => SETTINGS_SCHEMA[k].kind === 'number')) {
      for (const value of [`${'9'.repeat(100_000)}x`, `1.${'0'.repeat(100_000)}e`]) {
        const t0 = performance.now();
        const r = parseSettingsFromQuery(`${key}=${value}`);
        expect(performance.now() - t0, key).toBeLessThan(100 + 20 * shortMs);
        expect(r.settings[key]).toBe(defaultSettings()[key]);
      }
    }
  });

  it('an over-long value of a valid form is refused too (a too-long value never reaches a setting)', () => {
    // 0.05 followed by 200 zeros is a fine number, but no link the app writes is that long.
    const { settings, notices } = parseSettingsFromQuery(`learningRate=0.05${'0'.repeat(200)}`);
    expect(settings.learningRate).toBe(defaultSettings().learningRate);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('"learningRate"');
  });

  it('the number of notices is capped, with a count of the rest', () => {
    const params: string[] = [];
    for (let i = 0; i < 500; i++) params.push(`junk${i}=1`);
    for (const key of SETTING_KEYS) params.push(`${key}=%3Cbad%3E`);
    for (let i = 0; i < 500; i++) params.push(`seed=${i}`);
    const { settings, notices } = parseSettingsFromQuery(params.join('&'));
    expect(settings).toEqual(defaultSettings());
    expect(notices.length).toBeLessThanOrEqual(12);
    expect(notices[notices.length - 1]).toMatch(/and \d+ more/);
    // The unknown keys come as one notice that names a few and counts the rest.
    const unknown = notices.find((n) => n.includes('"junk0"'));
    expect(unknown).toBeDefined();
    expect(unknown).toMatch(/and 49\d more/);
    expect(notices.join('\n').length).toBeLessThan(4000);
  });

  it('an evaluation subset above the link\'s training cap is clamped to the cap, with a notice', () => {
    const { settings, notices } = parseSettingsFromQuery('trainCap=300&evalSize=5000');
    expect(settings.trainCap).toBe(300);
    expect(settings.evalSize).toBe(300);
    expect(checkSettings(settings)).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('"evalSize"');
    expect(notices[0]).toContain('300');
    // The default subset (1000) above a smaller cap from the link is clamped too.
    const small = parseSettingsFromQuery('trainCap=200');
    expect(small.settings.trainCap).toBe(200);
    expect(small.settings.evalSize).toBe(200);
    expect(small.notices).toHaveLength(1);
  });
});
