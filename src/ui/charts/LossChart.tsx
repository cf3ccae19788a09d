// Training loss of both runs, measured on the fixed evaluation subset (the honest number:
// the importance run's batch loss is weighted and on hard samples), against each run's own
// clock, its steps or the samples it has seen; on a log scale by default, where a loss two
// times lower late in training is as far below as it is early on. Optionally smoothed for
// display, with earlier races drawn beside the live ones (LineChartCard.tsx).
import { memo, useMemo, type ReactNode } from 'react';
import type { EvalPoint, RunId } from '../../contract/protocol';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import { RUN_COLORS, RUN_LABELS, X_AXIS_LABELS, formatCount, formatNumber, type ChartSizeProps, type XAxisKind, type XY } from './common';
import { LogScaleToggle, XAxisPicker, evalSeries, lossYTicks } from './chartTools';
import { LineChartCard, type LineChartView, type PanelOverlay } from './LineChartCard';
import type { PanelAxes } from './LinePlot';
import type { ChartOverlayProps } from './overlayLines';

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
  return evalSeries(metrics.runs[run].evals, xAxis, (p) => p.trainLoss, logScale);
}

const formatLoss = (v: number) => formatNumber(v, 2);
const formatLossExact = (v: number) => formatNumber(v, 4);

/** The loss panel's axes, one object per (x axis, scale). */
function lossAxes(xAxis: XAxisKind, log: boolean): PanelAxes {
  return {
    xLabel: X_AXIS_LABELS[xAxis],
    xTicks: 6,
    yLog: log,
    yTicks: lossYTicks(log, 5),
    formatXTick: formatCount,
    formatYTick: formatLoss,
    formatX: (v) => `${X_AXIS_LABELS[xAxis]}: ${formatNumber(v, 4)}`,
    formatY: formatLossExact,
    yWidth: 48,
    margin: { top: 8, right: 16, bottom: 18, left: 4 },
  };
}

type RunEvals = Record<RunId, readonly EvalPoint[]>;

export const LossChart = memo(function LossChart(props: LossChartProps) {
  const { metrics, xAxis, onXAxisChange, logScale, onLogScaleChange, explain, width, height, smoothing } = props;
  const importance = metrics.runs.importance.evals;
  const uniform = metrics.runs.uniform.evals;
  // The chart's data: the two runs' evaluations (a batch of steps alone leaves them, and the chart, as they are).
  const data = useMemo((): RunEvals => ({ importance, uniform }), [importance, uniform]);
  const view = useMemo(() => {
    const axes = lossAxes(xAxis, logScale);
    return (evals: RunEvals): LineChartView => {
      const runs = RUN_IDS.map((run) => ({ run, data: evalSeries(evals[run], xAxis, (p) => p.trainLoss, logScale) })).filter(
        (s) => s.data.length > 0,
      );
      return {
        panels: [
          {
            key: 'loss',
            axes,
            series: runs.map((s) => ({ key: s.run, name: RUN_LABELS[s.run], points: s.data, color: RUN_COLORS[s.run], width: 2, smooth: true })),
          },
        ],
        points: runs.reduce((n, s) => n + s.data.length, 0),
        legend: runs.map((s) => ({ name: RUN_LABELS[s.run], color: RUN_COLORS[s.run] })),
      };
    };
  }, [xAxis, logScale]);
  const overlays = useMemo((): PanelOverlay[] => [{ metric: 'trainLoss', xAxis, smoothed: true, positiveOnly: logScale }], [xAxis, logScale]);

  return (
    <LineChartCard
      testId="chart-loss"
      title="Training loss"
      subtitle="Mean loss on a fixed evaluation subset of the training set, same for both runs"
      data={data}
      view={view}
      panelOverlays={overlays}
      overlays={props.overlays}
      liveSettings={props.liveSettings}
      liveBackend={props.liveBackend}
      smoothing={smoothing}
      width={width}
      height={height ?? 260}
      empty="The first evaluation appears after a few steps."
      explain={explain}
      tools={
        <>
          <XAxisPicker value={xAxis} onChange={onXAxisChange} />
          <LogScaleToggle checked={logScale} onChange={onLogScaleChange} testId="loss-log-scale" />
        </>
      }
    />
  );
});
