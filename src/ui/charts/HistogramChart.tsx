// A histogram from the sampler's latest snapshot: the presample's scores, or the weights
// w = 1/(B·p) of the samples drawn.
import { memo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { Histogram } from '../../engine/protocol';
import { ChartBox, ChartFrame, formatNumber, tooltipStyle, type ChartSizeProps } from './common';

export interface HistogramRow {
  /** Bin center. */
  x: number;
  from: number;
  to: number;
  count: number;
}

export function histogramRows(h: Histogram | null | undefined): HistogramRow[] {
  if (!h || h.edges.length !== h.counts.length + 1) return [];
  return h.counts.map((count, i) => ({
    x: (h.edges[i] + h.edges[i + 1]) / 2,
    from: h.edges[i],
    to: h.edges[i + 1],
    count: Number.isFinite(count) ? count : 0,
  }));
}

export interface HistogramChartProps extends ChartSizeProps {
  testId: string;
  title: string;
  subtitle?: ReactNode;
  histogram: Histogram | null | undefined;
  color: string;
  xLabel: string;
  /** A vertical marker, e.g. weight 1 (what uniform sampling gives every sample). */
  marker?: { x: number; label: string };
  explain?: ReactNode;
}

export const HistogramChart = memo(function HistogramChart(props: HistogramChartProps) {
  const { testId, title, subtitle, histogram, color, xLabel, marker, explain, width, height } = props;
  const rows = histogramRows(histogram);
  const total = rows.reduce((n, r) => n + r.count, 0);
  const lo = rows.length ? rows[0].from : 0;
  const hi = rows.length ? rows[rows.length - 1].to : 1;
  const showMarker = marker && rows.length > 0 && marker.x >= lo && marker.x <= hi;

  return (
    <ChartFrame
      testId={testId}
      title={title}
      subtitle={subtitle}
      points={total > 0 ? rows.length : 0}
      legend={[{ name: title, color }]}
      empty="Appears once the sampler has scored a presample."
      explain={explain}
    >
      <ChartBox width={width} height={height ?? 200}>
        <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 0 }} barCategoryGap={1}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            type="number"
            dataKey="x"
            domain={[lo, hi]}
            tickFormatter={(v: number) => formatNumber(v, 3)}
            label={{ value: xLabel, position: 'insideBottom', offset: -10 }}
          />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip
            {...tooltipStyle}
            formatter={(v) => [String(v), 'samples']}
            labelFormatter={(_, payload) => {
              const row = payload?.[0]?.payload as HistogramRow | undefined;
              return row ? `${formatNumber(row.from, 3)} – ${formatNumber(row.to, 3)}` : '';
            }}
          />
          {showMarker ? (
            <ReferenceLine
              x={marker.x}
              stroke="var(--muted)"
              strokeDasharray="4 3"
              label={{ value: marker.label, position: 'insideTopRight', fontSize: 11 }}
            />
          ) : null}
          <Bar dataKey="count" fill={color} isAnimationActive={false} />
        </BarChart>
      </ChartBox>
    </ChartFrame>
  );
});
