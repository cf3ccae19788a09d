// Training loss of both runs, measured on the fixed evaluation subset (the honest number:
// the importance run's batch loss is weighted and on hard samples), against each run's own
// clock, its steps or the samples it has seen. Optionally smoothed for display (the raw
// curve stays, faint) and with earlier races drawn beside the live ones (overlayLines.tsx).
import { memo, useCallback, useId, useMemo, type ReactNode } from 'react';
import { LineChart } from 'recharts';
import type { EvalPoint, RunId } from '../../engine/protocol';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import {
  ChartBox,
  ChartFrame,
  RUN_COLORS,
  RUN_LABELS,
  X_AXIS_LABELS,
  extentOf,
  formatCount,
  formatNumber,
  logTicks,
  niceTicks,
  runPlotLines,
  useLineChartFrame,
  useStableTicks,
  xValue,
  type ChartSizeProps,
  type RunLine,
  type XAxisKind,
  type XY,
} from './common';
import { downsampleXY } from './downsample';
import {
  OverlayLegend,
  overlayExtent,
  overlayPngLegend,
  useOverlayGroups,
  useOverlayPlot,
  withOverlayExtent,
  type ChartOverlayProps,
  type OverlayPlot,
} from './overlayLines';
import { PlotLines, type PlotLine } from './PlotLines';
import { RAW_OPACITY, clampSmoothing, emaSmooth } from './smoothing';
import { useChartValue } from './throttle';

export interface LossChartProps extends ChartSizeProps, ChartOverlayProps {
  metrics: MetricsSnapshot;
  /** EMA weight of the display smoothing (SmoothingSlider), 0 … 0.99; 0 or absent: the raw curves. */
  smoothing?: number;
  xAxis: XAxisKind;
  onXAxisChange?: (x: XAxisKind) => void;
  logScale: boolean;
  onLogScaleChange?: (log: boolean) => void;
  explain?: ReactNode;
}

/** The (x, loss) points of one run; non-finite losses, and non-positive ones on a log axis, are left out. */
export function lossSeries(metrics: MetricsSnapshot, run: RunId, xAxis: XAxisKind, logScale: boolean): XY[] {
  return lossPoints(metrics.runs[run].evals, xAxis, logScale);
}

function lossPoints(evals: readonly EvalPoint[], xAxis: XAxisKind, logScale: boolean): XY[] {
  const out: XY[] = [];
  for (const p of evals) {
    const y = p.trainLoss;
    if (!Number.isFinite(y) || (logScale && y <= 0)) continue;
    out.push({ x: xValue(xAxis, p), y });
  }
  return out;
}

export function XAxisPicker({ value, onChange }: { value: XAxisKind; onChange?: (x: XAxisKind) => void }) {
  const id = useId();
  return (
    <span className="tool">
      <label htmlFor={id}>x</label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange?.(e.target.value as XAxisKind)}
        data-testid="loss-x-axis"
      >
        {(Object.keys(X_AXIS_LABELS) as XAxisKind[]).map((k) => (
          <option key={k} value={k}>
            {X_AXIS_LABELS[k]}
          </option>
        ))}
      </select>
    </span>
  );
}

const formatLoss = (v: number) => formatNumber(v, 2);
const formatLossExact = (v: number) => formatNumber(v, 4);

/**
 * The lines of the live runs: as they are, or, smoothed, each run's smoothed curve drawn over
 * its raw one, faint (both named in the hover readout).
 */
function livePlotLines(lines: readonly RunLine[], smoothed: readonly RunLine[] | null): PlotLine[] {
  if (!smoothed) return runPlotLines(lines);
  const raw = runPlotLines(lines).map((l) => ({ ...l, key: `${l.key}-raw`, name: `${l.name} (raw)`, width: 1.25, opacity: RAW_OPACITY }));
  return [...raw, ...runPlotLines(smoothed)];
}

/**
 * The drawing, apart from the card: re-renders only when its lines or axes change, and then
 * Recharts (the grid and axes) only when the ticks move.
 */
