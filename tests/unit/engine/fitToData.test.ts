// Links that pass every check of the schema but not the data they load (issue 22 item 3): the
// training set's real size is known once the dataset is prepared (its cap, its imbalance), and
// the settings that depend on it (evalSize, b, B) fall back to the nearest value that fits, with
// a notice naming the value, instead of an engine error with nothing loaded.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { presampleSize } from '../../../src/is';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { fitSettingsToData } from '../../../src/engine/page/fitToData';
import { parseSettingsFromQuery } from '../../../src/ui/urlState';
import { harness, type Harness } from '../../support/engineHarness';
import { loadPreparedDataset } from '../../../src/data';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings = (change: Partial<Settings>): Settings => ({ ...defaultSettings(), ...change });

describe('fitSettingsToData', () => {
  it('keeps settings that fit, changing nothing', () => {
    const s = settings({});
    expect(fitSettingsToData(s, 5000)).toEqual({ settings: s, adjusted: [], notices: [] });
  });

  it('lowers an evaluation subset larger than the training set to the training set', () => {
    const fit = fitSettingsToData(settings({ evalSize: 10_000 }), 6000);
    expect(fit.settings.evalSize).toBe(6000);
    expect(fit.adjusted).toEqual(['evalSize']);
    expect(fit.notices).toEqual([
      'Setting "evalSize" (Evaluation subset size): lowered from 10000 to 6000, because the training set holds 6000 samples with these settings (dataset, trainCap, imbalance).',
    ]);
  });

  it('lowers b to N where nothing presamples, and keeps b < N with N ≥ B > b where the presample does', () => {
    // The score table draws b of N: b = N is a full pass.
    expect(fitSettingsToData(settings({ batchSize: 64, evalSize: 32, sampler: 'table' }), 32).settings).toMatchObject({ batchSize: 32, presampleFactor: 3 });
    // The paper's presample draws B > b of N.
    const fit = fitSettingsToData(settings({ batchSize: 64, evalSize: 32, sampler: 'presample' }), 32);
    const B = presampleSize(fit.settings);
    expect(fit.settings.batchSize).toBeLessThan(32);
    expect(B).toBeGreaterThan(fit.settings.batchSize);
    expect(B).toBeLessThanOrEqual(32);
    expect(fit.adjusted).toEqual(['batchSize', 'presampleFactor']);
    // The nearest: the largest b for which some factor in the schema's range fits.
    expect(fit.settings.batchSize).toBe(31);
  });

  it('raises a presample factor that gives B = b, and lowers one that gives B > N, only where something presamples', () => {
    const low = fitSettingsToData(settings({ batchSize: 1, presampleFactor: 1.2, sampler: 'presample' }), 5000);
    expect(low.settings.presampleFactor).toBe(1.5);
    expect(presampleSize(low.settings)).toBe(2);
    expect(low.notices[0]).toBe(
      'Setting "presampleFactor" (Presample factor B/b): raised from 1.2 to 1.5, because B = round(1.2 × 1) = 1 must exceed b = 1 for the presample sampler to choose among samples.',
    );
    // Uniform mode and the score table never presample: the factor is left as it is.
    expect(fitSettingsToData(settings({ batchSize: 1, presampleFactor: 1.2, sampler: 'presample', mode: 'uniform' }), 5000).adjusted).toEqual([]);
    expect(fitSettingsToData(settings({ batchSize: 1, presampleFactor: 1.2, sampler: 'table' }), 5000).adjusted).toEqual([]);
    const high = fitSettingsToData(settings({ batchSize: 100, presampleFactor: 32, sampler: 'presample', evalSize: 500 }), 1000);
    expect(high.settings.presampleFactor).toBe(10);
    expect(presampleSize(high.settings)).toBe(1000);
    expect(high.adjusted).toEqual(['presampleFactor']);
  });

  it('refuses a training set too small for the smallest evaluation subset, naming what to raise', () => {
    expect(() => fitSettingsToData(settings({ evalSize: 32 }), 20)).toThrow(
      'The training set holds only 20 samples with these settings, fewer than the smallest evaluation subset (32): raise trainCap or imbalanceFraction, or choose another dataset',
    );
  });

  it('every fitted setting passes the schema and the trainer for every N and b (the sampler presampling or not)', async () => {
    const { validateSettings } = await import('../../../src/is');
    const { checkSettings } = await import('../../../src/contract/settings');
    const { trainerSettingsFor } = await import('../../../src/engine/page/runSettings');
    for (const n of [32, 33, 50, 100, 999, 1024, 1025, 5406]) {
      for (const b of [1, 2, 7, 31, 32, 33, 500, 1024]) {
        for (const f of [1.01, 1.2, 3, 32]) {
          for (const sampler of ['presample', 'table'] as const) {
            const fit = fitSettingsToData(settings({ batchSize: b, presampleFactor: f, sampler, evalSize: 32 }), n);
            expect(checkSettings(fit.settings), `${n} ${b} ${f} ${sampler}`).toEqual([]);
            for (const run of ['importance', 'uniform'] as const) {
              expect(() => validateSettings(trainerSettingsFor(fit.settings, run, null), n), `${n} ${b} ${f} ${sampler} ${run}`).not.toThrow();
            }
          }
        }
      }
    }
  });
});

