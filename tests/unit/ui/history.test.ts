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
import { isQuotaError, keepRecord } from '../../../src/ui/history/keepRecord';
import { MAX_RECORD_POINTS, parseHistoryRecord, recordOfRace, type HistoryRecord } from '../../../src/ui/history/record';
import { DEFAULT_MAX_POINTS } from '../../../src/ui/metricsStore';
import { DATASET_CATALOGUE } from '../../../src/data/catalogue';

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

  it('limits: whole numbers from 1 to the maximum; unreadable entries, then the oldest records go first', () => {
    expect(checkHistoryLimit(20)).toBeNull();
    expect(checkHistoryLimit(0)).toMatch(/History size must be a whole number from 1/);
    expect(checkHistoryLimit(2.5)).not.toBeNull();
    const entries = [
      { key: 'new', value: record('new', 3) },
      { key: 'broken', value: 42 },
      { key: 'old', value: record('old', 1) },
    ];
    expect(keysPastLimit(entries, 1)).toEqual(['broken', 'old']);
    expect(keysPastLimit(entries, 5)).toEqual([]);
  });
});

// ---- hostile records ----------------------------------------------------------------------
// Any script of the same origin can write the store (on GitHub Pages: every project site of the
// same user), so what is read back is bounded and checked before anything draws it.

