// τ, the estimated equivalent batch-size increase of importance sampling (paper Eq. 26-27),
// raw and smoothed, against τ_th, the break-even point (Eq. 29). Stretches where the
// importance run actually trained on importance-sampled batches are shaded. Optionally raw τ
// smoothed for display (the raw points stay, faint), and the smoothed τ of earlier races drawn
// beside it (LineChartCard.tsx).
import { memo, useMemo, type ReactNode } from 'react';
import type { StepPoint } from '../../contract/protocol';
import type { MetricsSnapshot } from '../metricsStore';
import { ACTIVE_SHADE, RUN_COLORS, THRESHOLD_COLOR, formatCount, formatNumber, niceTicks, type ChartSizeProps } from './common';
import { DISPLAY_POINTS, downsample } from './downsample';
import { LineChartCard, type LineChartView, type PanelOverlay } from './LineChartCard';
import type { PanelAxes, XAreaStyle } from './LinePlot';
import type { Extent, ChartOverlayProps } from './overlayLines';
import type { PlotPoint } from './PlotLines';

export interface Stretch {
  from: number;
  to: number;
}

/**
 * The step ranges where importance sampling was active, at most `maxAreas` of them: when
 * there are more, the shortest gaps between stretches are closed first.
 */
export function activeStretches(steps: readonly StepPoint[], maxAreas = 60): Stretch[] {
  const out: Stretch[] = [];
  let open: Stretch | null = null;
  for (let i = 0; i < steps.length; i++) {
    const p = steps[i];
    if (p.importanceActive) {
      if (open) open.to = p.step;
      else open = { from: p.step, to: p.step };
    } else if (open) {
      // The stretch runs until the next (inactive) point, so one-step stretches are visible.
      open.to = p.step;
      out.push(open);
      open = null;
    }
  }
  if (open) out.push(open);
  if (out.length <= maxAreas) return out;
  // Closing a gap leaves the other gaps as they were, so closing the shortest one repeatedly
  // is closing the (count − maxAreas) shortest at once (ties: the earlier gap first).
  const gaps = Array.from({ length: out.length - 1 }, (_, i) => i + 1); // gap i: between stretch i-1 and i
  const gapLength = (i: number) => out[i].from - out[i - 1].to;
  gaps.sort((a, b) => gapLength(a) - gapLength(b) || a - b);
  const closed = new Uint8Array(out.length);
  for (let k = 0; k < out.length - Math.max(1, maxAreas); k++) closed[gaps[k]] = 1;
  const merged: Stretch[] = [];
  for (let i = 0; i < out.length; i++) {
    if (closed[i]) merged[merged.length - 1] = { from: merged[merged.length - 1].from, to: out[i].to };
    else merged.push(out[i]);
  }
  return merged;
}

