// Which classes each run's batches are drawn from, over a recent window. Uniform sampling
// follows the class frequencies; importance sampling leans towards the classes the model
// still gets wrong (and towards a rare class when one is made rare).
import { memo, useMemo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunId } from '../../contract/protocol';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import { ChartBox, ChartFrame, RUN_COLORS, RUN_LABELS, formatNumber, tooltipProps, type ChartSizeProps } from './common';
import { useChartValue } from './throttle';

export interface ClassShareChartProps extends ChartSizeProps {
  metrics: MetricsSnapshot;
  classNames: readonly string[];
  explain?: ReactNode;
}

type Row = { name: string } & Partial<Record<RunId, number>>;

export function classShareRows(metrics: MetricsSnapshot, classNames: readonly string[]): { rows: Row[]; runs: RunId[] } {
  const { importance, uniform } = metrics.runs;
  return rowsOf({ importance: importance.snapshot?.classShare, uniform: uniform.snapshot?.classShare }, classNames);
}

type Shares = Record<RunId, readonly number[] | undefined>;

function rowsOf(shares: Shares, classNames: readonly string[]): { rows: Row[]; runs: RunId[] } {
  const runs = RUN_IDS.filter((r) => (shares[r]?.length ?? 0) > 0);
  const n = Math.max(classNames.length, ...runs.map((r) => shares[r]?.length ?? 0));
  const rows: Row[] = [];
  for (let c = 0; c < n; c++) {
    const row: Row = { name: classNames[c] ?? String(c) };
    for (const r of runs) {
      const v = shares[r]?.[c];
      row[r] = v !== undefined && Number.isFinite(v) ? v * 100 : 0;
    }
    rows.push(row);
  }
  return { rows, runs };
}

/** The drawing, apart from the frame: re-renders only when the shares change. */
const ClassSharePlot = memo(function ClassSharePlot(props: { rows: Row[]; runs: RunId[]; width?: number; height?: number }) {
  const { rows, runs, width, height } = props;
  return (
    <ChartBox width={width} height={height ?? 200}>
      <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 0 }} barGap={1}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} />
        <YAxis tickFormatter={(v: number) => `${v}%`} width={40} />
        <Tooltip {...tooltipProps} formatter={(v) => `${formatNumber(Number(v), 3)}%`} />
        {runs.map((r) => (
          <Bar key={r} dataKey={r} name={RUN_LABELS[r]} fill={RUN_COLORS[r]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartBox>
  );
});

export const ClassShareChart = memo(function ClassShareChart({ metrics, classNames, explain, width, height }: ClassShareChartProps) {
  const shown = useChartValue(metrics);
  // The shares come ready from the engine's worker (src/engine/page/snapshot.ts).
  const importanceShare = shown.runs.importance.snapshot?.classShare;
  const uniformShare = shown.runs.uniform.snapshot?.classShare;
  const { rows, runs, legend } = useMemo(() => {
    const { rows, runs } = rowsOf({ importance: importanceShare, uniform: uniformShare }, classNames);
    return { rows, runs, legend: runs.map((r) => ({ name: RUN_LABELS[r], color: RUN_COLORS[r] })) };
  }, [importanceShare, uniformShare, classNames]);
  const points = runs.length ? rows.length * runs.length : 0;
  return (
    <ChartFrame
      testId="chart-class-share"
      title="Classes drawn"
      subtitle="Share of each class among recently drawn training samples"
      points={points}
      legend={legend}
      empty="Appears after the first steps."
      explain={explain}
    >
      <ClassSharePlot rows={rows} runs={runs} width={width} height={height} />
    </ChartFrame>
  );
});
