// Saves the race on the page when the page goes away (reload, close, navigating elsewhere):
// otherwise a race is kept only at Reset, a restarting change or its budget, and a reload in
// the middle of one lost it. `pagehide` is the one event browsers fire for all of these
// (also when the page goes into the back-forward cache; a race saved then and continued after
// is saved again under the same id, replacing the record). The write starts inside the event,
// so it is on its way before the page is torn down.
import { useEffect, useRef } from 'react';
import type { HistoryRecord } from './record';

/**
 * `recordNow` builds the record of the race on the page (null when it took no step); `save`
 * keeps it (useRunHistory's save). Both may change between renders; the newest are used.
 */
export function useSaveOnPageHide(recordNow: () => HistoryRecord | null, save: (record: HistoryRecord) => Promise<void>): void {
  const latest = useRef({ recordNow, save });
  useEffect(() => {
    latest.current = { recordNow, save };
  }, [recordNow, save]);
  useEffect(() => {
    if (typeof window === 'undefined') return;
    const onPageHide = () => {
      const record = latest.current.recordNow();
      if (record) void latest.current.save(record);
    };
    window.addEventListener('pagehide', onPageHide);
    return () => window.removeEventListener('pagehide', onPageHide);
  }, []);
}