describe('links that pass every check train on the nearest setting that fits', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.engine.dispose();
    h = null;
  });

  // The links of the issue (the last two on the synthetic set rather than MNIST, so no files are read).
  const links: [string, Partial<Settings>][] = [
    ['dataset=synthetic-shapes&trainCap=0&evalSize=10000', { evalSize: 6000 }],
    ['dataset=synthetic-shapes&trainCap=6000&evalSize=6000&imbalanceClass=0&imbalanceFraction=0.01', { evalSize: 5406 }],
    // B = round(1.2 × 1) = b: the default sampler (the score table) and uniform mode never presample, the presample sampler does.
    ['dataset=synthetic-shapes&batchSize=1&presampleFactor=1.2', { batchSize: 1, presampleFactor: 1.2 }],
    ['dataset=synthetic-shapes&batchSize=1&presampleFactor=1.2&sampler=presample', { batchSize: 1, presampleFactor: 1.5 }],
    ['dataset=synthetic-shapes&batchSize=1&presampleFactor=1.2&sampler=presample&mode=uniform', { batchSize: 1, presampleFactor: 1.2 }],
    ['dataset=synthetic-shapes&trainCap=32&evalSize=32&batchSize=64', { batchSize: 32, evalSize: 32 }],
  ];

  it.each(links)('?%s', async (query, expected) => {
    const parsed = parseSettingsFromQuery(query);
    expect(parsed.notices).toEqual([]); // the link passes the URL checks
    h = harness({ loadData: (s, onProgress) => loadPreparedDataset(s, { onProgress }) });
    await h.engine.handle({ type: 'init', settings: { ...parsed.settings, backend: 'cpu', evalInterval: 1 } });
    expect(h.of('error')).toEqual([]);
    expect(h.status().state).toBe('ready');
    expect(h.status().settings).toMatchObject(expected);
    const changed = (Object.keys(expected) as (keyof Settings)[]).filter((k) => expected[k] !== parsed.settings[k]);
    const notices = h.of('notice').filter((n) => n.adjusted);
    expect(notices.flatMap((n) => n.adjusted)).toEqual(changed);
    for (const key of changed) expect(notices.map((n) => n.message).join(' ')).toContain(`Setting "${key}"`);
    expect(h.status().dataset?.trainEvalCount).toBe(h.status().settings.evalSize);
    // And it trains.
    await h.engine.handle({ type: 'step' });
    await h.engine.whenIdle();
    expect(h.status().runs.importance?.step).toBe(1);
    expect(h.of('error')).toEqual([]);
  });
});
