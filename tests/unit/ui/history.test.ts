// The run history store (IndexedDB through fake-indexeddb, a complete in-memory IndexedDB):
// records survive a reopen, the limit drops the oldest, and a corrupt or foreign entry is
// reported and skipped while the good ones still load.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../src/contract/settings';
import type { EvalPoint, StepPoint } from '../../../src/contract/protocol';
import {
  checkHistoryLimit,
  HISTORY_DB,
  HISTORY_STORE,
  keysPastLimit,
  MemoryHistory,
  openRunHistory,
} from '../../../src/ui/history/historyStore';
import { parseHistoryRecord, recordOfRace, type HistoryRecord } from '../../../src/ui/history/record';

const step = (n: number): StepPoint => ({
  step: n, samplesSeen: 32 * n, clockMs: 10 * n, batchLoss: 1 / (n + 1), mode: 'auto', importanceActive: n > 2,
  tauRaw: 1.2, tauSmoothed: 1.1, tauThreshold: 1.05,
});
const evalAt = (n: number, loss: number): EvalPoint => ({ step: n, samplesSeen: 32 * n, clockMs: 10 * n, trainLoss: loss, testLoss: loss, testAccuracy: 0.9 });

function record(id: string, savedAt: number, seed = 1): HistoryRecord {
  const r = recordOfRace(
    {
      id,
      runs: {
        importance: { steps: [step(1), step(2)], evals: [evalAt(2, 0.5)] },
        uniform: { steps: [step(1), step(2)], evals: [evalAt(2, 0.7)] },
      },
      settings: { ...defaultSettings(), seed },
      backend: 'cpu',
      device: 'JavaScript',
      finished: true,
    },
    'budget',
    savedAt,
  );
  if (!r) throw new Error('no record');
  return r;
}

/** Writes a raw value into the store, as another page version or a broken write might have. */
async function plant(factory: IDBFactory, key: string, value: unknown): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(HISTORY_DB);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(HISTORY_STORE, 'readwrite');
    tx.objectStore(HISTORY_STORE).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

describe('run history in IndexedDB', () => {
  it('keeps records across a reopen, newest first, and replaces a record saved again under its id', async () => {
    const factory = new IDBFactory();
    const first = await openRunHistory(factory);
    expect(first.problem).toBeNull();
    expect(first.store.persistent).toBe(true);
    await first.store.put(record('a', 1000, 1), 20);
    await first.store.put(record('b', 2000, 2), 20);
    await first.store.put({ ...record('a', 3000, 1), finished: false }, 20);

    const again = await openRunHistory(factory);
    const { records, skipped } = await again.store.list();
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.id)).toEqual(['a', 'b']);
    expect(records[0].finished).toBe(false);
    expect(records[1].settings.seed).toBe(2);
    expect(records[1].runs.uniform?.evals[0].trainLoss).toBe(0.7);
  });

  it('drops the oldest past the limit, and trims when the limit is lowered', async () => {
    const { store } = await openRunHistory(new IDBFactory());
    for (let i = 1; i <= 5; i++) await store.put(record(`r${i}`, i * 1000), 3);
    expect((await store.list()).records.map((r) => r.id)).toEqual(['r5', 'r4', 'r3']);
    await store.trim(1);
    expect((await store.list()).records.map((r) => r.id)).toEqual(['r5']);
  });

  it('skips a corrupt or foreign entry with its reason and still lists the good ones', async () => {
    const factory = new IDBFactory();
    const { store } = await openRunHistory(factory);
    await store.put(record('good', 5000), 20);
    await plant(factory, 'junk', 'not a record at all');
    await plant(factory, 'old', { ...record('old', 4000), version: 99 });
    await plant(factory, 'badsettings', { ...record('badsettings', 4500), settings: { ...defaultSettings(), batchSize: -3 } });
    const { records, skipped } = await store.list();
    expect(records.map((r) => r.id)).toEqual(['good']);
    expect(Object.fromEntries(skipped.map((s) => [s.key, s.reason]))).toEqual({
      junk: 'not an object',
      old: 'version 99 (this page reads 1)',
      badsettings: expect.stringContaining('Batch size b'),
    });
    // Trimming drops unreadable entries before any readable one.
    await store.trim(1);
    const after = await store.list();
    expect(after.records.map((r) => r.id)).toEqual(['good']);
    expect(after.skipped).toEqual([]);
  });

  it('removes one record and clears all', async () => {
    const { store } = await openRunHistory(new IDBFactory());
    await store.put(record('a', 1), 20);
    await store.put(record('b', 2), 20);
    await store.remove('a');
    expect((await store.list()).records.map((r) => r.id)).toEqual(['b']);
    await store.clear();
    expect((await store.list()).records).toEqual([]);
  });

  it('falls back to memory, with the reason, where there is no IndexedDB', async () => {
    const { store, problem } = await openRunHistory(undefined);
    expect(problem).toMatch(/no IndexedDB/);
    expect(store).toBeInstanceOf(MemoryHistory);
    const r = record('m', 1);
    await store.put(r, 5);
    r.runs.importance!.evals[0].trainLoss = 99;
    expect((await store.list()).records[0].runs.importance?.evals[0].trainLoss).toBe(0.5);
  });
});

