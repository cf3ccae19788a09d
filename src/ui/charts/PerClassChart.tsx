// Per-class test accuracy of both runs, and each run's confusion matrix, from the newest
// evaluation that carries confusion counts (EvalPoint.testConfusion). Both runs are scored
// on the same test samples, so a class where their bars differ is a class one run learned
// better; the matrix shows what the misses are taken for.
import { memo, useMemo, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { EvalPoint, RunId } from '../../contract/protocol';
import { classCounts, confusionClasses, confusionRates, latestConfusion, overallAccuracy, perClassAccuracy } from '../classMetrics';
import { RUN_IDS, type MetricsSnapshot } from '../metricsStore';
import { ChartBox, ChartFrame, RUN_COLORS, RUN_LABELS, formatNumber, tooltipProps, type ChartSizeProps } from './common';
import { useChartValue } from './throttle';

export interface PerClassChartProps extends ChartSizeProps {
  metrics: MetricsSnapshot;
  classNames: readonly string[];
  /** Fraction of training labels flipped (the explanation adds a sentence when > 0). */
  labelNoise: number;
  /** The class made rare in the training set; -1 = none. Marked in the chart and the explanation. */
  imbalanceClass: number;
  /** The explanation; by default ExplainPerClass for these settings (null: none). */
  explain?: ReactNode;
}

/** One run's newest evaluation with confusion counts, and what the chart derives from it. */
export interface RunClassMetrics {
  run: RunId;
  step: number;
  classes: number;
  confusion: readonly number[];
  /** Row-normalised confusion: [t·K + p] = share of class t's test samples predicted p. */
  rates: number[];
  /** Test samples per true class. */
  counts: number[];
  accuracy: (number | null)[];
  overall: number | null;
}

type Row = { name: string } & Partial<Record<RunId, number>>;

function runMetrics(run: RunId, point: (EvalPoint & { testConfusion: number[] }) | null): RunClassMetrics | null {
  if (!point) return null;
  const confusion = point.testConfusion;
  const classes = confusionClasses(confusion);
  if (classes === null) return null;
  return {
    run,
    step: point.step,
    classes,
    confusion,
    rates: confusionRates(confusion, classes),
    counts: classCounts(confusion, classes),
    accuracy: perClassAccuracy(confusion, classes),
    overall: overallAccuracy(confusion, classes),
  };
}

/** The runs that have an evaluation with confusion counts, importance first. */
export function perClassMetrics(metrics: MetricsSnapshot): RunClassMetrics[] {
  return RUN_IDS.map((r) => runMetrics(r, latestConfusion(metrics.runs[r].evals))).filter((m): m is RunClassMetrics => m !== null);
}

/** The bars: one row per class, each run's test accuracy in % (absent for a class with no test samples). */
export function perClassRows(runs: readonly RunClassMetrics[], classNames: readonly string[]): Row[] {
  const n = Math.max(0, ...runs.map((m) => m.classes));
  const rows: Row[] = [];
  for (let c = 0; c < n; c++) {
    const row: Row = { name: className(classNames, c) };
    for (const m of runs) {
      const a = m.accuracy[c];
      if (a !== null && a !== undefined) row[m.run] = a * 100;
    }
    rows.push(row);
  }
  return rows;
}

const className = (names: readonly string[], c: number): string => names[c] ?? String(c);
const percent = (v: number | null): string => (v === null ? '–' : `${formatNumber(v * 100, 3)}%`);
const shorten = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The bars, apart from the frame: re-renders only when the rows change. */
const AccuracyBars = memo(function AccuracyBars(props: { rows: Row[]; runs: RunId[]; rare: string | null; width?: number; height?: number }) {
  const { rows, runs, rare, width, height } = props;
  return (
    <ChartBox width={width} height={height ?? 200}>
      <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 0 }} barGap={1}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} tickFormatter={(v: string) => (v === rare ? `${v}*` : v)} />
        <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v}%`} width={40} />
        <Tooltip {...tooltipProps} formatter={(v) => `${formatNumber(Number(v), 3)}%`} />
        {runs.map((r) => (
          <Bar key={r} dataKey={r} name={RUN_LABELS[r]} fill={RUN_COLORS[r]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartBox>
  );
});

/** Matrix geometry, px. */
const ROW_LABEL_W = 64;
const COL_LABEL_H = 44;
const ACC_W = 40;

/**
 * One run's confusion matrix: rows are the true classes, columns the predicted ones, each cell
 * shaded in the run's color by its share of the row; the row's accuracy at its right end.
 * The class `recharts-surface` puts it into the chart's PNG export (export.ts draws every
 * SVG with that class), beside the bars.
 */
const ConfusionMatrix = memo(function ConfusionMatrix({ m, classNames, rare }: { m: RunClassMetrics; classNames: readonly string[]; rare: number }) {
  const k = m.classes;
  const cell = Math.max(10, Math.min(24, Math.floor(240 / k)));
  const width = ROW_LABEL_W + k * cell + ACC_W;
  const height = COL_LABEL_H + k * cell + 4;
  const color = RUN_COLORS[m.run];
  const cells: ReactNode[] = [];
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const i = t * k + p;
      const count = m.confusion[i];
      cells.push(
        <rect
          key={i}
          className={t === p ? 'confusion-cell confusion-diagonal' : 'confusion-cell'}
          data-testid={`confusion-${m.run}-cell`}
          data-count={count}
          x={ROW_LABEL_W + p * cell}
          y={COL_LABEL_H + t * cell}
          width={cell}
          height={cell}
          fill={color}
          fillOpacity={m.rates[i]}
        >
          <title>
            {`true ${className(classNames, t)}, predicted ${className(classNames, p)}: ${count} of ${m.counts[t]} (${percent(m.counts[t] > 0 ? m.rates[i] : null)})`}
          </title>
        </rect>,
      );
    }
  }
  const fontSize = cell >= 16 ? 10 : 8;
  return (
    <figure className="confusion-panel" data-testid={`confusion-${m.run}`} data-step={m.step}>
      <figcaption className="confusion-caption">
        <span className="confusion-swatch" style={{ background: color }} aria-hidden="true" />
        {RUN_LABELS[m.run]} · step {m.step} · {percent(m.overall)} overall
      </figcaption>
      <svg
        className="recharts-surface confusion-svg"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Confusion matrix of the ${RUN_LABELS[m.run]} run: rows true class, columns predicted class`}
      >
        <text className="confusion-axis" x={ROW_LABEL_W - 4} y={10} textAnchor="end" fontSize={9}>
          true ↓ predicted →
        </text>
        {Array.from({ length: k }, (_, p) => (
          <text
            key={`c${p}`}
            className={p === rare ? 'confusion-label confusion-rare' : 'confusion-label'}
            transform={`translate(${ROW_LABEL_W + (p + 0.5) * cell + 3},${COL_LABEL_H - 3}) rotate(-60)`}
            fontSize={fontSize}
          >
            {shorten(className(classNames, p), 7)}
          </text>
        ))}
        {Array.from({ length: k }, (_, t) => (
          <text
            key={`r${t}`}
            className={t === rare ? 'confusion-label confusion-rare' : 'confusion-label'}
            x={ROW_LABEL_W - 4}
            y={COL_LABEL_H + (t + 0.5) * cell}
            textAnchor="end"
            dominantBaseline="central"
            fontSize={fontSize}
          >
            {shorten(className(classNames, t), 9)}
            <title>{`${className(classNames, t)}: ${m.counts[t]} test samples`}</title>
          </text>
        ))}
        <rect className="confusion-border" x={ROW_LABEL_W} y={COL_LABEL_H} width={k * cell} height={k * cell} fill="none" />
        {cells}
        {m.accuracy.map((a, t) => (
          <text
            key={`a${t}`}
            className="confusion-accuracy"
            data-testid={`confusion-${m.run}-accuracy`}
            x={ROW_LABEL_W + k * cell + 4}
            y={COL_LABEL_H + (t + 0.5) * cell}
            dominantBaseline="central"
            fontSize={fontSize}
          >
            {percent(a)}
          </text>
        ))}
      </svg>
    </figure>
  );
});

