// @vitest-environment jsdom
// Presets (src/ui/presetTable.ts, Presets.tsx) on the page, against a fake worker: each preset
// is valid settings that survive the share link, and a click sends them as one update.
import { act, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../src/contract/protocol';
import { checkSettings, defaultSettings, restartingKeys, type Settings } from '../../../src/contract/settings';
import { App } from '../../../src/ui/App';
import { PRESETS, matchingPreset, presetChange, presetSettings, type Preset } from '../../../src/ui/presetTable';
import { parseSettingsFromQuery, serializeSettings } from '../../../src/ui/urlState';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker, engineStatus } from '../../support/uiFakes';

const preset = (name: string): Preset => {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}`);
  return p;
};

describe('the presets', () => {
  it('each passes the settings validation and differs from the defaults', () => {
    for (const p of PRESETS) {
      expect(checkSettings(presetSettings(p)), p.name).toEqual([]);
      expect(Object.keys(presetChange(defaultSettings(), p)).length, p.name).toBeGreaterThan(0);
      expect(p.explanation.length, p.name).toBeGreaterThan(80);
    }
    expect(new Set(PRESETS.map((p) => p.name)).size).toBe(PRESETS.length);
  });

  it('each survives the share link and is recognised from it', () => {
    for (const p of PRESETS) {
      const parsed = parseSettingsFromQuery(serializeSettings(presetSettings(p)));
      expect(parsed.notices, p.name).toEqual([]);
      expect(parsed.settings, p.name).toEqual(presetSettings(p));
      expect(matchingPreset(parsed.settings), p.name).toBe(p);
    }
    expect(matchingPreset(defaultSettings())).toBeNull();
  });

  it('leave the backend to the user: a forced backend survives picking one and does not hide the match', () => {
    const onWasm = { ...defaultSettings(), backend: 'wasm' as const };
    const change = presetChange(onWasm, preset('where-it-pays'));
    expect(change).not.toHaveProperty('backend');
    const after = { ...onWasm, ...change };
    expect(after.backend).toBe('wasm');
    expect(matchingPreset(after)).toBe(preset('where-it-pays'));
  });

  it('say what they promise', () => {
    expect(preset('where-it-pays').settings).toMatchObject({
      dataset: 'mnist', model: 'mlp', optimizer: 'adam', learningRate: 1e-3, batchSize: 64,
      sampler: 'table', mode: 'importance', tableSmoothing: 0.2, trainCap: 8000,
    });
    // The configuration where the samplers benchmark measured the method paying (BENCHMARKS.md, section A).
    expect(preset('papers-method').settings).toMatchObject({
      dataset: 'mnist', trainCap: 8000, model: 'cnn-tiny', sampler: 'presample', mode: 'auto', tauThresholdMode: 'measured',
      optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, batchSize: 64, presampleFactor: 3, score: 'upperBound',
    });
    expect(presetSettings(preset('where-it-fails'))).toMatchObject({ labelNoise: 0.2, sampler: 'table', mode: 'importance' });
    expect(presetSettings(preset('imbalanced'))).toMatchObject({ imbalanceClass: 3, imbalanceFraction: 0.1 });
  });

  it('the change from one preset to another is exactly the keys that differ, and lands on the target', () => {
    const from = presetSettings(preset('where-it-pays'));
    const change = presetChange(from, preset('where-it-fails'));
    expect(change).toEqual({ labelNoise: 0.2 });
    expect(restartingKeys(from, change)).toEqual(['labelNoise']); // new labels: new runs
    for (const a of PRESETS) for (const b of PRESETS) expect({ ...presetSettings(a), ...presetChange(presetSettings(a), b) }).toEqual(presetSettings(b));
  });

  it('leave the user’s budget and hidden-page choice alone, and are still recognised with them', () => {
    const mine = { ...presetSettings(preset('where-it-pays')), budgetUnit: 'epochs' as const, budget: 12, trainWhenHidden: true };
    const change = presetChange(mine, preset('papers-method'));
    expect(Object.keys(change)).not.toContain('budgetUnit');
    expect(Object.keys(change)).not.toContain('budget');
    expect(Object.keys(change)).not.toContain('trainWhenHidden');
    expect(matchingPreset(mine)?.name).toBe('where-it-pays');
  });
});

// ---- on the page ---------------------------------------------------------------------------

function status(state: EngineStatus['state'], settings: Settings): EngineStatus {
  return engineStatus({ state, settings });
}

const page = new TestHost();
let worker: FakeWorker;

beforeEach(() => {
  worker = freshWorker();
});

afterEach(() => page.cleanup());

function render(node: ReactNode): HTMLDivElement {
  return page.renderInChartFrame(node);
}

describe('the presets on the page', () => {
  it('a click sends the preset as one update, presses it, explains it and writes it to the URL', () => {
    const el = render(<App workerFactory={() => worker} initialQuery="" />);
    worker.emit({ type: 'status', status: status('ready', defaultSettings()) });
    expect(byId(el, 'presets')!.getAttribute('data-chosen')).toBe('');
    act(() => byId(el, 'preset-where-it-pays')!.click());
    const updates = worker.sent.filter((c) => c.type === 'update');
    expect(updates).toEqual([{ type: 'update', change: presetChange(defaultSettings(), preset('where-it-pays')) }]);
    expect(byId(el, 'preset-where-it-pays')!.getAttribute('aria-pressed')).toBe('true');
    expect(byId(el, 'preset-imbalanced')!.getAttribute('aria-pressed')).toBe('false');
    expect(byId(el, 'preset-explanation')!.textContent).toContain('Watch the loss curves split after a few epochs');
    const url = new URLSearchParams(window.location.search);
    expect(url.get('sampler')).toBe('table');
    expect(url.get('trainCap')).toBe('8000');
    expect((byId(el, 'setting-model') as HTMLSelectElement).value).toBe('mlp');
    // Clicking it again changes nothing: no second update.
    act(() => byId(el, 'preset-where-it-pays')!.click());
    expect(worker.sent.filter((c) => c.type === 'update')).toHaveLength(1);
  });

  it('a link with a preset’s settings opens with the preset chosen', () => {
    const el = render(<App workerFactory={() => worker} initialQuery={serializeSettings(presetSettings(preset('imbalanced')))} />);
    expect(worker.sent[0]).toMatchObject({ type: 'init', settings: presetSettings(preset('imbalanced')) });
    expect(byId(el, 'presets')!.getAttribute('data-chosen')).toBe('imbalanced');
    expect(byId(el, 'preset-explanation')!.textContent).toContain('class-share chart');
  });
});
