// The loss ratio at equal own-clock time against time, with the band inside which two identical
// runs would differ by chance (the "who is ahead" readout's maths, race/whoIsAhead.ts): the gap
// is seen as it opens. Above 1 the importance run's training loss is lower. Its data is the
// two runs' evaluations, so a batch of steps alone redraws nothing; each redraw computes at
// most RATIO_POINTS ratios.
import { memo, useMemo, type ReactNode } from 'react';
import type { EvalPoint, RunId } from '../../contract/protocol';
import { ratioSeries, type RatioPoint } from '../race/whoIsAhead';
import type { MetricsSnapshot } from '../metricsStore';
import { THRESHOLD_COLOR, X_AXIS_LABELS, formatCount, formatNumber, logTicks, type ChartSizeProps } from './common';
import { LineChartCard, type LineChartView } from './LineChartCard';
import type { PanelAxes } from './LinePlot';

export interface RatioChartProps extends ChartSizeProps {
  metrics: MetricsSnapshot;
  explain?: ReactNode;
}

/** The ratio line's color: neither run's, readable on the light and the dark background. */
export const RATIO_COLOR = '#845ef7';

/**
 * Log ticks over the ratios, at least 1/1.1 … 1.1 (a level race does not fill the height with
 * noise), widened for the band by at most a factor 2 each way: early in a race the band is
 * wide, and the axis stays on the ratio (the plot clips the rest of the band).
 */
export function ratioTicks(series: readonly RatioPoint[]) {
  let lo = 1 / 1.1;
  let hi = 1.1;
  for (const p of series) {
    lo = Math.min(lo, p.ratio);
    hi = Math.max(hi, p.ratio);
  }
  let bandLo = lo;
  let bandHi = hi;
  for (const p of series) {
    bandLo = Math.min(bandLo, p.lo);
    bandHi = Math.max(bandHi, p.hi);
  }
  return logTicks(Math.max(bandLo, lo / 2), Math.min(bandHi, hi * 2));
}

const AXES: Omit<PanelAxes, 'yTicks'> = {
  xLabel: X_AXIS_LABELS.time,
  xTicks: 6,
  yLog: true,
  formatXTick: formatCount,
  formatYTick: (v) => `${formatNumber(v, 2)}×`,
  formatX: (v) => `${X_AXIS_LABELS.time}: ${formatNumber(v, 4)}`,
  formatY: (v) => `${formatNumber(v, 3)}×`,
  yWidth: 44,
  margin: { top: 8, right: 16, bottom: 18, left: 4 },
};

const LEGEND = [
  { name: 'uniform loss / importance loss', color: RATIO_COLOR },
  { name: 'level band', color: THRESHOLD_COLOR },
];

type RunEvals = Record<RunId, readonly EvalPoint[]>;

/** The chart's view of both runs' evaluations. */
export function ratioView(evals: RunEvals): LineChartView {
  const series = ratioSeries(evals.importance, evals.uniform);
  const last = series.length ? series[series.length - 1] : null;
  const yTicks = ratioTicks(series);
  const x = (t: number) => t / 1000;
  return {
    panels: [
      {
        key: 'ratio',
        axes: { ...AXES, yTicks: () => yTicks },
        bands: series.length
          ? [
              {
                key: 'level-band',
                name: 'level band',
                points: series.map((p) => ({ x: x(p.t), lo: p.lo, hi: p.hi })),
                color: THRESHOLD_COLOR,
                opacity: 0.25,
                attributes: { 'data-testid': 'level-band' },
              },
            ]
          : [],
        series: series.length
          ? [
              {
                key: 'even',
                name: 'equal loss',
                points: [
                  { x: x(series[0].t), y: 1 },
                  { x: x(series[series.length - 1].t), y: 1 },
                ],
                color: THRESHOLD_COLOR,
                width: 1,
                dash: '4 4',
              },
              { key: 'ratio', name: 'loss ratio', points: series.map((p) => ({ x: x(p.t), y: p.ratio })), color: RATIO_COLOR, width: 2 },
            ]
          : [],
      },
    ],
    points: series.length,
    legend: LEGEND,
    dataAttributes: last ? { 'data-last-ratio': last.ratio, 'data-last-band': last.hi - 1 } : undefined,
  };
}

export const RatioChart = memo(function RatioChart({ metrics, explain, width, height }: RatioChartProps) {
  const importance = metrics.runs.importance.evals;
  const uniform = metrics.runs.uniform.evals;
  const data = useMemo((): RunEvals => ({ importance, uniform }), [importance, uniform]);
  return (
    <LineChartCard
      testId="chart-loss-ratio"
      title="Loss ratio at equal time"
      subtitle="Uniform’s training loss over importance’s, both trends at the same own-clock time; shaded: the level band"
      data={data}
      view={ratioView}
      width={width}
      height={height ?? 200}
      empty="The ratio appears once both runs have four evaluations in the time they have in common."
      explain={explain}
    />
  );
});
