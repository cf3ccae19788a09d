// Saving a race when the browser's storage is full. IndexedDB refuses a write past the
// origin's quota with a QuotaExceededError; the race would then be gone (the charts are
// cleared by the time it is saved). Instead the oldest stored entries make room, one at a
// time (unreadable ones first), until the race fits or nothing older is left to drop.
import type { RunHistoryStore } from './historyStore';
import type { HistoryRecord } from './record';

/** True for the error a browser gives when the origin's storage quota is used up. */
export function isQuotaError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'QuotaExceededError';
}

/**
 * Stores `record` (bounded to `limit` as RunHistoryStore.put does). On a quota error, removes
 * the oldest other entry and tries again. Resolves with how many entries it removed; rejects
 * with the last error when the record cannot be stored (another error, or nothing left to drop).
 */
export async function keepRecord(store: RunHistoryStore, record: HistoryRecord, limit: number): Promise<{ dropped: number }> {
  let dropped = 0;
  for (;;) {
    try {
      await store.put(record, limit);
      return { dropped };
    } catch (e) {
      if (!isQuotaError(e)) throw e;
      const { records, skipped } = await store.list();
      const oldest = skipped[0]?.key ?? records.filter((r) => r.id !== record.id).at(-1)?.id;
      if (oldest === undefined) throw e;
      await store.remove(oldest);
      dropped++;
    }
  }
}
