// τ, the estimated equivalent batch-size increase of importance sampling (paper Eq. 26-27),
// raw and smoothed, against τ_th, the break-even point (Eq. 29). Stretches where the
// importance run actually trained on importance-sampled batches are shaded. Optionally raw τ
// smoothed for display (the raw points stay, faint), and the smoothed τ of earlier races drawn
// beside it (overlayLines.tsx).
import { memo, useMemo, type ReactNode } from 'react';
import { ComposedChart, ReferenceArea } from 'recharts';
import type { StepPoint } from '../../engine/protocol';
import type { MetricsSnapshot } from '../metricsStore';
import {
  ACTIVE_SHADE,
  ChartBox,
  ChartFrame,
  RUN_COLORS,
  THRESHOLD_COLOR,
  formatCount,
  formatNumber,
  niceTicks,
  useLineChartFrame,
  useStableTicks,
  type AxisTicks,
  type ChartSizeProps,
  type XY,
} from './common';
import { DISPLAY_POINTS, downsample, downsampleXY } from './downsample';
import {
  OverlayLegend,
  overlayExtent,
  overlayPngLegend,
  useOverlayGroups,
  useOverlayPlot,
  type ChartOverlayProps,
  type OverlayPlot,
} from './overlayLines';
import { PlotLines, type PlotLine } from './PlotLines';
import { RAW_OPACITY, clampSmoothing, emaSmooth } from './smoothing';
import { useChartValue } from './throttle';

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
function yMin(rows: readonly TauRow[]): number {
  let lo = 1;
  for (const r of rows) if (r.smooth !== null && r.smooth < lo) lo = r.smooth;
  return Math.max(0, Math.floor(lo * 10) / 10);
}

