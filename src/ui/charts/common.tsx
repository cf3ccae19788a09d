// Pieces every chart shares: colors, sizing (responsive in the page, fixed in tests), the
// card frame with its title, data-points count and PNG export button.
//
// Keeping the page responsive while training: a chart re-renders only when its own inputs
// change (each chart memoises what it derives and draws it in a React.memo plot), at most
// every CHART_REFRESH_MS, in its own slot of that interval (throttle.ts); each line is
// downsampled for display (downsample.ts) and drawn by PlotLines inside a Recharts frame whose
// axes only re-render when their ticks change; no animations.
import { cloneElement, createContext, useContext, useMemo, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { CartesianGrid, Curve, ResponsiveContainer, XAxis, YAxis, type LineDrawShapeProps } from 'recharts';
import type { RunId } from '../../contract/protocol';
import { chartToPng, downloadBlob, type PngLegendItem } from '../export';
import type { AxisRange, PlotLine, PlotPoint } from './PlotLines';

/** Series colors: readable on the light and the dark background alike. */
export const RUN_COLORS: Record<RunId, string> = { importance: '#f76707', uniform: '#339af0' };
export const RUN_LABELS: Record<RunId, string> = { importance: 'Importance sampling', uniform: 'Uniform' };
export const THRESHOLD_COLOR = '#8f96a3';
export const ACTIVE_SHADE = '#f76707';

export type XAxisKind = 'time' | 'steps' | 'samples';
export const X_AXIS_LABELS: Record<XAxisKind, string> = {
  time: 'Own clock (s)',
  steps: 'Steps',
  samples: 'Samples seen',
};

export function xValue(kind: XAxisKind, p: { clockMs: number; step: number; samplesSeen: number }): number {
  return kind === 'time' ? p.clockMs / 1000 : kind === 'steps' ? p.step : p.samplesSeen;
}

/** Fixed chart width, for tests (jsdom measures every element as 0 wide). */
export const ChartWidthContext = createContext<number | null>(null);

export interface ChartSizeProps {
  /** Fixed width in px; omit to fill the container. */
  width?: number;
  height?: number;
}

/** Renders `chart` at a fixed size when one is given, else filling the container's width. */
export function ChartBox({ width, height = 240, children }: ChartSizeProps & { children: ReactElement }) {
  const contextWidth = useContext(ChartWidthContext);
  const fixed = width ?? contextWidth;
  if (fixed) {
    return cloneElement(children as ReactElement<{ width?: number; height?: number }>, { width: fixed, height });
  }
  return (
    <ResponsiveContainer width="100%" height={height} minWidth={0} initialDimension={{ width: 480, height }}>
      {children}
    </ResponsiveContainer>
  );
}

/** Round tick values covering [lo, hi]: about `count` of them at a step of 1, 2, 2.5 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, count = 5): { ticks: number[]; lo: number; hi: number } {
  if (!(hi > lo)) return { ticks: [lo], lo, hi };
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = a; v <= b + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { ticks, lo: ticks[0], hi: ticks[ticks.length - 1] };
}

export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return Number(v.toPrecision(digits)).toString();
}

export function formatCount(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Math.round(v * 100) / 100);
}

/** Props every chart's Tooltip shares: themed, and no animation (it would re-render per frame). */
export const tooltipProps = {
  isAnimationActive: false,
  contentStyle: {
    background: 'var(--card)',
    border: '1px solid var(--line)',
    borderRadius: 8,
    color: 'var(--ink)',
    fontSize: 12,
  },
  labelStyle: { color: 'var(--muted)' },
} as const;

export interface ChartFrameProps {
  testId: string;
  title: string;
  /** One line under the title. */
  subtitle?: ReactNode;
  /** Points the chart shows the data of (all of them, before display downsampling); written to data-points. */
  points: number;
  /** Points handed to Recharts after downsampling (all lines together); written to data-drawn. */
  drawn?: number;
  /** Series named in the PNG's legend. */
  legend?: PngLegendItem[];
  /** Controls shown in the header (axis choice, log scale...). */
  tools?: ReactNode;
  /** Shown instead of the chart when there is nothing to plot. */
  empty?: ReactNode;
  /** The explanation that goes with this chart. */
  explain?: ReactNode;
  className?: string;
  /** Extra data-* attributes for tests and tools, e.g. { 'data-active-spans': 2 }. */
  dataAttributes?: Record<`data-${string}`, string | number>;
  children: ReactNode;
}

export function ChartFrame(props: ChartFrameProps) {
  const { testId, title, subtitle, points, drawn, legend, tools, empty, explain, className, dataAttributes, children } = props;
  const bodyRef = useRef<HTMLDivElement>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const slug = testId.replace(/^chart-/, '');

  const exportPng = async () => {
    if (!bodyRef.current) return;
    try {
      const blob = await chartToPng(bodyRef.current, title, legend);
      downloadBlob(blob, `is-playground-${slug}.png`);
      setExportError(null);
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <section
      className={`card chart ${className ?? ''}`}
      data-testid={testId}
      data-points={points}
      data-drawn={drawn ?? points}
      {...dataAttributes}
      aria-labelledby={`${testId}-title`}
    >
      <header className="chart-head">
        <div className="chart-titles">
          <h3 id={`${testId}-title`}>{title}</h3>
          {subtitle ? <p className="chart-sub">{subtitle}</p> : null}
        </div>
        <div className="chart-tools">
          {tools}
          <button
            type="button"
            className="icon-button"
            onClick={exportPng}
            disabled={points === 0}
            aria-label={`Download “${title}” as PNG`}
            title="Download as PNG"
            data-testid={`export-png-${slug}`}
          >
            PNG
          </button>
        </div>
      </header>
      <div className="chart-body" ref={bodyRef}>
        {points === 0 && empty ? <div className="chart-empty">{empty}</div> : children}
      </div>
      {exportError ? (
        <p className="chart-error" role="alert">
          {exportError}
        </p>
      ) : null}
      {explain ? <div className="explain">{explain}</div> : null}
    </section>
  );
}

export interface XY {
  x: number;
  y: number;
}

/** One line of a per-run chart: its (downsampled) points. */
export interface RunLine {
  run: RunId;
  data: readonly XY[];
}

/**
 * A `shape` for Recharts' <Line>. Recharts hands a line's shape a ref to its <path> and, on
 * every render, measures the path through it (getTotalLength: a forced layout of the page)
 * for its draw-in animation; with animations off that is pure cost. This shape draws the same
 * curve without attaching the ref. (The big training charts draw with PlotLines instead.)
 */
export function UnmeasuredCurve(props: LineDrawShapeProps) {
  const { animationElapsedTime: _t, isAnimating: _a, isEntrance: _e, visibleLength: _v, ...curve } = props;
  return <Curve {...curve} pathRef={undefined} />;
}

/** Per-run lines as PlotLines draws them, styled alike in every per-run chart. */
export function runPlotLines(series: readonly RunLine[]): PlotLine[] {
  return series.map((s) => ({ key: s.run, name: RUN_LABELS[s.run], points: s.data, color: RUN_COLORS[s.run], width: 2 }));
}

/** An axis' range with its tick values. */
export interface AxisTicks extends AxisRange {
  ticks: number[];
}

/**
 * Round tick values for a logarithmic axis covering [lo, hi] (lo > 0): the range widened to
 * 1, 2 or 5 × 10^k at both ends; ticks at 1, 2 and 5 × 10^k when that gives at most 8 of
 * them, else at the powers of 10.
 */
export function logTicks(lo: number, hi: number): AxisTicks {
  if (!(lo > 0) || !Number.isFinite(hi) || hi < lo) return { lo: 1, hi: 10, log: true, ticks: [1, 10] };
  const steps = (k: number) => [1, 2, 5].map((m) => Number((m * 10 ** k).toPrecision(12)));
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const all: number[] = [];
  for (let k = a; k <= b; k++) all.push(...steps(k));
  const from = Math.max(0, all.findLastIndex((v) => v <= lo * (1 + 1e-9)));
  let to = all.findIndex((v) => v >= hi * (1 - 1e-9));
  if (to <= from) to = from + 1;
  const range = all.slice(from, to + 1);
  const powers = range.filter((v) => Number.isInteger(Math.log10(v)) || v === range[0] || v === range[range.length - 1]);
  return { lo: range[0], hi: range[range.length - 1], log: true, ticks: range.length <= 8 ? range : powers };
}

/** Largest x, smallest and largest finite y over the lines' points (0 and 1 for none). */
export function extentOf(lines: readonly { points: readonly PlotPoint[] }[], positiveOnly = false) {
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const l of lines) {
    for (const p of l.points) {
      if (p.y === null || !Number.isFinite(p.y) || (positiveOnly && p.y <= 0)) continue;
      if (p.x > xMax) xMax = p.x;
      if (p.y < yMin) yMin = p.y;
      if (p.y > yMax) yMax = p.y;
    }
  }
  return xMax === -Infinity ? { xMax: 1, yMin: 0, yMax: 1 } : { xMax, yMin, yMax };
}

/**
 * `ticks`, the same object for as long as the ticks stay the same: memoised axes (and the
 * lines' pixel mapping) then survive data updates that do not move the axes.
 */
export function useStableTicks(ticks: AxisTicks): AxisTicks {
  const key = `${ticks.log ? 'log' : 'lin'}:${ticks.lo}:${ticks.hi}:${ticks.ticks.join(',')}`;
  // Keyed on the content: a new object with the same ticks keeps the old one.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => ticks, [key]);
}

export interface LineChartFrame {
  /**
   * Two rows at the ends of the x range: the chart's only data (without any Recharts draws
   * no x ticks and no shading); the lines themselves are drawn by PlotLines.
   */
  data: { x: number }[];
  /** Grid and axes. */
  children: ReactElement[];
}

/**
 * Grid and axes of a line chart with explicit ranges, memoised: Recharts re-renders only
 * when they change, not with every batch of points. Pass formatters that keep their identity.
 */
export function useLineChartFrame(opts: {
  x: AxisTicks;
  y: AxisTicks;
  xLabel: string;
  formatX: (v: number) => string;
  formatY: (v: number) => string;
  yWidth: number;
}): LineChartFrame {
  const { x, y, xLabel, formatX, formatY, yWidth } = opts;
  return useMemo(
    () => ({
      data: [{ x: x.lo }, { x: x.hi }],
      children: [
        <CartesianGrid key="grid" strokeDasharray="3 3" />,
        <XAxis
          key="x"
          type="number"
          dataKey="x"
          domain={[x.lo, x.hi]}
          ticks={x.ticks}
          scale={x.log ? 'log' : 'linear'}
          allowDataOverflow
          tickFormatter={formatX}
          label={{ value: xLabel, position: 'insideBottom', offset: -10 }}
        />,
        <YAxis
          key="y"
          type="number"
          domain={[y.lo, y.hi]}
          ticks={y.ticks}
          scale={y.log ? 'log' : 'linear'}
          allowDataOverflow
          tickFormatter={formatY}
          width={yWidth}
        />,
      ],
    }),
    [x, y, xLabel, formatX, formatY, yWidth],
  );
}
