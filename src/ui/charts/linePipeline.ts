// What every line chart does to its series before drawing them, in one place: the display
// smoothing (an EMA drawn over the raw line, which stays, faint) and the display thinning
// (downsample.ts), both over every point, smoothing first. The data behind the chart is
// untouched. Pure functions; LineChartCard.tsx calls them once per new batch of points.
import { DISPLAY_POINTS, downsample } from './downsample';
import type { PlotLine, PlotPoint } from './PlotLines';
import { RAW_OPACITY, emaSmooth } from './smoothing';

/**
 * One line as a chart hands it over: every point (`points`, in x order; a null y is a gap the
 * line joins over), and how to draw it, as PlotLines draws a line.
 */
export interface LineSeries extends PlotLine {
  /**
   * The display smoothing applies: with a weight above 0 the line is drawn faint and an EMA of
   * it (key `${key}-ema`, name `${name} (EMA)`) is drawn in its place.
   */
  smooth?: boolean;
  /**
   * The points to draw, when the chart thins them itself (τ's rows keep every switch of the
   * sampler); by default `points`, thinned here. Smoothing still averages every point.
   */
  shown?: readonly PlotPoint[];
}

/** Stroke width of a raw line drawn under its smoothed one. */
const RAW_WIDTH = 1.25;
/** Least stroke width of an EMA line, so that a thin raw series (τ) gets a readable average. */
const EMA_WIDTH = 1.5;

const yOf = (p: PlotPoint) => p.y;

/** At most DISPLAY_POINTS of `points`, keeping each bucket's extremes (the same array when short enough). */
const thin = (points: readonly PlotPoint[]): readonly PlotPoint[] => downsample(points, DISPLAY_POINTS, { values: [yOf] });

/**
 * The lines PlotLines draws, and how many points they hold: the faint raw copies of smoothed
 * series first (under everything), then every series in order, each smoothed one as its EMA.
 * `smoothing` is the EMA weight (0: none).
 */
export function displayLines(series: readonly LineSeries[], smoothing: number): { lines: PlotLine[]; drawn: number } {
  const under: PlotLine[] = [];
  const over: PlotLine[] = [];
  for (const s of series) {
    const { points, shown, smooth, ...style } = s;
    const drawnPoints = shown ?? thin(points);
    if (smooth && smoothing > 0) {
      under.push({ ...style, points: drawnPoints, width: Math.min(style.width, RAW_WIDTH), opacity: RAW_OPACITY });
      // A gap (null) enters the average as NaN, which keeps its place and leaves the average alone.
      const ema = emaSmooth(points.map((p) => ({ x: p.x, y: p.y ?? Number.NaN })), smoothing);
      over.push({ ...style, key: `${s.key}-ema`, name: `${s.name} (EMA)`, points: thin(ema), width: Math.max(style.width, EMA_WIDTH) });
    } else {
      over.push({ ...style, points: drawnPoints });
    }
  }
  const lines = [...under, ...over];
  return { lines, drawn: lines.reduce((n, l) => n + l.points.length, 0) };
}
