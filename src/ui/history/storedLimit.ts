// How many races the history keeps: the user's choice, in localStorage, shared by every tab
// of the page. A tab must not hold on to the value it read when it opened (another tab may
// have raised it since, and one save here would cut that tab's history down), so the history
// reads it again at every save and follows the `storage` event that other tabs' changes fire.
import { checkHistoryLimit } from './historyStore';

export const LIMIT_KEY = 'is-playground.historyLimit';

/** The stored limit, or null when none is stored, it is not a valid limit, or storage is blocked. */
export function readStoredLimit(): number | null {
  try {
    const text = globalThis.localStorage?.getItem(LIMIT_KEY);
    if (text === null || text === undefined) return null;
    const v = Number(text);
    return checkHistoryLimit(v) === null ? v : null;
  } catch {
    return null;
  }
}

/** Stores the limit for every tab; false when storage refused it (it then holds for this tab only). */
export function writeStoredLimit(limit: number): boolean {
  try {
    globalThis.localStorage?.setItem(LIMIT_KEY, String(limit));
    return true;
  } catch {
    return false;
  }
}

/** Calls `onChange` when another tab changes (or clears) the stored limit. Returns the unsubscribe. */
export function watchStoredLimit(onChange: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const listener = (e: StorageEvent) => {
    // key null: the other tab cleared the whole storage.
    if (e.key === LIMIT_KEY || e.key === null) onChange();
  };
  window.addEventListener('storage', listener);
  return () => window.removeEventListener('storage', listener);
}
