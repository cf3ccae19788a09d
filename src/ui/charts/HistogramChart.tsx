// A histogram from the sampler's latest snapshot: the presample's scores, or the weights
// w = 1/(B·p) of the samples drawn.
import { memo, useMemo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { Histogram } from '../../contract/protocol';
import { ChartBox, ChartFrame, formatNumber, tooltipProps, type ChartSizeProps } from './common';
import { useChartValue } from './throttle';

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

/** The drawing, apart from the frame: re-renders only when its bins change. */
const HistogramPlot = memo(function HistogramPlot(props: {
  rows: readonly HistogramRow[];
  color: string;
  xLabel: string;
  marker?: { x: number; label: string };
  width?: number;
  height?: number;
}) {
  const { rows, color, xLabel, marker, width, height } = props;
  const lo = rows.length ? rows[0].from : 0;
  const hi = rows.length ? rows[rows.length - 1].to : 1;
  const showMarker = marker && rows.length > 0 && marker.x >= lo && marker.x <= hi;
  return (
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
          {...tooltipProps}
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
  );
});

export const HistogramChart = memo(function HistogramChart(props: HistogramChartProps) {
  const { testId, title, subtitle, histogram, color, xLabel, marker, explain, width, height } = props;
  // The bins come ready from the engine's worker (src/engine/page/snapshot.ts); only their rows here.
  const shown = useChartValue(histogram);
  const rows = useMemo(() => histogramRows(shown), [shown]);
  const total = rows.reduce((n, r) => n + r.count, 0);
  const legend = useMemo(() => [{ name: title, color }], [title, color]);

  return (
    <ChartFrame
      testId={testId}
      title={title}
      subtitle={subtitle}
      points={total > 0 ? rows.length : 0}
      legend={legend}
      empty="Appears once the sampler has scored a presample."
      explain={explain}
    >
      <HistogramPlot rows={rows} color={color} xLabel={xLabel} marker={marker} width={width} height={height} />
    </ChartFrame>
  );
});
