// The variance lab (docs/method.md §8; the paper's RQ4, live): at every probe of the
// importance run's model, how much sampling by the score reduced the variance of the batch
// gradient (measured from exact per-sample gradients), what τ predicted from the scores alone,
// and the best any distribution could do; below, the three variances themselves.
//
// Probes come one per varianceLabInterval steps, so the chart draws every point it holds
// (the store thins them on very long runs) and re-renders only when a new one arrives: App
// hands it the store's array, which keeps its identity until then.
import { memo, useMemo, type ReactNode } from 'react';
import { CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { VarianceLabPoint } from '../../contract/protocol';
import { ChartBox, ChartFrame, RUN_COLORS, THRESHOLD_COLOR, UnmeasuredCurve, formatCount, formatNumber, tooltipProps, type ChartSizeProps } from './common';

const COLORS = {
  measured: RUN_COLORS.importance,
  predicted: '#ae3ec9',
  tau: '#ffa94d',
  optimal: '#2f9e44',
  uniform: RUN_COLORS.uniform,
} as const;

export interface LabRow {
  x: number;
  /** Var_u / Var_score. */
  measured: number | null;
  /** τ², the reduction τ predicts (‖ḡ‖² neglected). */
  predicted: number | null;
  tau: number | null;
  /** Var_u / Var_optimal: the most any sampling distribution could give. */
  best: number | null;
  uniform: number | null;
  score: number | null;
  optimal: number | null;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);
/** A log axis cannot show 0 (every gradient equal) or a non-number. */
const positive = (v: number) => (Number.isFinite(v) && v > 0 ? v : null);

export function labRows(points: readonly VarianceLabPoint[]): LabRow[] {
  return points.map((p) => ({
    x: p.step,
    measured: finite(p.measuredReduction),
    predicted: finite(p.predictedTau * p.predictedTau),
    tau: finite(p.predictedTau),
    best: p.optimalVariance > 0 ? finite(p.uniformVariance / p.optimalVariance) : null,
    uniform: positive(p.uniformVariance),
    score: positive(p.scoreVariance),
    optimal: positive(p.optimalVariance),
  }));
}

const REDUCTION_LINES = [
  { key: 'measured', name: 'measured reduction Var_u / Var_score', color: COLORS.measured, width: 2.25, dash: undefined },
  { key: 'predicted', name: 'predicted τ² (from the scores)', color: COLORS.predicted, width: 1.5, dash: '6 4' },
  { key: 'tau', name: 'τ', color: COLORS.tau, width: 1, dash: '2 3' },
  { key: 'best', name: 'best possible Var_u / Var_opt', color: COLORS.optimal, width: 1.5, dash: undefined },
] as const;

const VARIANCE_LINES = [
  { key: 'uniform', name: 'Var uniform', color: COLORS.uniform },
  { key: 'score', name: 'Var ∝ score', color: COLORS.measured },
  { key: 'optimal', name: 'Var ∝ ‖gradient‖ (optimum)', color: COLORS.optimal },
] as const;

const LEGEND = [...REDUCTION_LINES.map((l) => ({ name: l.name, color: l.color })), { name: 'uniform = 1', color: THRESHOLD_COLOR }];

const xAxis = (label: string | null) => (
  <XAxis
    type="number"
    dataKey="x"
    domain={['dataMin', 'dataMax']}
    allowDecimals={false}
    tickFormatter={(v: number) => formatCount(v)}
    label={label ? { value: label, position: 'insideBottom', offset: -10 } : undefined}
  />
);

const dot = (n: number) => (n < 30 ? { r: 2.5 } : false);

/** Both plots: re-rendered only when the rows change. */
const LabPlots = memo(function LabPlots({ rows, width, height }: { rows: readonly LabRow[]; width?: number; height?: number }) {
  const h = height ?? 200;
  return (
    <>
      <ChartBox width={width} height={h}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          {xAxis(null)}
          <YAxis type="number" domain={[0, 'auto']} tickFormatter={(v: number) => formatNumber(v, 2)} width={44} label={{ value: '×', position: 'insideLeft' }} />
          <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v), 4)} labelFormatter={(v) => `Step ${String(v)}`} />
          {/* Reduction 1: no better than uniform. */}
          <ReferenceLine y={1} stroke={THRESHOLD_COLOR} strokeDasharray="4 4" ifOverflow="extendDomain" />
          {REDUCTION_LINES.map((l) => (
            <Line
              key={l.key}
              dataKey={l.key}
              name={l.name}
              stroke={l.color}
              strokeWidth={l.width}
              strokeDasharray={l.dash}
              dot={dot(rows.length)}
              isAnimationActive={false}
              shape={UnmeasuredCurve}
              connectNulls
            />
          ))}
        </ComposedChart>
      </ChartBox>
      <ChartBox width={width} height={h}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          {xAxis('Steps (importance run)')}
          <YAxis type="number" scale="log" domain={['auto', 'auto']} allowDataOverflow tickFormatter={(v: number) => formatNumber(v, 2)} width={56} />
          <Tooltip {...tooltipProps} formatter={(v) => formatNumber(Number(v), 4)} labelFormatter={(v) => `Step ${String(v)}`} />
          {VARIANCE_LINES.map((l) => (
            <Line key={l.key} dataKey={l.key} name={l.name} stroke={l.color} strokeWidth={2} dot={dot(rows.length)} isAnimationActive={false} shape={UnmeasuredCurve} connectNulls />
          ))}
        </ComposedChart>
      </ChartBox>
    </>
  );
});

