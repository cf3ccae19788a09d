// The run history as React state: loads the stored records, saves and removes through the
// store, and remembers which records the charts overlay. A race is never lost on the way in:
// the size limit is read again at every save (another tab may have changed it: storedLimit.ts),
// a save refused for quota makes room by dropping the oldest races (keepRecord.ts), and a save
// that still fails keeps the race on this page, listed as not saved, until a later save
// stores it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_HISTORY_LIMIT, checkHistoryLimit, openRunHistory, type RunHistoryStore, type SkippedEntry } from './historyStore';
import { keepRecord } from './keepRecord';
import type { HistoryRecord } from './record';
import { readStoredLimit, watchStoredLimit, writeStoredLimit } from './storedLimit';

export interface RunHistory {
  /** False until the stored records have been read. */
  loaded: boolean;
  /** Stored records and those waiting to be stored, newest first. */
  records: HistoryRecord[];
  /** Ids of the records kept on this page only: their save failed, a later save retries them. */
  unsaved: ReadonlySet<string>;
  skipped: SkippedEntry[];
  /** Why the history lives in memory only (null: it survives reloads). */
  problem: string | null;
  /** What the last save or delete could not do (or had to drop to make room), for a notice. */
  error: string | null;
  limit: number;
  /** Ids of the records drawn on the charts (only listed records are drawn). */
  overlaid: ReadonlySet<string>;
  save: (record: HistoryRecord) => Promise<void>;
  remove: (id: string) => Promise<void>;
  clear: () => Promise<void>;
  /** Returns the error, or null when the limit was applied. */
  setLimit: (limit: number) => string | null;
  toggleOverlay: (id: string, on: boolean) => void;
  setOverlaid: (ids: readonly string[]) => void;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Stored records with the waiting ones in front of any stored copy of the same race, newest first. */
function mergeRecords(stored: readonly HistoryRecord[], waiting: readonly HistoryRecord[]): HistoryRecord[] {
  const ids = new Set(waiting.map((r) => r.id));
  return [...waiting, ...stored.filter((r) => !ids.has(r.id))].sort((a, b) => b.savedAt - a.savedAt);
}

export function useRunHistory(factory?: IDBFactory): RunHistory {
  const storeRef = useRef<Promise<RunHistoryStore> | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [stored, setStored] = useState<HistoryRecord[]>([]);
  /** Races whose save has not succeeded yet, oldest first (Map keeps insertion order). */
  const waitingRef = useRef(new Map<string, HistoryRecord>());
  const [waiting, setWaiting] = useState<HistoryRecord[]>([]);
  const [skipped, setSkipped] = useState<SkippedEntry[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [limit, setLimitState] = useState(() => readStoredLimit() ?? DEFAULT_HISTORY_LIMIT);
  const [overlaid, setOverlaidState] = useState<ReadonlySet<string>>(new Set());
  const limitRef = useRef(limit);
  /** Set when localStorage refused this tab's limit: it then holds for this tab only. */
  const tabOnlyLimitRef = useRef(false);
  if (storeRef.current === null) {
    storeRef.current = openRunHistory(factory ?? (typeof indexedDB === 'undefined' ? undefined : indexedDB)).then(({ store, problem }) => {
      setProblem(problem);
      return store;
    });
  }

  /** The limit in force now: the stored one (another tab may have changed it), else this tab's. */
  const currentLimit = useCallback((): number => {
    if (!tabOnlyLimitRef.current) {
      const next = readStoredLimit() ?? DEFAULT_HISTORY_LIMIT;
      if (next !== limitRef.current) {
        limitRef.current = next;
        setLimitState(next);
      }
    }
    return limitRef.current;
  }, []);

  const reload = useCallback(async () => {
    const store = await storeRef.current!;
    const listing = await store.list();
    setStored(listing.records);
    setSkipped(listing.skipped);
    setLoaded(true);
    // `overlaid` may name records not listed yet (a save still on its way) or gone: the
    // charts draw the listed records whose ids it holds, so neither needs pruning.
  }, []);

  useEffect(() => {
    reload().catch((e: unknown) => {
      setError(`The run history could not be read: ${errorText(e)}`);
      setLoaded(true);
    });
  }, [reload]);

  useEffect(
    () =>
      watchStoredLimit(() => {
        tabOnlyLimitRef.current = false;
        currentLimit();
        // The other tab may have trimmed the store to its new limit.
        void reload().catch(() => undefined);
      }),
    [currentLimit, reload],
  );

  /** Stores every waiting race, oldest first; stops at the first that cannot be stored. */
  const storeWaiting = useCallback(async () => {
    const store = await storeRef.current!;
    let dropped = 0;
    let failure: string | null = null;
    for (const record of [...waitingRef.current.values()]) {
      try {
        dropped += (await keepRecord(store, record, currentLimit())).dropped;
        if (waitingRef.current.get(record.id) === record) waitingRef.current.delete(record.id);
      } catch (e) {
        failure = errorText(e);
        break;
      }
    }
    setWaiting([...waitingRef.current.values()]);
    if (failure !== null) {
      setError(
        `Keeping the run in the history failed: ${failure}. It is kept on this page (marked "not saved") and saved with the next race.`,
      );
    } else if (dropped > 0) {
      setError(`The browser's storage is full: removed the ${dropped === 1 ? 'oldest race' : `${dropped} oldest races`} to keep the new one.`);
    } else {
      setError(null);
    }
    await reload().catch(() => undefined);
  }, [currentLimit, reload]);

  const save = useCallback(
    (record: HistoryRecord) => {
      // Waiting first: if the page goes away or the write fails, the race is still in memory.
      waitingRef.current.delete(record.id);
      waitingRef.current.set(record.id, record);
      return storeWaiting();
    },
    [storeWaiting],
  );

  const attempt = useCallback(
    async (what: string, action: (store: RunHistoryStore) => Promise<void>) => {
      try {
        await action(await storeRef.current!);
        setError(null);
      } catch (e) {
        setError(`${what} failed: ${errorText(e)}`);
      }
      await reload().catch(() => undefined);
    },
    [reload],
  );

  const remove = useCallback(
    (id: string) => {
      if (waitingRef.current.delete(id)) setWaiting([...waitingRef.current.values()]);
      return attempt('Removing the run', (s) => s.remove(id));
    },
    [attempt],
  );
  const clear = useCallback(() => {
    waitingRef.current.clear();
    setWaiting([]);
    return attempt('Clearing the history', (s) => s.clear());
  }, [attempt]);
  const setLimit = useCallback(
    (next: number): string | null => {
      const e = checkHistoryLimit(next);
      if (e) return e;
      limitRef.current = next;
      setLimitState(next);
      tabOnlyLimitRef.current = !writeStoredLimit(next);
      void attempt('Applying the history size', (s) => s.trim(next));
      return null;
    },
    [attempt],
  );
  const toggleOverlay = useCallback((id: string, on: boolean) => {
    setOverlaidState((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const setOverlaid = useCallback((ids: readonly string[]) => setOverlaidState(new Set(ids)), []);

  const records = useMemo(() => mergeRecords(stored, waiting), [stored, waiting]);
  const unsaved = useMemo(() => new Set(waiting.map((r) => r.id)), [waiting]);
  return { loaded, records, unsaved, skipped, problem, error, limit, overlaid, save, remove, clear, setLimit, toggleOverlay, setOverlaid };
}