/** An upper y limit that keeps τ_th and the smoothed τ readable when raw τ spikes. */
function yMax(rows: readonly TauRow[]): number {
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
const TAU_X_LABEL = 'Steps (importance run)';
const formatStep = (v: number) => `Step ${formatCount(v)}`;
const RAW_COLOR = '#ffa94d';
const RAW_EMA_NAME = 'τ raw (EMA)';
/** The overlays draw each earlier race's smoothed τ. */
const tauRunName = () => 'τ smoothed';

/** Raw τ through the display EMA, over every row (before the display downsampling thins them). */
function smoothedRaw(rows: readonly TauRow[], weight: number): readonly XY[] {
  return downsampleXY(emaSmooth(rows.map((r) => ({ x: r.x, y: r.raw ?? NaN })), weight));
}

/**
 * The drawing, apart from the card: re-renders only when its rows, shading or axis change,
 * and then Recharts (grid, axes, shading) only when the ticks or the stretches move.
 */
const TauPlot = memo(function TauPlot(props: {
  rows: readonly TauRow[];
  /** Raw τ smoothed for display, or null. */
  rawEma: readonly XY[] | null;
  stretches: readonly Stretch[];
  overlay: OverlayPlot;
  xMax: number;
  y: AxisTicks;
  width?: number;
  height?: number;
}) {
  const { rows, rawEma, stretches, overlay, xMax, y, width, height } = props;
  const lines = useMemo(
    (): PlotLine[] => [
      {
        key: 'raw',
        name: 'τ raw',
        points: rows.map((r) => ({ x: r.x, y: r.raw })),
        color: RAW_COLOR,
        width: 1,
        opacity: rawEma ? RAW_OPACITY : 0.55,
      },
      ...(rawEma ? [{ key: 'raw-ema', name: RAW_EMA_NAME, points: rawEma, color: RAW_COLOR, width: 1.5 }] : []),
      {
        key: 'th',
        name: 'τ_th',
        points: rows.map((r) => ({ x: r.x, y: r.th })),
        color: THRESHOLD_COLOR,
        width: 1.5,
        dash: '6 4',
        step: true,
      },
      { key: 'smooth', name: 'τ smoothed', points: rows.map((r) => ({ x: r.x, y: r.smooth })), color: RUN_COLORS.importance, width: 2.25 },
    ],
    [rows, rawEma],
  );
  const x = useStableTicks(niceTicks(0, xMax, 6));
  const frame = useLineChartFrame({ x, y, xLabel: TAU_X_LABEL, formatX: formatCount, formatY: formatTauTick, yWidth: 44 });
  const shading = useMemo(
    () =>
      stretches.map((s, i) => (
        <ReferenceArea
          key={`${s.from}-${i}`}
          x1={s.from}
          x2={s.to === s.from ? s.from + 0.5 : s.to}
          y1={y.lo}
          y2={y.hi}
          fill={ACTIVE_SHADE}
          fillOpacity={0.13}
          stroke="none"
          ifOverflow="hidden"
          className="is-active-area"
          // Drawn above the lines' hover target: let the pointer through to it.
          pointerEvents="none"
        />
      )),
    [y, stretches],
  );
  return (
    <ChartBox width={width} height={height ?? 260}>
      <ComposedChart data={frame.data} margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
        {frame.children}
        {shading}
        <PlotLines
          lines={lines}
          overlays={overlay.lines}
          bands={overlay.bands}
          x={x}
          y={y}
          formatX={formatStep}
          formatY={formatTau}
        />
      </ComposedChart>
    </ChartBox>
  );
});

const TAU_LEGEND = [
  { name: 'τ smoothed', color: RUN_COLORS.importance },
  { name: 'τ raw', color: RAW_COLOR },
  { name: 'τ_th', color: THRESHOLD_COLOR },
];

export const TauChart = memo(function TauChart(props: TauChartProps) {
  const { metrics, thresholdNow, measuredThreshold, thresholdMode, explain, width, height } = props;
  const smoothing = clampSmoothing(props.smoothing);
  const steps = useChartValue(metrics).runs.importance.steps;
  // Everything the chart derives from the steps, once per new batch of steps: the axis and the
  // shading from all of them, the lines from a downsampled copy.
  const view = useMemo(() => {
    const rows = tauRows(steps);
    return {
      rows,
      drawn: tauDisplayRows(rows),
      stretches: activeStretches(steps),
      yLo: yMin(rows),
      yHi: yMax(rows),
      activeSteps: steps.reduce((n, p) => n + (p.importanceActive ? 1 : 0), 0),
    };
  }, [steps]);
  const { rows, drawn, stretches, activeSteps } = view;
  const rawEma = useMemo(() => (smoothing > 0 ? smoothedRaw(rows, smoothing) : null), [rows, smoothing]);
  const groups = useOverlayGroups(props);
  // The engine's smoothed τ of each earlier race, as the live one's: not smoothed again.
  const overlay = useOverlayPlot(groups, 'tau', 'steps', { runName: tauRunName });
  const overlayE = useMemo(() => overlayExtent(overlay), [overlay]);
  const hasOverlay = overlayE !== null;
  // The y range holds the earlier races' τ too, with the same margin as the live one's.
  const yTicks = useStableTicks(
    overlayE
      ? niceTicks(
          Math.min(view.yLo, Math.max(0, Math.floor(overlayE.yMin * 10) / 10)),
          Math.max(view.yHi, Math.ceil(overlayE.yMax * 1.05 * 10) / 10),
          6,
        )
      : niceTicks(view.yLo, view.yHi, 6),
  );
  const xMax = Math.max(rows.length ? rows[rows.length - 1].x : overlayE ? 0 : 1, overlayE?.xMax ?? 0);
  const legend = useMemo(
    () => [...TAU_LEGEND, ...(rawEma ? [{ name: RAW_EMA_NAME, color: RAW_COLOR }] : []), ...overlayPngLegend(overlay.legend)],
    [rawEma, overlay],
  );
  const last = steps.length ? steps[steps.length - 1] : null;
  const th = thresholdNow ?? last?.tauThreshold ?? null;

  return (
    <ChartFrame
      testId="chart-tau"
      title="Variance reduction τ vs. threshold τ_th"
      subtitle={
        last ? (
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
              importance sampling {last.importanceActive ? 'on' : 'off'} ({Math.round((100 * activeSteps) / steps.length)}% of
              plotted steps)
            </span>
          </span>
        ) : (
          'Importance run; shaded where importance sampling was active'
        )
      }
      points={rows.length}
      drawn={drawn.length + (rawEma?.length ?? 0)}
      dataAttributes={{
        'data-active-spans': stretches.length,
        'data-importance-active': last ? String(last.importanceActive) : 'false',
      }}
      legend={legend}
      // With earlier races to show, the chart draws them before the live run's first step.
      empty={hasOverlay ? undefined : 'τ appears with the first training step.'}
      explain={explain}
    >
      <TauPlot
        rows={drawn}
        rawEma={rawEma}
        stretches={stretches}
        overlay={overlay}
        xMax={xMax}
        y={yTicks}
        width={width}
        height={height}
      />
      <OverlayLegend items={overlay.legend} />
    </ChartFrame>
  );
});