describe('history records', () => {
  it('round-trip through the parser, and settings missing from an older record take their defaults', () => {
    const r = record('x', 1);
    expect(parseHistoryRecord(structuredClone(r))).toEqual(r);
    const { tableSmoothing: _dropped, ...older } = r.settings;
    const parsed = parseHistoryRecord({ ...r, settings: older });
    expect(typeof parsed).toBe('object');
    expect((parsed as HistoryRecord).settings.tableSmoothing).toBe(defaultSettings().tableSmoothing);
  });

  it('refuse malformed runs with a reason', () => {
    const r = record('x', 1);
    expect(parseHistoryRecord({ ...r, runs: {} })).toBe('no run in it');
    expect(parseHistoryRecord({ ...r, runs: { importance: { steps: [{ step: 'one' }], evals: [] } } })).toMatch(/malformed step/);
    expect(parseHistoryRecord({ ...r, id: '' })).toBe('no id');
  });

  it('keep the confusion counts of the last evaluation only', () => {
    const c = [1, 0, 0, 1];
    const r = recordOfRace(
      {
        id: 'c',
        runs: { importance: { steps: [], evals: [{ ...evalAt(1, 1), testConfusion: c }, { ...evalAt(2, 0.5), testConfusion: c }] }, uniform: { steps: [], evals: [] } },
        settings: defaultSettings(), backend: null, device: null, finished: false,
      },
      'reset',
      1,
    )!;
    expect(r.runs.importance!.evals.map((e) => e.testConfusion)).toEqual([undefined, c]);
    expect(r.runs.uniform).toBeUndefined();
  });

  it('is none for a race that took no step', () => {
    const empty = { steps: [], evals: [] };
    expect(recordOfRace({ id: 'e', runs: { importance: empty, uniform: empty }, settings: defaultSettings(), backend: null, device: null, finished: false }, 'reset', 1)).toBeNull();
  });

  it('limits: whole numbers from 1 to the maximum; the oldest keys go first', () => {
    expect(checkHistoryLimit(20)).toBeNull();
    expect(checkHistoryLimit(0)).toMatch(/History size must be a whole number from 1/);
    expect(checkHistoryLimit(2.5)).not.toBeNull();
    const entries = [
      { key: 'new', value: { savedAt: 3 } },
      { key: 'broken', value: 42 },
      { key: 'old', value: { savedAt: 1 } },
    ];
    expect(keysPastLimit(entries, 1)).toEqual(['broken', 'old']);
    expect(keysPastLimit(entries, 5)).toEqual([]);
  });
});