/** How many chart refresh intervals pass between two redraws of the per-class view. */
const PER_CLASS_SLOWER = 4;

export const PerClassChart = memo(function PerClassChart(props: PerClassChartProps) {
  const { metrics, classNames, labelNoise, imbalanceClass, explain, width, height } = props;
  // A snapshot of the latest evaluation, not a curve: redrawn 4× less often than the curves
  // (every 2 s), which keeps its bars and 2·K² matrix cells off the main thread while training.
  const shown = useChartValue(metrics, PER_CLASS_SLOWER);
  // Keyed on the newest evaluation of each run: a batch of steps alone changes nothing here.
  const importancePoint = latestConfusion(shown.runs.importance.evals);
  const uniformPoint = latestConfusion(shown.runs.uniform.evals);
  const runs = useMemo(
    () => [runMetrics('importance', importancePoint), runMetrics('uniform', uniformPoint)].filter((m): m is RunClassMetrics => m !== null),
    [importancePoint, uniformPoint],
  );
  const { rows, runIds, legend } = useMemo(
    () => ({
      rows: perClassRows(runs, classNames),
      runIds: runs.map((m) => m.run),
      legend: runs.map((m) => ({ name: RUN_LABELS[m.run], color: RUN_COLORS[m.run] })),
    }),
    [runs, classNames],
  );
  const rare = imbalanceClass >= 0 && imbalanceClass < rows.length ? imbalanceClass : -1;
  const points = runs.reduce((sum, m) => sum + m.classes + m.classes * m.classes, 0);
  return (
    <ChartFrame
      testId="chart-per-class"
      title="Per class"
      subtitle={
        <>
          Test accuracy of each class at the latest evaluation, and what each class is taken for
          {rare >= 0 ? ` (* ${className(classNames, rare)}: made rare in training)` : ''}
        </>
      }
      points={points}
      legend={legend}
      empty="Appears after the first evaluation."
      explain={explain === undefined ? <ExplainPerClass labelNoise={labelNoise} imbalanceClass={imbalanceClass} classNames={classNames} /> : explain}
    >
      <AccuracyBars rows={rows} runs={runIds} rare={rare >= 0 ? className(classNames, rare) : null} width={width} height={height} />
      <div className="confusion-row">
        {runs.map((m) => (
          <ConfusionMatrix key={m.run} m={m} classNames={classNames} rare={rare} />
        ))}
      </div>
    </ChartFrame>
  );
});

