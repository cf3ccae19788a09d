// Charts follow the metrics at most a few times per second, however often the engine sends
// them: each re-render of an SVG chart costs the page's main thread.
import { createContext, startTransition, useContext, useEffect, useRef, useState } from 'react';

/** Shortest time between two re-renders of a chart's data, ms. */
export const CHART_REFRESH_MS = 500;

/**
 * The refresh interval the charts use; tests that check each update at once provide 0
 * (the charts then follow their inputs without delay).
 */
export const ChartRefreshContext = createContext<number>(CHART_REFRESH_MS);

/**
 * The refresh interval is cut into CHART_SLOTS slots and the charts take them in turn as they
 * mount, so a task of the page's main thread redraws one chart, not all of them at once (a
 * redraw commits DOM and may run Recharts' store updates synchronously: drawn together they
 * add up to one long task).
 */
export const CHART_SLOTS = 8;
let nextSlot = 0;

/**
 * `value`, followed at most once per `intervalMs`, at moments in the given slot of the
 * interval (clock: performance.now()). A change after a quiet spell shows at the slot's next
 * moment; changes coming faster are held back and the latest one shows at the slot's first
 * moment one interval or more after the last shown value (nothing is dropped at the end of a
 * burst). `intervalMs` ≤ 0 follows `value` directly.
 */
export function useThrottledValue<T>(value: T, intervalMs: number, slot = 0): T {
  const [shown, setShown] = useState(value);
  const shownAt = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    if (intervalMs <= 0 || Object.is(value, shown)) return;
    const now = performance.now();
    const earliest = Math.max(now, shownAt.current + intervalMs);
    const phase = ((slot % CHART_SLOTS) / CHART_SLOTS) * intervalMs;
    const at = phase + Math.ceil((earliest - phase) / intervalMs) * intervalMs;
    const timer = setTimeout(() => {
      shownAt.current = performance.now();
      // A transition: React renders it in slices, yielding to the page between them.
      startTransition(() => setShown(value));
    }, at - now);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs, slot]);
  return intervalMs <= 0 ? value : shown;
}

/**
 * `value` at the charts' refresh rate (ChartRefreshContext), in this chart's own slot;
 * `slower` times less often for a view that shows a snapshot rather than a time series.
 */
export function useChartValue<T>(value: T, slower = 1): T {
  const [slot] = useState(() => nextSlot++ % CHART_SLOTS);
  return useThrottledValue(value, useContext(ChartRefreshContext) * slower, slot);
}
