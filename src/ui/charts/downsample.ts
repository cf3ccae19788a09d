// Display-only downsampling of a chart's series: the store keeps up to a few thousand points
// per series, and SVG charts re-rendering that many points a few times a second block the
// page. A chart draws at most a few hundred points per line instead, chosen so the picture
// stays the same at chart width: per bucket of consecutive points, the lowest and the highest
// value of each plotted quantity (so spikes and the noise band stay visible), plus the first
// and the last point, plus the points where something switched (importance sampling on/off).
// The data behind the chart (store, exports) is untouched.

/** Points drawn per line at most: a few per pixel column of a typical chart. */
export const DISPLAY_POINTS = 300;

export interface DownsampleOptions<T> {
  /** The plotted quantities of a point (null or non-finite: not plotted); each keeps its extremes. */
  values: readonly ((p: T) => number | null)[];
  /** True where `p` must be kept because something changed since `prev` (e.g. the mode switched). */
  pin?: (prev: T, p: T) => boolean;
}

/**
 * At most `maxPoints` of `points`, in their order (a subset: the same objects). Series of at
 * most `maxPoints` points are returned as they are (the same array).
 *
 * Kept: the first and the last point; the switch points `pin` names, up to half the budget
 * (spread evenly over the run when there are more); and, in each of the equal-count buckets
 * the rest of the budget allows, the points holding the lowest and the highest value of each
 * quantity, so the series' overall extremes always survive.
 */
export function downsample<T>(points: readonly T[], maxPoints: number, options: DownsampleOptions<T>): readonly T[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new RangeError(`maxPoints must be a whole number ≥ 4, got ${maxPoints}`);
  }
  if (options.values.length === 0) throw new RangeError('downsample needs at least one value accessor in options.values');
  const n = points.length;
  if (n <= maxPoints) return points;

  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  let reserved = 2;

  if (options.pin) {
    const switches: number[] = [];
    for (let i = 1; i < n - 1; i++) if (options.pin(points[i - 1], points[i])) switches.push(i);
    const take = Math.min(switches.length, Math.floor(maxPoints / 2) - 2);
    // k · len / take grows by ≥ 1 per k when take ≤ len: `take` distinct switches.
    for (let k = 0; k < take; k++) keep[switches[Math.floor((k * switches.length) / take)]] = 1;
    reserved += take;
  }

  const { values } = options;
  const buckets = Math.floor((maxPoints - reserved) / (2 * values.length));
  const inner = n - 2; // points 1 … n-2; the ends are kept already
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    for (const value of values) {
      let lo = -1;
      let hi = -1;
      let loV = Infinity;
      let hiV = -Infinity;
      for (let i = from; i < to; i++) {
        const v = value(points[i]);
        if (v === null || !Number.isFinite(v)) continue;
        if (v < loV) {
          loV = v;
          lo = i;
        }
        if (v > hiV) {
          hiV = v;
          hi = i;
        }
      }
      if (lo >= 0) keep[lo] = 1;
      if (hi >= 0) keep[hi] = 1;
    }
  }

  const out: T[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(points[i]);
  return out;
}

const yOf = (p: { y: number }) => p.y;

/** `downsample` for {x, y} lines. */
export function downsampleXY<P extends { y: number }>(points: readonly P[], maxPoints = DISPLAY_POINTS): readonly P[] {
  return downsample(points, maxPoints, { values: [yOf] });
}
