// With label noise on: how many of the drawn samples carry a flipped (wrong) label. Wrong
// labels stay hard forever, so importance sampling tends to draw them more often than their
// share of the data: the method's known weak spot.
import { memo, useMemo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import {
  ChartBox,
  ChartFrame,
  RUN_COLORS,
  RUN_LABELS,
  THRESHOLD_COLOR,
  formatNumber,
  tooltipProps,
  type ChartSizeProps,
} from './common';
import { useChartValue } from './throttle';

export interface NoisyShareChartProps extends ChartSizeProps {
  metrics: MetricsSnapshot;
  /** Share of flipped labels in the training set (0..1). */
  datasetShare: number;
  explain?: ReactNode;
}

interface NoisyRow {
  name: string;
  share: number;
  color: string;
}

/** The drawing, apart from the frame: re-renders only when the shares change. */
const NoisySharePlot = memo(function NoisySharePlot(props: { rows: NoisyRow[]; width?: number; height?: number }) {
  const { rows, width, height } = props;
  return (
    <ChartBox width={width} height={height ?? 150}>
      <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, 'auto']} tickFormatter={(v: number) => `${v}%`} />
        <YAxis type="category" dataKey="name" width={132} tick={{ fontSize: 11 }} />
        <Tooltip {...tooltipProps} formatter={(v) => `${formatNumber(Number(v), 3)}%`} />
        <Bar dataKey="share" isAnimationActive={false} barSize={18}>
          {rows.map((r) => (
            <Cell key={r.name} fill={r.color} />
          ))}
        </Bar>
      </BarChart>
    </ChartBox>
  );
});

export const NoisyShareChart = memo(function NoisyShareChart({ metrics, datasetShare, explain, width, height }: NoisyShareChartProps) {
  const shown = useChartValue(metrics);
  const importanceNoisy = shown.runs.importance.snapshot?.noisyShare;
  const uniformNoisy = shown.runs.uniform.snapshot?.noisyShare;
  // Numbers, not objects: a new snapshot with the same shares leaves the chart alone.
  const rows = useMemo(() => {
    const out: NoisyRow[] = [{ name: 'In the data', share: datasetShare * 100, color: THRESHOLD_COLOR }];
    const shares = { importance: importanceNoisy, uniform: uniformNoisy };
    for (const r of RUN_IDS) {
      const v = shares[r];
      if (v !== null && v !== undefined && Number.isFinite(v)) out.push({ name: RUN_LABELS[r], share: v * 100, color: RUN_COLORS[r] });
    }
    return out;
  }, [datasetShare, importanceNoisy, uniformNoisy]);
  const legend = useMemo(() => rows.map((r) => ({ name: r.name, color: r.color })), [rows]);
  const points = rows.length > 1 ? rows.length : 0;
  return (
    <ChartFrame
      testId="chart-noisy-share"
      title="Noisy labels drawn"
      subtitle="Share of drawn samples whose label was flipped"
      points={points}
      legend={legend}
      empty="Appears after the first steps."
      explain={explain}
    >
      <NoisySharePlot rows={rows} width={width} height={height} />
    </ChartFrame>
  );
});
