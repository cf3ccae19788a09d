// The smooth trend of one run's training loss, as the "who is ahead" readout compares it: a
// least-squares line through log loss against log own-clock time, fitted over a trailing
// window of the run's evaluations that ends at the time asked about.
//
// Why this fit. A training loss falls roughly as a power of time (L ≈ a·t^−k over a stretch),
// a straight line on log-log axes, so a line in (ln t, ln L) follows it without the lag of a
// moving average and without bias on a pure power law; where the curve bends (towards a
// floor) the window is short enough in ln t (a factor 2 of time) for the bend to matter less
// than the noise. Evaluation noise is roughly multiplicative (a few per cent of the loss), so
// it is even in ln L. A trailing window uses nothing after the time asked about, so two runs
// are compared with the same kind of estimate at the same time, and the comparison at one time
// does not change when a run goes further.
//
// Its uncertainty. The scatter of the evaluations around the line is the race's own noise.
// Consecutive evaluations of one run share its weights' recent history, so their deviations
// are correlated; they are modelled as AR(1) in ln loss, whose σ² and ρ are matched to the
// window's residuals exactly for a line fit (ar1Noise.ts), and the variance of the line's value
// at the window's end follows. Plain arithmetic on float64, no React.
import { LineNoise } from './ar1Noise';

/** The part of an evaluation the readout reads (EvalPoint has more). */
export interface ClockedLoss {
  /** The run's own clock at this evaluation, ms. */
  clockMs: number;
  /** Mean loss on the evaluation subset of the training set. */
  trainLoss: number;
}

/** The window: evaluations in [t·(1 − WINDOW_FRACTION), t], a factor 2 of own-clock time. */
export const WINDOW_FRACTION = 0.5;

/** Fewest evaluations a fit takes (it reaches back past the window for them): 2 for the line, 2 for its scatter. */
export const MIN_FIT_POINTS = 4;

/** Largest lag-1 autocorrelation used; above it the inflation (39×) says nothing more. */
export const MAX_RHO = 0.95;

/** A line through one run's log loss against log time, read at time `atMs`. */
export interface TrendFit {
  /** The time the fit is read at (its window's end), ms. */
  atMs: number;
  /** The line's ln(loss) at atMs. */
  logLoss: number;
  /** d ln(loss) / d ln(time): about −k for a loss falling as t^−k. */
  slope: number;
  /** Evaluations in the window. */
  n: number;
  /** σ², the noise variance in ln(loss) (AR(1) model, matched to the residuals). */
  residualVar: number;
  /** The noise's lag-1 correlation between consecutive evaluations, in [0, MAX_RHO]. */
  rho: number;
  /** Variance of logLoss as an estimate of the trend at atMs, under that noise. */
  predictionVar: number;
}

/**
 * One run's evaluations, ready for fits at any time: only points a log axis can hold (clock
 * > 0, finite positive loss), in clock order, with prefix sums of ln t, ln L and their
 * products so that a window's line costs O(log n).
 */
export class TrendCurve {
  /** Own-clock times of the usable evaluations, ms, non-decreasing. */
  readonly times: readonly number[];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  // Prefix sums: s[i] = Σ_{j<i}.
  private readonly sx: Float64Array;
  private readonly sy: Float64Array;
  private readonly sxx: Float64Array;
  private readonly sxy: Float64Array;

