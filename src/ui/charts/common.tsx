// Pieces every chart shares: colors, sizing (responsive in the page, fixed in tests), the
// card frame with its title, data-points count and PNG export button.
//
// Keeping the page responsive while training: a chart re-renders only when its own inputs
// change (each chart memoises what it derives and draws it in a React.memo plot), at most
// every CHART_REFRESH_MS (throttle.ts), each line downsampled for display (downsample.ts),
// with Recharts' animations off.
import { cloneElement, createContext, useContext, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { Line, ResponsiveContainer } from 'recharts';
import type { RunId } from '../../engine/protocol';
import { chartToPng, downloadBlob, type PngLegendItem } from '../export';

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
 * One line per run, styled alike in every per-run chart. A function, not a component:
 * Recharts finds its series among the chart's direct children.
 */
export function runLines(series: readonly RunLine[]): ReactElement[] {
  return series.map((s) => (
    <Line
      key={s.run}
      data={s.data}
      dataKey="y"
      name={RUN_LABELS[s.run]}
      stroke={RUN_COLORS[s.run]}
      strokeWidth={2}
      dot={s.data.length < 30 ? { r: 2 } : false}
      isAnimationActive={false}
      type="monotone"
    />
  ));
}