export interface ExplainPerClassProps {
  labelNoise: number;
  imbalanceClass: number;
  classNames?: readonly string[];
}

/** What the per-class chart shows, and what to look for under the current perturbations. */
export function ExplainPerClass({ labelNoise, imbalanceClass, classNames = [] }: ExplainPerClassProps) {
  return (
    <>
      <p>
        <strong>Per class.</strong> Each bar is a run’s accuracy on the test samples of one class; both runs are scored on
        the same samples. In a matrix each row is a true class and each column the class predicted, shaded by its share
        of the row: a model that is right sits on the diagonal, and a dark cell off it is a pair of classes it mixes up.
      </p>
      <p>
        <strong>Look for</strong> the classes where the bars differ: importance sampling spends its batches on the
        classes the model still gets wrong, so those are where it should pull ahead of uniform first.
      </p>
      {labelNoise > 0 ? (
        <p data-testid="explain-per-class-noise">
          <strong>With label noise</strong> ({formatNumber(labelNoise * 100, 3)}% of the training labels flipped; the
          test labels are not): a flipped sample never becomes easy, so the importance run keeps drawing it. Fitting
          those labels lowers its training loss but not its test error: watch its off-diagonal cells and its bars
          against uniform’s.
        </p>
      ) : null}
      {imbalanceClass >= 0 ? (
        <p data-testid="explain-per-class-rare">
          <strong>With a rare class</strong> ({className(classNames, imbalanceClass)}, rare in the training set only):
          uniform batches see it at its small share. Importance sampling draws it more once the model gets it wrong:
          watch its bar for the importance run against uniform’s, and its row in each matrix.
        </p>
      ) : null}
    </>
  );
}
