// Test accuracy and test loss of both runs, on the held-out test split, with earlier races
// drawn beside them when given (overlayLines.tsx).
import { memo, useCallback, useMemo, type ReactNode } from 'react';
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
import { PlotLines } from './PlotLines';
import { useChartValue } from './throttle';

export interface AccuracyChartProps extends ChartSizeProps, ChartOverlayProps {
  metrics: MetricsSnapshot;
  xAxis: XAxisKind;
  explain?: ReactNode;
}

function series(evals: readonly EvalPoint[], xAxis: XAxisKind, pick: (p: EvalPoint) => number): XY[] {
  const out: XY[] = [];
  for (const p of evals) {
    const y = pick(p);
    if (Number.isFinite(y)) out.push({ x: xValue(xAxis, p), y });
  }
  return out;
}

const formatPercentTick = (v: number) => `${v}%`;
const formatPercent = (v: number) => `${formatNumber(v, 4)}%`;
const formatLossTick = (v: number) => formatNumber(v, 2);
const formatLoss = (v: number) => formatNumber(v, 4);

/**
 * One panel's drawing: re-renders only when its lines or axis change, and then Recharts (the
 * grid and axes) only when the ticks move.
 */
const Panel = memo(function Panel(props: {
  title: string;
  xAxis: XAxisKind;
  data: readonly RunLine[];
  overlay: OverlayPlot;
  percent: boolean;
  width?: number;
  height: number;
}) {
  const { title, xAxis, data, overlay, percent, width, height } = props;
  const plotLines = useMemo(() => runPlotLines(data), [data]);
  // The overlays' points are static: their extent is taken once.
  const overlayE = useMemo(() => overlayExtent(overlay), [overlay]);
  const e = withOverlayExtent(extentOf(plotLines), data.length > 0, overlayE);
  const x = useStableTicks(niceTicks(0, e.xMax, 5));
  const y = useStableTicks(niceTicks(0, percent ? 100 : e.yMax, percent ? 6 : 5));
  const frame = useLineChartFrame({
    x,
    y,
    xLabel: X_AXIS_LABELS[xAxis],
    formatX: formatCount,
    formatY: percent ? formatPercentTick : formatLossTick,
    yWidth: 44,
  });
  const formatX = useCallback((v: number) => `${X_AXIS_LABELS[xAxis]}: ${formatNumber(v, 4)}`, [xAxis]);
  return (
    <figure className="panel">
      <figcaption>{title}</figcaption>
      <ChartBox width={width} height={height}>
        <LineChart data={frame.data} margin={{ top: 6, right: 12, bottom: 18, left: 0 }}>
          {frame.children}
          <PlotLines
            lines={plotLines}
            overlays={overlay.lines}
            bands={overlay.bands}
            x={x}
            y={y}
            formatX={formatX}
            formatY={percent ? formatPercent : formatLoss}
          />
        </LineChart>
      </ChartBox>
    </figure>
  );
});

const percentOf = (p: EvalPoint) => p.testAccuracy * 100;
const testLossOf = (p: EvalPoint) => p.testLoss;

/** The lines of one quantity for both runs (runs without points left out), downsampled for display. */
function runLinesOf(evals: Record<RunId, readonly EvalPoint[]>, xAxis: XAxisKind, pick: (p: EvalPoint) => number) {
  const full = RUN_IDS.map((run) => ({ run, data: series(evals[run], xAxis, pick) })).filter((s) => s.data.length > 0);
  return {
    lines: full.map((s) => ({ run: s.run, data: downsampleXY(s.data) })),
    points: full.reduce((n, s) => n + s.data.length, 0),
  };
}

export const AccuracyChart = memo(function AccuracyChart(props: AccuracyChartProps) {
  const { metrics, xAxis, explain, width, height } = props;
  const shown = useChartValue(metrics);
  const importanceEvals = shown.runs.importance.evals;
  const uniformEvals = shown.runs.uniform.evals;
  // Recomputed only when the evaluations change (steps-only batches leave the chart alone).
  const { acc, loss, points, drawn, summary, legend } = useMemo(() => {
    const evals = { importance: importanceEvals, uniform: uniformEvals };
    const acc = runLinesOf(evals, xAxis, percentOf);
    const loss = runLinesOf(evals, xAxis, testLossOf);
    return {
      acc: acc.lines,
      loss: loss.lines,
      points: acc.points + loss.points,
      drawn: [...acc.lines, ...loss.lines].reduce((n, s) => n + s.data.length, 0),
      summary: RUN_IDS.filter((run) => evals[run].length > 0).map((run) => ({ run, p: evals[run][evals[run].length - 1] })),
      legend: acc.lines.map((s) => ({ name: RUN_LABELS[s.run], color: RUN_COLORS[s.run] })),
    };
  }, [importanceEvals, uniformEvals, xAxis]);
  const groups = useOverlayGroups(props);
  const accOverlay = useOverlayPlot(groups, 'testAccuracy', xAxis);
  const lossOverlay = useOverlayPlot(groups, 'testLoss', xAxis);
  // Both panels draw the same records from the same evaluations: one legend names them.
  const overlayLegend = accOverlay.legend.length ? accOverlay.legend : lossOverlay.legend;
  const pngLegend = useMemo(() => [...legend, ...overlayPngLegend(overlayLegend)], [legend, overlayLegend]);
  const panelWidth = width ? Math.floor(width / 2) : undefined;

  return (
    <ChartFrame
      testId="chart-accuracy"
      title="Test accuracy and test loss"
      subtitle={
        summary.length ? (
          <span className="summary">
            {summary.map(({ run, p }) => (
              <span key={run} style={{ color: RUN_COLORS[run] }}>
                {RUN_LABELS[run]}: {formatNumber(p.testAccuracy * 100, 3)}%
              </span>
            ))}
          </span>
        ) : (
          'On the held-out test split'
        )
      }
      points={points}
      drawn={drawn}
      legend={pngLegend}
      // With earlier races to show, the chart draws them before the live run's first evaluation.
      empty={overlayLegend.length ? undefined : 'Test metrics appear with the first evaluation.'}
      explain={explain}
      className="chart-pair"
    >
      <div className="panels">
        <Panel title="Test accuracy" xAxis={xAxis} data={acc} overlay={accOverlay} percent width={panelWidth} height={height ?? 220} />
        <Panel
          title="Test loss"
          xAxis={xAxis}
          data={loss}
          overlay={lossOverlay}
          percent={false}
          width={panelWidth}
          height={height ?? 220}
        />
      </div>
      <OverlayLegend items={overlayLegend} />
    </ChartFrame>
  );
});
