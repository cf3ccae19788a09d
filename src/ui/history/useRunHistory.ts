// The run history as React state: loads the stored records once, saves and removes through
// the store, and remembers which records the charts overlay. The size limit is the user's,
// kept in localStorage beside the records.
import { useCallback, useEffect, useRef, useState } from 'react';
import { checkHistoryLimit, DEFAULT_HISTORY_LIMIT, openRunHistory, type RunHistoryStore, type SkippedEntry } from './historyStore';
import type { HistoryRecord } from './record';

const LIMIT_KEY = 'is-playground.historyLimit';

function storedLimit(): number {
  try {
    const v = Number(globalThis.localStorage?.getItem(LIMIT_KEY));
    return checkHistoryLimit(v) === null ? v : DEFAULT_HISTORY_LIMIT;
  } catch {
    return DEFAULT_HISTORY_LIMIT;
  }
}

export interface RunHistory {
  /** False until the stored records have been read. */
  loaded: boolean;
  records: HistoryRecord[];
  skipped: SkippedEntry[];
  /** Why the history lives in memory only (null: it survives reloads). */
  problem: string | null;
  /** The last save or delete that failed, for a notice. */
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

export function useRunHistory(factory?: IDBFactory): RunHistory {
  const storeRef = useRef<Promise<RunHistoryStore> | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [records, setRecords] = useState<HistoryRecord[]>([]);
  const [skipped, setSkipped] = useState<SkippedEntry[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [limit, setLimitState] = useState(storedLimit);
  const [overlaid, setOverlaidState] = useState<ReadonlySet<string>>(new Set());
  const limitRef = useRef(limit);
  if (storeRef.current === null) {
    storeRef.current = openRunHistory(factory ?? (typeof indexedDB === 'undefined' ? undefined : indexedDB)).then(({ store, problem }) => {
      setProblem(problem);
      return store;
    });
  }

  const reload = useCallback(async () => {
    const store = await storeRef.current!;
    const listing = await store.list();
    setRecords(listing.records);
    setSkipped(listing.skipped);
    setLoaded(true);
    // `overlaid` may name records not listed yet (a save still on its way) or gone: the
    // charts draw the listed records whose ids it holds, so neither needs pruning.
  }, []);

  useEffect(() => {
    reload().catch((e: unknown) => {
      setError(`The run history could not be read: ${e instanceof Error ? e.message : String(e)}`);
      setLoaded(true);
    });
  }, [reload]);

  const attempt = useCallback(
    async (what: string, action: (store: RunHistoryStore) => Promise<void>) => {
      try {
        await action(await storeRef.current!);
        setError(null);
      } catch (e) {
        setError(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      await reload().catch(() => undefined);
    },
    [reload],
  );

  const save = useCallback((record: HistoryRecord) => attempt('Keeping the run in the history', (s) => s.put(record, limitRef.current)), [attempt]);
  const remove = useCallback((id: string) => attempt('Removing the run', (s) => s.remove(id)), [attempt]);
  const clear = useCallback(() => attempt('Clearing the history', (s) => s.clear()), [attempt]);
  const setLimit = useCallback(
    (next: number): string | null => {
      const e = checkHistoryLimit(next);
      if (e) return e;
      limitRef.current = next;
      setLimitState(next);
      try {
        globalThis.localStorage?.setItem(LIMIT_KEY, String(next));
      } catch {
        // The limit then holds for this session only.
      }
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

  return { loaded, records, skipped, problem, error, limit, overlaid, save, remove, clear, setLimit, toggleOverlay, setOverlaid };
}