export interface VarianceLabChartProps extends ChartSizeProps {
  /** The importance run's probes (the store's array: a new one only when a probe arrives). */
  points: readonly VarianceLabPoint[];
  /** Steps between probes now (the setting), for the empty state; 0 = off. */
  interval?: number;
  explain?: ReactNode;
}

export const VarianceLabChart = memo(function VarianceLabChart({ points, interval, explain, width, height }: VarianceLabChartProps) {
  const rows = useMemo(() => labRows(points), [points]);
  const last = points.length ? points[points.length - 1] : null;
  return (
    <ChartFrame
      testId="chart-variance-lab"
      title="Variance lab: the gradient variance, measured"
      subtitle={
        last ? (
          <span className="summary">
            <span>step {last.step}: measured ×{formatNumber(last.measuredReduction, 3)}</span>
            <span>τ² predicted ×{formatNumber(last.predictedTau ** 2, 3)} (τ {formatNumber(last.predictedTau, 3)})</span>
            <span>best possible ×{last.optimalVariance > 0 ? formatNumber(last.uniformVariance / last.optimalVariance, 3) : '—'}</span>
            {last.presampleSize ? (
              <span>
                probe B = {last.presampleSize}, b = {last.batchSize}
              </span>
            ) : null}
          </span>
        ) : (
          'Importance run: exact per-sample gradients on a probe presample'
        )
      }
      points={points.length}
      dataAttributes={{ 'data-last-step': last?.step ?? 0 }}
      legend={[...LEGEND, ...VARIANCE_LINES.map((l) => ({ name: l.name, color: l.color }))]}
      empty={
        interval === 0
          ? 'The variance lab is off (Variance lab interval = 0 in the Run settings).'
          : `The first probe comes at step ${interval ?? 'N'} of the importance run (Variance lab interval).`
      }
      explain={explain}
    >
      <LabPlots rows={rows} width={width} height={height} />
    </ChartFrame>
  );
});

/** What the lab shows, next to it. */
export function ExplainVarianceLab() {
  return (
    <>
      <p>
        <strong>The claim, checked.</strong> Every few hundred steps (the Variance lab interval) the page stops both
        clocks, draws a fresh presample of the training set and computes each sample’s exact gradient, one backward pass
        per sample. From these it works out how noisy a batch gradient of b samples is when the batch is drawn uniformly,
        in proportion to the chosen score (as the importance run does), or in proportion to the true gradient sizes, the
        best any sampling can do. All three estimate the same average gradient; only their noise differs.
      </p>
      <p>
        <strong>Look for</strong> the measured reduction (uniform noise ÷ score noise) against τ², what the scores alone
        predict. A reduction of 2 means an importance batch is as precise as a uniform batch twice its size. The measured
        line sits below τ² when the samples’ gradients share a common direction (τ ignores it), and below the best possible
        line by what the score misses of the true gradient sizes. Below 1, sampling by this score would do worse than
        uniform.
      </p>
    </>
  );
}
