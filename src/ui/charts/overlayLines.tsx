// Earlier races as the training charts draw them (issue: compare experiments): thin dashed
// lines in their run's color, one dash pattern per group, a group of seeds as its mean over a
// faint band, each named by what differs from the live settings ("uniform · seed 2"). A
// record's data never changes once saved, so everything here is memoised by the records' ids
// and save times, never recomputed with the live points.
import { useMemo } from 'react';
import type { RunId } from '../../contract/protocol';
import { defaultSettings, type Settings } from '../../contract/settings';
import { overlayGroups, overlaySeries, type OverlayGroup, type OverlayMetric } from '../history/overlay';
import type { HistoryRecord } from '../history/record';
import type { PngLegendItem } from '../export';
import { RUN_COLORS, extentOf, type XAxisKind, type XY } from './common';
import { downsampleXY } from './downsample';
import type { PlotBand, PlotLine, PlotPoint } from './PlotLines';
import { emaSmooth } from './smoothing';

/** The props a training chart takes to draw earlier races beside the live ones. */
export interface ChartOverlayProps {
  /** Earlier races to draw (the history panel's picks); records that differ only in the seed share a mean and band. */
  overlays?: readonly HistoryRecord[];
  /** The settings of the race on the page: an overlay is named by what it changes from them (defaults when absent). */
  liveSettings?: Settings;
  /** The backend the live race trains on ("webgpu"), so that a record from another backend says so. */
  liveBackend?: string | null;
}

/** One entry of a chart's overlay legend. */
export interface OverlayLegendItem {
  key: string;
  name: string;
  color: string;
  dash: string;
  /** Drawn as a mean with a band. */
  band: boolean;
}

export interface OverlayPlot {
  lines: PlotLine[];
  bands: PlotBand[];
  legend: OverlayLegendItem[];
}

export const NO_OVERLAY: OverlayPlot = { lines: [], bands: [], legend: [] };
const NO_GROUPS: readonly OverlayGroup[] = [];

/** One dash pattern per group, in turn, so that two earlier races of one run tell apart. */
const GROUP_DASHES = ['6 3', '2 3', '10 3 2 3', '1 3'];
export const OVERLAY_LINE_WIDTH = 1.25;
const OVERLAY_OPACITY = 0.85;
export const OVERLAY_BAND_OPACITY = 0.14;

/** Short run names for overlay labels: "uniform · seed 2". */
export const RUN_SHORT: Record<RunId, string> = { importance: 'importance', uniform: 'uniform' };

/**
 * `overlays` grouped and labelled against the live settings, the same array for as long as
 * the records (by id and save time), the live settings and backend are the same.
 */
export function useOverlayGroups({ overlays, liveSettings, liveBackend }: ChartOverlayProps): readonly OverlayGroup[] {
  const recordsKey = overlays?.map((r) => `${r.id}@${r.savedAt}`).join('\n') ?? '';
  const liveKey = liveSettings ? JSON.stringify(liveSettings) : '';
  return useMemo(
    () => (overlays?.length ? overlayGroups(overlays, liveSettings ?? defaultSettings(), liveBackend) : NO_GROUPS),
    // Keyed on the content: a new array of the same records (or equal settings) keeps the groups.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [recordsKey, liveKey, liveBackend],
  );
}

const toPlotPoints = (points: readonly XY[]): PlotPoint[] => points.map((p) => ({ x: p.x, y: p.y }));

/**
 * The lines, bands and legend of `groups`' curves of `metric`. `smoothing` > 0 draws each
 * overlay (a band's mean and both its edges) through the same moving average as the live
 * lines; `positiveOnly` leaves out what a log axis cannot show; `runName` names a run in the
 * labels ("uniform", "τ smoothed").
 */
