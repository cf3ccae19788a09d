// Test accuracy and test loss of both runs, on the held-out test split.
import { memo, type ReactNode } from 'react';
import { CartesianGrid, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalPoint, RunId } from '../../engine/protocol';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import {
  ChartBox,
  ChartFrame,
  RUN_COLORS,
  runLines,
  RUN_LABELS,
  X_AXIS_LABELS,
  formatCount,
  formatNumber,
  tooltipStyle,
  xValue,
  type ChartSizeProps,
  type XAxisKind,
} from './common';
import type { XY } from './LossChart';

export interface AccuracyChartProps extends ChartSizeProps {
  metrics: MetricsSnapshot;
  xAxis: XAxisKind;
  explain?: ReactNode;
}

function series(metrics: MetricsSnapshot, run: RunId, xAxis: XAxisKind, pick: (p: EvalPoint) => number): XY[] {
  const out: XY[] = [];
  for (const p of metrics.runs[run].evals) {
    const y = pick(p);
    if (Number.isFinite(y)) out.push({ x: xValue(xAxis, p), y });
  }
  return out;
}

function Panel(props: {
  title: string;
  xAxis: XAxisKind;
  data: { run: RunId; data: XY[] }[];
  percent: boolean;
  width?: number;
  height: number;
}) {
  const { title, xAxis, data, percent, width, height } = props;
  return (
    <figure className="panel">
      <figcaption>{title}</figcaption>
      <ChartBox width={width} height={height}>
        <LineChart margin={{ top: 6, right: 12, bottom: 18, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="x"
            domain={[0, 'auto']}
            tickFormatter={(v: number) => formatCount(v)}
            label={{ value: X_AXIS_LABELS[xAxis], position: 'insideBottom', offset: -10 }}
          />
          <YAxis
            type="number"
            dataKey="y"
            domain={percent ? [0, 100] : [0, 'auto']}
            tickFormatter={(v: number) => (percent ? `${v}%` : formatNumber(v, 2))}
            width={44}
          />
          <Tooltip
            {...tooltipStyle}
            formatter={(v) => (percent ? `${formatNumber(Number(v), 4)}%` : formatNumber(Number(v), 4))}
            labelFormatter={(v) => `${X_AXIS_LABELS[xAxis]}: ${formatNumber(Number(v), 4)}`}
          />
          {runLines(data)}
        </LineChart>
      </ChartBox>
    </figure>
  );
}

export const AccuracyChart = memo(function AccuracyChart({ metrics, xAxis, explain, width, height }: AccuracyChartProps) {
  const acc = RUN_IDS.map((run) => ({ run, data: series(metrics, run, xAxis, (p) => p.testAccuracy * 100) })).filter(
    (s) => s.data.length > 0,
  );
  const loss = RUN_IDS.map((run) => ({ run, data: series(metrics, run, xAxis, (p) => p.testLoss) })).filter(
    (s) => s.data.length > 0,
  );
  const points = [...acc, ...loss].reduce((n, s) => n + s.data.length, 0);
  const last = (run: RunId) => {
    const e = metrics.runs[run].evals;
    return e.length ? e[e.length - 1] : null;
  };
  const summary = RUN_IDS.map((run) => ({ run, p: last(run) })).filter((s) => s.p !== null);
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
                {RUN_LABELS[run]}: {formatNumber((p?.testAccuracy ?? 0) * 100, 3)}%
              </span>
            ))}
          </span>
        ) : (
          'On the held-out test split'
        )
      }
      points={points}
      legend={acc.map((s) => ({ name: RUN_LABELS[s.run], color: RUN_COLORS[s.run] }))}
      empty="Test metrics appear with the first evaluation."
      explain={explain}
      className="chart-pair"
    >
      <div className="panels">
        <Panel title="Test accuracy" xAxis={xAxis} data={acc} percent width={panelWidth} height={height ?? 220} />
        <Panel title="Test loss" xAxis={xAxis} data={loss} percent={false} width={panelWidth} height={height ?? 220} />
      </div>
    </ChartFrame>
  );
});
