// The run history in the browser's IndexedDB: one object store of HistoryRecords keyed by id,
// bounded to `limit` records (unreadable entries, then the oldest go first), read back through
// parseHistoryRecord so a corrupt, oversized or foreign entry is reported and skipped, never drawn. Where IndexedDB is missing
// or refuses to open (some private windows, a blocked origin), the same API keeps the
// history in memory for the session and says so.
import { parseHistoryRecord, type HistoryRecord } from './record';

export const HISTORY_DB = 'is-playground';
export const HISTORY_STORE = 'runs';
const DB_VERSION = 1;

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 200;

/** An entry that could not be read as a record, and why. */
export interface SkippedEntry {
  key: string;
  reason: string;
}

export interface HistoryListing {
  /** Newest first. */
  records: HistoryRecord[];
  skipped: SkippedEntry[];
}

export interface RunHistoryStore {
  /** True when records survive a reload (IndexedDB), false for the in-memory fallback. */
  readonly persistent: boolean;
  list(): Promise<HistoryListing>;
  /** Adds or replaces (same id) a record, then drops the oldest past `limit`. */
  put(record: HistoryRecord, limit: number): Promise<void>;
  /** Drops the oldest records (unreadable entries first) until at most `limit` remain. */
  trim(limit: number): Promise<void>;
  remove(key: string): Promise<void>;
  clear(): Promise<void>;
}

/** A clear message for a limit the user typed. */
export function checkHistoryLimit(limit: number): string | null {
  return Number.isInteger(limit) && limit >= 1 && limit <= MAX_HISTORY_LIMIT
    ? null
    : `History size must be a whole number from 1 to ${MAX_HISTORY_LIMIT}, got ${limit}`;
}

/** Readable records newest first, and the rest with their reasons. */
function sortEntries(entries: readonly { key: string; value: unknown }[]): HistoryListing {
  const records: HistoryRecord[] = [];
  const skipped: SkippedEntry[] = [];
  const now = Date.now();
  for (const { key, value } of entries) {
    const r = parseHistoryRecord(value, { key, now });
    if (typeof r === 'string') skipped.push({ key, reason: r });
    else records.push(r);
  }
  records.sort((a, b) => b.savedAt - a.savedAt);
  return { records, skipped };
}

/**
 * Keys to delete so that at most `limit` entries remain: unreadable entries first (whatever
 * save time they claim: a foreign entry must not outlive the records), then the oldest records.
 */
export function keysPastLimit(entries: readonly { key: string; value: unknown }[], limit: number): string[] {
  const { records, skipped } = sortEntries(entries);
  const order = [...skipped.map((s) => s.key), ...records.reverse().map((r) => r.id)];
  return order.slice(0, Math.max(0, order.length - limit));
}

// ---- IndexedDB ------------------------------------------------------------------------------

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });

const committed = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });

class IndexedDbHistory implements RunHistoryStore {
  readonly persistent = true;
  constructor(private readonly db: IDBDatabase) {}

  private async entries(): Promise<{ key: string; value: unknown }[]> {
    const tx = this.db.transaction(HISTORY_STORE, 'readonly');
    const store = tx.objectStore(HISTORY_STORE);
    const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
    return keys.map((k, i) => ({ key: String(k), value: values[i] as unknown }));
  }

  async list(): Promise<HistoryListing> {
    return sortEntries(await this.entries());
  }

  async put(record: HistoryRecord, limit: number): Promise<void> {
    const tx = this.db.transaction(HISTORY_STORE, 'readwrite');
    tx.objectStore(HISTORY_STORE).put(record, record.id);
    // Commit now rather than when the event loop comes round: a save made as the page goes
    // away (pagehide) is then on its way before the page is torn down. Trimming comes after.
    tx.commit();
    await committed(tx);
    await this.trim(limit);
  }

  async trim(limit: number): Promise<void> {
    const drop = keysPastLimit(await this.entries(), limit);
    if (!drop.length) return;
    const tx = this.db.transaction(HISTORY_STORE, 'readwrite');
    for (const key of drop) tx.objectStore(HISTORY_STORE).delete(key);
    await committed(tx);
  }

  async remove(key: string): Promise<void> {
    const tx = this.db.transaction(HISTORY_STORE, 'readwrite');
    tx.objectStore(HISTORY_STORE).delete(key);
    await committed(tx);
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(HISTORY_STORE, 'readwrite');
    tx.objectStore(HISTORY_STORE).clear();
    await committed(tx);
  }
}

// ---- in memory ------------------------------------------------------------------------------

export class MemoryHistory implements RunHistoryStore {
  readonly persistent = false;
  private readonly map = new Map<string, unknown>();

  private entries() {
    return [...this.map].map(([key, value]) => ({ key, value }));
  }
  list(): Promise<HistoryListing> {
    return Promise.resolve(sortEntries(this.entries()));
  }
  put(record: HistoryRecord, limit: number): Promise<void> {
    // A structured copy, as IndexedDB stores it: later changes to `record` do not leak in.
    this.map.set(record.id, structuredClone(record));
    return this.trim(limit);
  }
  trim(limit: number): Promise<void> {
    for (const key of keysPastLimit(this.entries(), limit)) this.map.delete(key);
    return Promise.resolve();
  }
  remove(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.map.clear();
    return Promise.resolve();
  }
}

/**
 * Opens the history in IndexedDB (`factory`: the page's indexedDB, or a fake in tests).
 * Resolves to the in-memory store, with the reason, when IndexedDB cannot be used.
 */
export async function openRunHistory(
  factory: IDBFactory | undefined = typeof indexedDB === 'undefined' ? undefined : indexedDB,
): Promise<{ store: RunHistoryStore; problem: string | null }> {
  if (!factory) return { store: new MemoryHistory(), problem: 'this browser offers no IndexedDB' };
  try {
    const request = factory.open(HISTORY_DB, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(HISTORY_STORE)) db.createObjectStore(HISTORY_STORE);
    };
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB refused to open'));
      request.onblocked = () => reject(new Error('another tab holds an older version of the history open'));
    });
    return { store: new IndexedDbHistory(db), problem: null };
  } catch (e) {
    return { store: new MemoryHistory(), problem: e instanceof Error ? e.message : String(e) };
  }
}