  constructor(points: readonly ClockedLoss[]) {
    const kept = points.filter((p) => Number.isFinite(p.clockMs) && p.clockMs > 0 && Number.isFinite(p.trainLoss) && p.trainLoss > 0);
    // The store keeps evaluations in step order, and clocks only grow; a stable sort guards the rest.
    if (kept.some((p, i) => i > 0 && p.clockMs < kept[i - 1].clockMs)) kept.sort((a, b) => a.clockMs - b.clockMs);
    const n = kept.length;
    this.times = kept.map((p) => p.clockMs);
    this.x = Float64Array.from(kept, (p) => Math.log(p.clockMs));
    this.y = Float64Array.from(kept, (p) => Math.log(p.trainLoss));
    this.sx = new Float64Array(n + 1);
    this.sy = new Float64Array(n + 1);
    this.sxx = new Float64Array(n + 1);
    this.sxy = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      this.sx[i + 1] = this.sx[i] + this.x[i];
      this.sy[i + 1] = this.sy[i] + this.y[i];
      this.sxx[i + 1] = this.sxx[i] + this.x[i] * this.x[i];
      this.sxy[i + 1] = this.sxy[i] + this.x[i] * this.y[i];
    }
  }

  get length(): number {
    return this.times.length;
  }

  /** The latest usable clock, ms (0 when none). */
  get lastMs(): number {
    return this.times.length ? this.times[this.times.length - 1] : 0;
  }

  /** Index range [from, to) of the window that ends at `atMs`, or null with fewer than MIN_FIT_POINTS evaluations up to it. */
  window(atMs: number): { from: number; to: number } | null {
    const to = upperBound(this.times, atMs);
    if (to < MIN_FIT_POINTS) return null;
    const from = Math.min(lowerBound(this.times, atMs * (1 - WINDOW_FRACTION)), to - MIN_FIT_POINTS);
    return { from, to };
  }

  /** The line's intercept and slope over [from, to), centred: ln L ≈ yMean + slope·(ln t − xMean). Null when the times coincide. */
  private line(from: number, to: number): { xMean: number; yMean: number; slope: number; sxx: number } | null {
    const n = to - from;
    const xMean = (this.sx[to] - this.sx[from]) / n;
    const yMean = (this.sy[to] - this.sy[from]) / n;
    // Centred sums from the prefix sums. The window spans at most a few units of ln t around
    // values of ~5 to 15, so the cancellation costs about 4 of float64's 16 digits.
    const sxx = this.sxx[to] - this.sxx[from] - n * xMean * xMean;
    const sxy = this.sxy[to] - this.sxy[from] - n * xMean * yMean;
    if (!(sxx > 1e-12 * n)) return null;
    return { xMean, yMean, slope: sxy / sxx, sxx };
  }

  /** The trend's ln(loss) at `atMs` from the window ending there, without its uncertainty (O(log n)); null as for `window`. */
  logLossAt(atMs: number): number | null {
    const w = this.window(atMs);
    if (!w) return null;
    const l = this.line(w.from, w.to);
    return l ? l.yMean + l.slope * (Math.log(atMs) - l.xMean) : null;
  }

  /** The full fit at `atMs`, with its scatter and uncertainty (O(window)); null as for `window`. */
  fitAt(atMs: number): TrendFit | null {
    const w = this.window(atMs);
    if (!w) return null;
    const l = this.line(w.from, w.to);
    if (!l) return null;
    const n = w.to - w.from;
    const x0 = Math.log(atMs);
    let sse = 0;
    let lag = 0;
    let prev = NaN;
    for (let i = w.from; i < w.to; i++) {
      const e = this.y[i] - (l.yMean + l.slope * (this.x[i] - l.xMean));
      sse += e * e;
      if (i > w.from) lag += prev * e;
      prev = e;
    }
    const noise = new LineNoise(this.x.subarray(w.from, w.to));
    const rho = sse > 0 ? noise.matchRho(lag / sse, MAX_RHO) : 0;
    const residualVar = sse / noise.residualMoments(rho).trace;
    // ŷ(x0) = Σ c_i y_i with c_i = 1/n + (x_i − x̄)(x0 − x̄)/Sxx.
    const c = Float64Array.from({ length: n }, (_, k) => 1 / n + ((this.x[w.from + k] - l.xMean) * (x0 - l.xMean)) / l.sxx);
    return {
      atMs,
      logLoss: l.yMean + l.slope * (x0 - l.xMean),
      slope: l.slope,
      n,
      residualVar,
      rho,
      predictionVar: residualVar * noise.predictionFactor(c, rho),
    };
  }

  /**
   * The smoothed curve: at each usable evaluation from the MIN_FIT_POINTS-th on, the trend's
   * ln(loss) there, from the window ending there. O(n log n).
   */
  smoothed(): { t: number; logLoss: number }[] {
    const out: { t: number; logLoss: number }[] = [];
    for (let i = MIN_FIT_POINTS - 1; i < this.times.length; i++) {
      const t = this.times[i];
      const y = this.logLossAt(t);
      if (y !== null) out.push({ t, logLoss: y });
    }
    return out;
  }
}

/** First index whose value is ≥ v (values sorted ascending). */
function lowerBound(values: readonly number[], v: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > v (values sorted ascending): the count of values ≤ v. */
function upperBound(values: readonly number[], v: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
