// Charts follow the metrics at most a few times per second, however often the engine sends
// them: each re-render of an SVG chart costs the page's main thread.
import { createContext, useContext, useEffect, useRef, useState } from 'react';

/** Shortest time between two re-renders of a chart's data, ms. */
export const CHART_REFRESH_MS = 400;

/**
 * The refresh interval the charts use; tests that check each update at once provide 0
 * (the charts then follow their inputs without delay).
 */
export const ChartRefreshContext = createContext<number>(CHART_REFRESH_MS);

/**
 * `value`, followed at most once per `intervalMs`: a change after a quiet spell shows on the
 * next macrotask; changes coming faster are held back and the latest one shows when the
 * interval since the last shown value is over (nothing is dropped at the end of a burst).
 * `intervalMs` ≤ 0 follows `value` directly.
 */
export function useThrottledValue<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const shownAt = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    if (intervalMs <= 0 || Object.is(value, shown)) return;
    const wait = Math.max(0, shownAt.current + intervalMs - performance.now());
    const timer = setTimeout(() => {
      shownAt.current = performance.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs]);
  return intervalMs <= 0 ? value : shown;
}

/** `value` at the charts' refresh rate (ChartRefreshContext). */
export function useChartValue<T>(value: T): T {
  return useThrottledValue(value, useContext(ChartRefreshContext));
}