const LossPlot = memo(function LossPlot(props: {
  lines: readonly RunLine[];
  smoothed: readonly RunLine[] | null;
  overlay: OverlayPlot;
  xAxis: XAxisKind;
  logScale: boolean;
  width?: number;
  height?: number;
}) {
  const { lines, smoothed, overlay, xAxis, logScale, width, height } = props;
  const plotLines = useMemo(() => livePlotLines(lines, smoothed), [lines, smoothed]);
  // The overlays' points are static: their extent is taken once.
  const overlayE = useMemo(() => overlayExtent(overlay, logScale), [overlay, logScale]);
  const e = withOverlayExtent(extentOf(plotLines, logScale), lines.length > 0, overlayE);
  const x = useStableTicks(niceTicks(0, e.xMax, 6));
  const y = useStableTicks(logScale ? logTicks(e.yMin, e.yMax) : niceTicks(0, e.yMax, 5));
  const frame = useLineChartFrame({ x, y, xLabel: X_AXIS_LABELS[xAxis], formatX: formatCount, formatY: formatLoss, yWidth: 48 });
  const formatX = useCallback((v: number) => `${X_AXIS_LABELS[xAxis]}: ${formatNumber(v, 4)}`, [xAxis]);
  return (
    <ChartBox width={width} height={height ?? 260}>
      <LineChart data={frame.data} margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
        {frame.children}
        <PlotLines
          lines={plotLines}
          overlays={overlay.lines}
          bands={overlay.bands}
          x={x}
          y={y}
          formatX={formatX}
          formatY={formatLossExact}
        />
      </LineChart>
    </ChartBox>
  );
});

export const LossChart = memo(function LossChart(props: LossChartProps) {
  const { metrics, xAxis, onXAxisChange, logScale, onLogScaleChange, explain, width, height } = props;
  const smoothing = clampSmoothing(props.smoothing);
  const logId = useId();
  const shown = useChartValue(metrics);
  const importanceEvals = shown.runs.importance.evals;
  const uniformEvals = shown.runs.uniform.evals;
  // Recomputed only when the evaluations change (steps-only batches leave the chart alone).
  // The smoothing runs over every point, before the display downsampling thins them.
  const { lines, smoothed, points, drawn } = useMemo(() => {
    const full = RUN_IDS.map((run) => ({
      run,
      data: lossPoints(run === 'importance' ? importanceEvals : uniformEvals, xAxis, logScale),
    })).filter((s) => s.data.length > 0);
    const lines = full.map((s) => ({ run: s.run, data: downsampleXY(s.data) }));
    const smoothed = smoothing > 0 ? full.map((s) => ({ run: s.run, data: downsampleXY(emaSmooth(s.data, smoothing)) })) : null;
    return {
      lines,
      smoothed,
      points: full.reduce((n, s) => n + s.data.length, 0),
      drawn: [...lines, ...(smoothed ?? [])].reduce((n, s) => n + s.data.length, 0),
    };
  }, [importanceEvals, uniformEvals, xAxis, logScale, smoothing]);
  const groups = useOverlayGroups(props);
  const overlay = useOverlayPlot(groups, 'trainLoss', xAxis, { smoothing, positiveOnly: logScale });
  const legend = useMemo(
    () => [...lines.map((s) => ({ name: RUN_LABELS[s.run], color: RUN_COLORS[s.run] })), ...overlayPngLegend(overlay.legend)],
    [lines, overlay],
  );

  return (
    <ChartFrame
      testId="chart-loss"
      title="Training loss"
      subtitle="Mean loss on a fixed evaluation subset of the training set, same for both runs"
      points={points}
      drawn={drawn}
      legend={legend}
      // With earlier races to show, the chart draws them before the live run's first evaluation.
      empty={overlay.lines.length ? undefined : 'The first evaluation appears after a few steps.'}
      explain={explain}
      tools={
        <>
          <XAxisPicker value={xAxis} onChange={onXAxisChange} />
          <span className="tool">
            <input
              id={logId}
              type="checkbox"
              checked={logScale}
              onChange={(e) => onLogScaleChange?.(e.target.checked)}
              data-testid="loss-log-scale"
            />
            <label htmlFor={logId}>log</label>
          </span>
        </>
      }
    >
      <LossPlot
        lines={lines}
        smoothed={smoothed}
        overlay={overlay}
        xAxis={xAxis}
        logScale={logScale}
        width={width}
        height={height}
      />
      <OverlayLegend items={overlay.legend} />
    </ChartFrame>
  );
});