interface TauRow {
  x: number;
  raw: number | null;
  smooth: number | null;
  th: number | null;
  /** Importance sampling was active at this step (kept where it switches, when downsampling). */
  active: boolean;
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

export function tauRows(steps: readonly StepPoint[]): TauRow[] {
  return steps.map((p) => ({
    x: p.step,
    raw: finiteOrNull(p.tauRaw),
    smooth: finiteOrNull(p.tauSmoothed),
    th: finiteOrNull(p.tauThreshold),
    active: p.importanceActive,
  }));
}

/** The rows drawn: downsampled keeping each line's extremes and every on/off switch. */
export function tauDisplayRows(rows: readonly TauRow[], maxPoints = DISPLAY_POINTS): readonly TauRow[] {
  return downsample(rows, maxPoints, {
    values: [(r) => r.raw, (r) => r.smooth, (r) => r.th],
    pin: (prev, r) => prev.active !== r.active,
  });
}

/** A lower y limit: 1 (no gain), or lower while the smoothed τ warms up from 0. */
export function yMin(rows: readonly TauRow[]): number {
  let lo = 1;
  for (const r of rows) if (r.smooth !== null && r.smooth < lo) lo = r.smooth;
  return Math.max(0, Math.floor(lo * 10) / 10);
}

/** An upper y limit that keeps τ_th and the smoothed τ readable when raw τ spikes. */
export function yMax(rows: readonly TauRow[]): number {
  const raws = rows.map((r) => r.raw).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const p98 = raws.length ? raws[Math.min(raws.length - 1, Math.floor(raws.length * 0.98))] : 1;
  let top = Math.max(1.2, p98);
  for (const r of rows) {
    if (r.smooth !== null) top = Math.max(top, r.smooth);
    if (r.th !== null) top = Math.max(top, r.th * 1.15);
  }
  return Math.ceil(top * 1.05 * 10) / 10;
}

const THRESHOLD_MODE_TEXT = { costModel: 'cost model', measured: 'measured on this device', fixed: 'fixed' } as const;

export interface TauChartProps extends ChartSizeProps, ChartOverlayProps {
  metrics: MetricsSnapshot;
  /**
   * EMA weight of the display smoothing of raw τ (SmoothingSlider), 0 … 0.99; 0 or absent: raw
   * τ as it is. The engine's smoothed τ, the one the sampler decides on, is drawn as it is.
   */
  smoothing?: number;
  /** The τ_th in force now, from the engine's status. */
  thresholdNow?: number | null;
  /** τ_th from this device's timings, when measured. */
  measuredThreshold?: number | null;
  thresholdMode?: 'costModel' | 'measured' | 'fixed';
  explain?: ReactNode;
}

const formatTauTick = (v: number) => formatNumber(v, 2);
const formatTau = (v: number) => formatNumber(v, 4);
const RAW_COLOR = '#ffa94d';
const AREA_STYLE: XAreaStyle = { color: ACTIVE_SHADE, opacity: 0.13, className: 'is-active-area' };
/** The overlays draw each earlier race's smoothed τ, as the live one's: not smoothed again. */
const OVERLAYS: readonly PanelOverlay[] = [{ metric: 'tau', xAxis: 'steps', runName: () => 'τ smoothed' }];
const TAU_LEGEND = [
  { name: 'τ smoothed', color: RUN_COLORS.importance },
  { name: 'τ raw', color: RAW_COLOR },
  { name: 'τ_th', color: THRESHOLD_COLOR },
];

/**
 * The y ticks: from the live rows' limits (yMin, yMax), widened to hold the earlier races' τ
 * with the same margins.
 */
function tauYTicks(lo: number, hi: number) {
  return (_: Extent, overlay: Extent | null) =>
    overlay
      ? niceTicks(Math.min(lo, Math.max(0, Math.floor(overlay.yMin * 10) / 10)), Math.max(hi, Math.ceil(overlay.yMax * 1.05 * 10) / 10), 6)
      : niceTicks(lo, hi, 6);
}

const column = (rows: readonly TauRow[], pick: (r: TauRow) => number | null): PlotPoint[] => rows.map((r) => ({ x: r.x, y: pick(r) }));

/** The chart's view of the importance run's steps. */
function tauView(steps: readonly StepPoint[], subtitleOf: (last: StepPoint | null, activeSteps: number, count: number) => ReactNode): LineChartView {
  const rows = tauRows(steps);
  // The lines draw a thinned copy of the rows that keeps every on/off switch; smoothing reads them all.
  const shown = tauDisplayRows(rows);
  const axes: PanelAxes = {
    xLabel: 'Steps (importance run)',
    xTicks: 6,
    yLog: false,
    yTicks: tauYTicks(yMin(rows), yMax(rows)),
    formatXTick: formatCount,
    formatYTick: formatTauTick,
    formatX: (v) => `Step ${formatCount(v)}`,
    formatY: formatTau,
    yWidth: 44,
    margin: { top: 8, right: 16, bottom: 18, left: 4 },
  };
  const stretches = activeStretches(steps);
  const activeSteps = steps.reduce((n, p) => n + (p.importanceActive ? 1 : 0), 0);
  const last = steps.length ? steps[steps.length - 1] : null;
  return {
    panels: [
      {
        key: 'tau',
        axes,
        areas: stretches,
        areaStyle: AREA_STYLE,
        series: [
          { key: 'raw', name: 'τ raw', points: column(rows, (r) => r.raw), shown: column(shown, (r) => r.raw), color: RAW_COLOR, width: 1, opacity: 0.55, smooth: true },
          { key: 'th', name: 'τ_th', points: column(shown, (r) => r.th), color: THRESHOLD_COLOR, width: 1.5, dash: '6 4', step: true },
          { key: 'smooth', name: 'τ smoothed', points: column(shown, (r) => r.smooth), color: RUN_COLORS.importance, width: 2.25 },
        ],
      },
    ],
    points: rows.length,
    legend: TAU_LEGEND,
    subtitle: subtitleOf(last, activeSteps, steps.length),
    dataAttributes: {
      'data-active-spans': stretches.length,
      'data-importance-active': last ? String(last.importanceActive) : 'false',
    },
  };
}

export const TauChart = memo(function TauChart(props: TauChartProps) {
  const { metrics, thresholdNow, measuredThreshold, thresholdMode, explain, width, height, smoothing } = props;
  const view = useMemo(() => {
    const subtitle = (last: StepPoint | null, activeSteps: number, count: number): ReactNode => {
      if (!last) return undefined;
      const th = thresholdNow ?? last.tauThreshold ?? null;
      return (
        <span className="summary">
          <span>τ (smoothed) {formatNumber(last.tauSmoothed, 3)}</span>
          {th !== null ? (
            <span>
              τ_th {formatNumber(th, 3)}
              {thresholdMode ? ` (${THRESHOLD_MODE_TEXT[thresholdMode]})` : ''}
            </span>
          ) : null}
          {thresholdMode !== 'measured' && measuredThreshold != null && Number.isFinite(measuredThreshold) ? (
            <span>measured here: {formatNumber(measuredThreshold, 3)}</span>
          ) : null}
          <span>
            importance sampling {last.importanceActive ? 'on' : 'off'} ({Math.round((100 * activeSteps) / count)}% of plotted steps)
          </span>
        </span>
      );
    };
    return (steps: readonly StepPoint[]) => tauView(steps, subtitle);
  }, [thresholdNow, measuredThreshold, thresholdMode]);

  return (
    <LineChartCard
      testId="chart-tau"
      title="Variance reduction τ vs. threshold τ_th"
      subtitle="Importance run; shaded where importance sampling was active"
      data={metrics.runs.importance.steps}
      view={view}
      panelOverlays={OVERLAYS}
      overlays={props.overlays}
      liveSettings={props.liveSettings}
      liveBackend={props.liveBackend}
      smoothing={smoothing}
      width={width}
      height={height ?? 260}
      empty="τ appears with the first training step."
      explain={explain}
    />
  );
});
