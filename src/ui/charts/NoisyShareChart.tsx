// With label noise on: how many of the drawn samples carry a flipped (wrong) label. Wrong
// labels stay hard forever, so importance sampling tends to draw them more often than their
// share of the data: the method's known weak spot.
import { memo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import {
  ChartBox,
  ChartFrame,
  RUN_COLORS,
  RUN_LABELS,
  THRESHOLD_COLOR,
  formatNumber,
  tooltipStyle,
  type ChartSizeProps,
} from './common';

export interface NoisyShareChartProps extends ChartSizeProps {
  metrics: MetricsSnapshot;
  /** Share of flipped labels in the training set (0..1). */
  datasetShare: number;
  explain?: ReactNode;
}

export const NoisyShareChart = memo(function NoisyShareChart({ metrics, datasetShare, explain, width, height }: NoisyShareChartProps) {
  const rows = [{ name: 'In the data', share: datasetShare * 100, color: THRESHOLD_COLOR }];
  for (const r of RUN_IDS) {
    const v = metrics.runs[r].snapshot?.noisyShare;
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      rows.push({ name: RUN_LABELS[r], share: v * 100, color: RUN_COLORS[r] });
    }
  }
  const points = rows.length > 1 ? rows.length : 0;
  return (
    <ChartFrame
      testId="chart-noisy-share"
      title="Noisy labels drawn"
      subtitle="Share of drawn samples whose label was flipped"
      points={points}
      legend={rows.map((r) => ({ name: r.name, color: r.color }))}
      empty="Appears after the first steps."
      explain={explain}
    >
      <ChartBox width={width} height={height ?? 150}>
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[0, 'auto']} tickFormatter={(v: number) => `${v}%`} />
          <YAxis type="category" dataKey="name" width={132} tick={{ fontSize: 11 }} />
          <Tooltip {...tooltipStyle} formatter={(v) => `${formatNumber(Number(v), 3)}%`} />
          <Bar dataKey="share" isAnimationActive={false} barSize={18}>
            {rows.map((r) => (
              <Cell key={r.name} fill={r.color} />
            ))}
          </Bar>
        </BarChart>
      </ChartBox>
    </ChartFrame>
  );
});