export function overlayPlot(
  groups: readonly OverlayGroup[],
  metric: OverlayMetric,
  xAxis: XAxisKind,
  options: { smoothing?: number; positiveOnly?: boolean; runName?: (run: RunId) => string } = {},
): OverlayPlot {
  if (groups.length === 0) return NO_OVERLAY;
  const { smoothing = 0, positiveOnly = false, runName = (run: RunId) => RUN_SHORT[run] } = options;
  const smooth = (points: readonly XY[]) => (smoothing > 0 ? emaSmooth(points, smoothing) : points);
  const out: OverlayPlot = { lines: [], bands: [], legend: [] };
  for (const s of overlaySeries(groups, metric, xAxis, { positiveOnly })) {
    const name = `${runName(s.run)} · ${s.label}`;
    const color = RUN_COLORS[s.run];
    const dash = GROUP_DASHES[s.group % GROUP_DASHES.length];
    if (s.band) {
      const lo = smooth(s.band.map((p) => ({ x: p.x, y: p.lo })));
      const hi = smooth(s.band.map((p) => ({ x: p.x, y: p.hi })));
      out.bands.push({
        key: s.key,
        name: `${name} (min–max)`,
        points: lo.map((p, i) => ({ x: p.x, lo: p.y, hi: hi[i].y })),
        color,
        opacity: OVERLAY_BAND_OPACITY,
        attributes: { 'data-testid': 'overlay-band', 'data-overlay-label': name, 'data-run': s.run },
      });
    }
    out.lines.push({
      key: s.key,
      name: s.band ? `${name} (mean)` : name,
      // A band's mean is on a grid of at most DISPLAY_POINTS already; a record's own line is thinned like a live one.
      points: toPlotPoints(s.band ? smooth(s.line) : downsampleXY(smooth(s.line))),
      color,
      width: s.band ? OVERLAY_LINE_WIDTH + 0.25 : OVERLAY_LINE_WIDTH,
      opacity: OVERLAY_OPACITY,
      dash,
      attributes: { 'data-testid': 'overlay-line', 'data-overlay-label': name, 'data-run': s.run },
    });
    out.legend.push({ key: s.key, name: s.band ? `${name}: mean, band min–max` : name, color, dash, band: s.band !== null });
  }
  return out;
}

/** The overlay curves of one chart, recomputed only when the groups or the chart's axis settings change. */
export function useOverlayPlot(
  groups: readonly OverlayGroup[],
  metric: OverlayMetric,
  xAxis: XAxisKind,
  options: { smoothing?: number; positiveOnly?: boolean; runName?: (run: RunId) => string } = {},
): OverlayPlot {
  const { smoothing, positiveOnly, runName } = options;
  return useMemo(
    () => overlayPlot(groups, metric, xAxis, { smoothing, positiveOnly, runName }),
    [groups, metric, xAxis, smoothing, positiveOnly, runName],
  );
}

export interface Extent {
  xMax: number;
  yMin: number;
  yMax: number;
}

/**
 * The overlays' extent (largest x, smallest and largest y over their lines and both edges of
 * each band), or null for none. Taken once per overlay: charts merge it into their live
 * extent with `withOverlayExtent` instead of scanning the overlays' points at every redraw.
 */
export function overlayExtent(plot: OverlayPlot, positiveOnly = false): Extent | null {
  if (plot.lines.length === 0 && plot.bands.length === 0) return null;
  return extentOf(
    [
      ...plot.lines,
      ...plot.bands.flatMap((b) => [{ points: b.points.map((p) => ({ x: p.x, y: p.lo })) }, { points: b.points.map((p) => ({ x: p.x, y: p.hi })) }]),
    ],
    positiveOnly,
  );
}

/** `live` widened to hold `overlay`; `live` alone when there is no overlay, `overlay` alone when the live lines have no point yet. */
export function withOverlayExtent(live: Extent, liveHasPoints: boolean, overlay: Extent | null): Extent {
  if (!overlay) return live;
  if (!liveHasPoints) return overlay;
  return { xMax: Math.max(live.xMax, overlay.xMax), yMin: Math.min(live.yMin, overlay.yMin), yMax: Math.max(live.yMax, overlay.yMax) };
}

/** The PNG legend's entries for the overlays. */
export function overlayPngLegend(items: readonly OverlayLegendItem[]): PngLegendItem[] {
  return items.map((i) => ({ name: i.name, color: i.color }));
}

/** The overlays' legend under a chart: a swatch in each one's style, and its label. */
export function OverlayLegend({ items }: { items: readonly OverlayLegendItem[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="overlay-legend" data-testid="overlay-legend">
      {items.map((i) => (
        <li key={i.key} className="overlay-legend-item">
          <svg className="overlay-legend-swatch" width={26} height={10} aria-hidden="true">
            {i.band ? <rect x={0} y={1} width={26} height={8} fill={i.color} fillOpacity={OVERLAY_BAND_OPACITY * 2} /> : null}
            <line x1={0} x2={26} y1={5} y2={5} stroke={i.color} strokeWidth={1.5} strokeDasharray={i.dash} />
          </svg>
          <span>{i.name}</span>
        </li>
      ))}
    </ul>
  );
}