describe('hostile history records', () => {
  const withRun = (run: { steps: unknown[]; evals: unknown[] }) => {
    const r = record('h', 1000);
    return { ...r, runs: { importance: run, uniform: r.runs.uniform } };
  };

  it('a run of a million points is refused by its length, before any point is read', () => {
    // Sparse, with a getter that counts reads on a few points: cheap to build, and it shows
    // whether the parser walks the points (a full walk of a million took ~80 ms, then a second per chart).
    const many: unknown[] = new Array(1_000_000);
    let reads = 0;
    for (const i of [0, 1, 999_999]) Object.defineProperty(many, i, { get: () => (reads++, step(i)) });
    expect(parseHistoryRecord(withRun({ steps: many, evals: [] }))).toBe(`run "importance" has 1000000 step points (at most ${MAX_RECORD_POINTS})`);
    expect(reads).toBe(0);
    // The bound is what the page's own metrics store keeps of a series.
    expect(MAX_RECORD_POINTS).toBe(DEFAULT_MAX_POINTS);
    const evals = Array.from({ length: MAX_RECORD_POINTS + 1 }, (_, i) => evalAt(i, 1));
    expect(parseHistoryRecord(withRun({ steps: [], evals }))).toMatch(/evaluations \(at most/);
  });

  it('the most points the page itself keeps are accepted', () => {
    const steps = Array.from({ length: MAX_RECORD_POINTS }, (_, i) => step(i));
    const evals = Array.from({ length: MAX_RECORD_POINTS }, (_, i) => evalAt(i, 1 / (i + 1)));
    expect(typeof parseHistoryRecord(withRun({ steps, evals }))).toBe('object');
  });

  it('steps, sample counts and clocks must be finite and non-negative, steps whole and in order', () => {
    const bad: [string, unknown][] = [
      ['NaN step', { ...step(1), step: NaN }],
      ['fractional step', { ...step(1), step: 1.5 }],
      ['negative step', { ...step(1), step: -1 }],
      ['Infinity clock', { ...step(1), clockMs: Infinity }],
      ['NaN samples', { ...step(1), samplesSeen: NaN }],
      ['unknown mode', { ...step(1), mode: 'turbo' }],
      ['no importanceActive', { ...step(1), importanceActive: 'yes' }],
      ['loss as text', { ...step(1), batchLoss: '0.5' }],
    ];
    for (const [what, point] of bad) {
      expect(parseHistoryRecord(withRun({ steps: [step(0), point], evals: [] })), what).toBe('run "importance" has a malformed step point (at 1)');
    }
    expect(parseHistoryRecord(withRun({ steps: [step(2), step(1)], evals: [] }))).toBe('run "importance" has steps out of order (at 1)');
    expect(parseHistoryRecord(withRun({ steps: [], evals: [{ ...evalAt(1, 1), clockMs: -Infinity }] }))).toBe(
      'run "importance" has a malformed evaluation (at 0)',
    );
    expect(parseHistoryRecord(withRun({ steps: [], evals: [{ ...evalAt(1, 1), testAccuracy: 7 }] }))).toMatch(/malformed evaluation/);
    // A diverged run's losses may be NaN or infinite: charts leave such points out, the record stays.
    expect(typeof parseHistoryRecord(withRun({ steps: [{ ...step(1), batchLoss: NaN, tauRaw: Infinity }], evals: [evalAt(1, NaN)] }))).toBe('object');
  });

  it('confusion counts must be K×K whole numbers for the dataset, not a million entries', () => {
    const k = DATASET_CATALOGUE[defaultSettings().dataset].numClasses;
    const ok = Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 5 : 0));
    expect(typeof parseHistoryRecord(withRun({ steps: [], evals: [{ ...evalAt(1, 1), testConfusion: ok }] }))).toBe('object');
    for (const confusion of [new Array(1_000_000).fill(0), [...ok.slice(1), -1, 0], [...ok.slice(1), 0.5], [...ok.slice(1), NaN]]) {
      expect(parseHistoryRecord(withRun({ steps: [], evals: [{ ...evalAt(1, 1), testConfusion: confusion }] }))).toMatch(/malformed evaluation/);
    }
  });

  it('keeps only the fields a point has: anything else stored with it is dropped on read', () => {
    const parsed = parseHistoryRecord(
      withRun({ steps: [{ ...step(1), payload: 'x'.repeat(1000) }], evals: [{ ...evalAt(1, 1), payload: [1, 2, 3] }] }),
    ) as HistoryRecord;
    expect(Object.keys(parsed.runs.importance!.steps[0])).not.toContain('payload');
    expect(Object.keys(parsed.runs.importance!.evals[0])).not.toContain('payload');
  });

  it('texts are bounded, and a record cannot claim to be saved in the future', () => {
    const r = record('t', 1000);
    expect(parseHistoryRecord({ ...r, id: 'x'.repeat(1000) })).toMatch(/id longer than/);
    expect(typeof parseHistoryRecord({ ...r, backend: 'y'.repeat(1000) })).toBe('string');
    expect(parseHistoryRecord({ ...r, savedAt: Date.now() + 10 * 86_400_000 })).toMatch(/saved in the future/);
  });

  it('a record stored under a key other than its id is unreadable: listed under its key, trimmed first, removable', async () => {
    const factory = new IDBFactory();
    const { store } = await openRunHistory(factory);
    for (let i = 1; i <= 3; i++) await store.put(record(`r${i}`, i * 1000), 20);
    // Newest of all and well-formed, but filed under another key than its id.
    await plant(factory, 'elsewhere', record('r9', Date.now()));
    const listing = await store.list();
    expect(listing.records.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect(listing.skipped).toEqual([{ key: 'elsewhere', reason: 'stored under key "elsewhere" but its id is "r9"' }]);
    // Trimming evicts it before any real record.
    await store.trim(3);
    const after = await store.list();
    expect(after.records.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect(after.skipped).toEqual([]);
    // And by its key, the page's Remove removes it.
    await plant(factory, 'elsewhere', record('r9', Date.now()));
    await store.remove('elsewhere');
    expect((await store.list()).skipped).toEqual([]);
  });
});

// ---- a full disk ------------------------------------------------------------------------------

/** A store that refuses a put for quota while it holds `room` entries or more. */
class FullStore extends MemoryHistory {
  constructor(private room: number, private readonly failure: () => Error = () => new DOMException('quota', 'QuotaExceededError')) {
    super();
  }
  async put(record: HistoryRecord, limit: number): Promise<void> {
    const { records, skipped } = await this.list();
    const others = records.filter((r) => r.id !== record.id).length + skipped.length;
    if (others >= this.room) throw this.failure();
    return super.put(record, limit);
  }
  /** Plants an entry as another page might (bypassing the quota). */
  plant(key: string, value: unknown): void {
    (this as unknown as { map: Map<string, unknown> }).map.set(key, value);
  }
}

describe('keepRecord on a full disk', () => {
  it('drops unreadable entries first, then the oldest records, until the new one fits', async () => {
    const store = new FullStore(3);
    store.plant('r1', record('r1', 1000));
    store.plant('r2', record('r2', 2000));
    store.plant('junk', { version: 1 });
    store.plant('r3', record('r3', 3000));
    expect(await keepRecord(store, record('new', 4000), 20)).toEqual({ dropped: 2 });
    const { records, skipped } = await store.list();
    expect(records.map((r) => r.id)).toEqual(['new', 'r3', 'r2']);
    expect(skipped).toEqual([]);
  });

  it('rejects, dropping nothing, on an error that is not about quota, and when nothing is left to drop', async () => {
    const broken = new FullStore(0, () => new Error('the database connection is closing'));
    broken.plant('r1', record('r1', 1000));
    await expect(keepRecord(broken, record('new', 2000), 20)).rejects.toThrow('closing');
    expect((await broken.list()).records.map((r) => r.id)).toEqual(['r1']);
    const tiny = new FullStore(0);
    await expect(keepRecord(tiny, record('new', 2000), 20)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Error('QuotaExceededError'))).toBe(false);
  });
});
