// Display smoothing of a noisy curve, as TensorBoard's smoothing slider does it: an
// exponential moving average over the points in order, debiased so that the start of the
// curve is not dragged towards 0. For display only: the data behind the chart is untouched.
import type { XY } from './common';

/** The slider's top: above it the average follows the data too slowly to read. */
export const MAX_SMOOTHING = 0.99;

/** Stroke opacity of a raw curve drawn under its smoothed one. */
export const RAW_OPACITY = 0.25;

/** `weight` as the charts use it: within [0, MAX_SMOOTHING], 0 for anything not a number. */
export function clampSmoothing(weight: number | undefined): number {
  return weight !== undefined && weight > 0 ? Math.min(MAX_SMOOTHING, weight) : 0;
}

/**
 * The debiased EMA of `points`' y values with `weight` w (0: the points as they are):
 * m_k = w·m_{k−1} + (1 − w)·y_k from m_0 = 0, shown as m_k / (1 − w^k), where k counts the
 * finite values so far. A non-finite y (a NaN loss, a missing τ) keeps its place and value,
 * so the line skips it and joins its neighbours, and leaves the average as it was: the next
 * finite value carries on from the last one. x values are kept; the spacing of x is ignored,
 * as in TensorBoard (the points of one curve come at a steady pace of steps). A constant
 * curve is returned unchanged.
 */
export function emaSmooth(points: readonly XY[], weight: number): XY[] {
  if (!(weight >= 0 && weight < 1)) {
    throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}: set it between 0 and ${MAX_SMOOTHING}`);
  }
  // A constant curve stays exactly as it is (the average would round it in the last digits).
  if (weight === 0 || points.every((p) => p.y === points[0].y)) return points.map((p) => ({ x: p.x, y: p.y }));
  const out: XY[] = new Array<XY>(points.length);
  let average = 0;
  let count = 0;
  for (let i = 0; i < points.length; i++) {
    const { x, y } = points[i];
    if (!Number.isFinite(y)) {
      out[i] = { x, y };
      continue;
    }
    average = weight * average + (1 - weight) * y;
    count++;
    out[i] = { x, y: average / (1 - weight ** count) };
  }
  return out;
}
