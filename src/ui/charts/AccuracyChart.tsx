// Test accuracy and test loss of both runs, on the held-out test split, side by side; the test
// loss on a log scale by default, like the training loss. Earlier races are drawn beside them
// when given (LineChartCard.tsx).
import { memo, useMemo, type ReactNode } from 'react';
import type { EvalPoint, RunId } from '../../contract/protocol';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import { RUN_COLORS, RUN_LABELS, X_AXIS_LABELS, formatCount, formatNumber, niceTicks, type ChartSizeProps, type XAxisKind } from './common';
import { LineChartCard, type LineChartView, type LinePanel, type PanelOverlay } from './LineChartCard';
import type { PanelAxes } from './LinePlot';
import { LogScaleToggle, evalSeries, lossYTicks } from './chartTools';
import type { ChartOverlayProps } from './overlayLines';

export interface AccuracyChartProps extends ChartSizeProps, ChartOverlayProps {
  metrics: MetricsSnapshot;
  xAxis: XAxisKind;
  /** The test-loss panel on a log scale (default true). */
  logScale?: boolean;
  onLogScaleChange?: (log: boolean) => void;
  explain?: ReactNode;
}

const formatPercentTick = (v: number) => `${v}%`;
const formatPercent = (v: number) => `${formatNumber(v, 4)}%`;
const formatLossTick = (v: number) => formatNumber(v, 2);
const formatLoss = (v: number) => formatNumber(v, 4);
const percentOf = (p: EvalPoint) => p.testAccuracy * 100;
const testLossOf = (p: EvalPoint) => p.testLoss;
const MARGIN = { top: 6, right: 12, bottom: 18, left: 0 };

function panelAxes(xAxis: XAxisKind, percent: boolean, log: boolean): PanelAxes {
  return {
    xLabel: X_AXIS_LABELS[xAxis],
    xTicks: 5,
    yLog: log,
    yTicks: percent ? () => niceTicks(0, 100, 6) : lossYTicks(log, 5),
    formatXTick: formatCount,
    formatYTick: percent ? formatPercentTick : formatLossTick,
    formatX: (v) => `${X_AXIS_LABELS[xAxis]}: ${formatNumber(v, 4)}`,
    formatY: percent ? formatPercent : formatLoss,
    yWidth: 44,
    margin: MARGIN,
  };
}

type RunEvals = Record<RunId, readonly EvalPoint[]>;

export const AccuracyChart = memo(function AccuracyChart(props: AccuracyChartProps) {
  const { metrics, xAxis, logScale = true, onLogScaleChange, explain, width, height } = props;
  const importance = metrics.runs.importance.evals;
  const uniform = metrics.runs.uniform.evals;
  const data = useMemo((): RunEvals => ({ importance, uniform }), [importance, uniform]);
  const view = useMemo(() => {
    const accAxes = panelAxes(xAxis, true, false);
    const lossAxes = panelAxes(xAxis, false, logScale);
    return (evals: RunEvals): LineChartView => {
      const panel = (key: string, caption: string, axes: PanelAxes, pick: (p: EvalPoint) => number, positiveOnly: boolean) => {
        const runs = RUN_IDS.map((run) => ({ run, data: evalSeries(evals[run], xAxis, pick, positiveOnly) })).filter((s) => s.data.length > 0);
        const p: LinePanel = {
          key,
          caption,
          axes,
          series: runs.map((s) => ({ key: s.run, name: RUN_LABELS[s.run], points: s.data, color: RUN_COLORS[s.run], width: 2 })),
        };
        return { panel: p, points: runs.reduce((n, s) => n + s.data.length, 0), runs: runs.map((s) => s.run) };
      };
      const acc = panel('accuracy', 'Test accuracy', accAxes, percentOf, false);
      const loss = panel('test-loss', 'Test loss', lossAxes, testLossOf, logScale);
      const latest = RUN_IDS.filter((run) => evals[run].length > 0).map((run) => ({ run, p: evals[run][evals[run].length - 1] }));
      return {
        panels: [acc.panel, loss.panel],
        points: acc.points + loss.points,
        legend: acc.runs.map((run) => ({ name: RUN_LABELS[run], color: RUN_COLORS[run] })),
        subtitle: latest.length ? (
          <span className="summary">
            {latest.map(({ run, p }) => (
              <span key={run} style={{ color: RUN_COLORS[run] }}>
                {RUN_LABELS[run]}: {formatNumber(p.testAccuracy * 100, 3)}%
              </span>
            ))}
          </span>
        ) : undefined,
      };
    };
  }, [xAxis, logScale]);
  const overlays = useMemo(
    (): PanelOverlay[] => [
      { metric: 'testAccuracy', xAxis },
      { metric: 'testLoss', xAxis, positiveOnly: logScale },
    ],
    [xAxis, logScale],
  );

  return (
    <LineChartCard
      testId="chart-accuracy"
      title="Test accuracy and test loss"
      subtitle="On the held-out test split"
      data={data}
      view={view}
      panelOverlays={overlays}
      overlays={props.overlays}
      liveSettings={props.liveSettings}
      liveBackend={props.liveBackend}
      width={width}
      height={height ?? 220}
      empty="Test metrics appear with the first evaluation."
      explain={explain}
      className="chart-pair"
      tools={<LogScaleToggle checked={logScale} onChange={onLogScaleChange} testId="test-loss-log-scale" />}
    />
  );
});
