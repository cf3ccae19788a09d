// The lines of a line chart, drawn inside a Recharts chart that only lays out the frame (axes,
// grid, shading). Recharts' own <Line> re-runs its whole store of selectors, its label and
// animation bookkeeping and a forced layout on every data change: several times the cost of
// the drawing itself, enough to block the page's main thread while training. Here a data
// change re-renders this component alone: one <path> per line, built from the already
// downsampled points, plus a hover readout of the nearest points. Earlier races drawn beside
// the live ones (overlays, and the bands of their seeds) are static: their paths are rebuilt
// only when the axes move, not with each batch of live points.
import { memo, useId, useMemo, useState, type MouseEvent } from 'react';
import { usePlotArea } from 'recharts';

export interface PlotPoint {
  x: number;
  /** null: no value here (the line joins its neighbours). */
  y: number | null;
}

export interface PlotLine {
  key: string;
  /** Name in the hover readout. */
  name: string;
  points: readonly PlotPoint[];
  color: string;
  width: number;
  opacity?: number;
  dash?: string;
  /** Draw as a step function: each value holds until the next point. */
  step?: boolean;
  /** Extra attributes of its <path>, for tests and tools, e.g. { 'data-overlay-label': 'seed 2' }. */
  attributes?: Readonly<Record<`data-${string}`, string>>;
}

/** A filled area between two curves (the spread of several seeds), drawn under the lines. */
export interface PlotBand {
  key: string;
  /** Name in the hover readout, which shows the band's lower and upper value. */
  name: string;
  /** lo ≤ hi at each x; null: no band here (the area breaks). */
  points: readonly { x: number; lo: number | null; hi: number | null }[];
  color: string;
  /** Fill opacity (default 0.15). */
  opacity?: number;
  attributes?: Readonly<Record<`data-${string}`, string>>;
}

/** The data range an axis shows, and whether it is logarithmic (then lo > 0). */
export interface AxisRange {
  lo: number;
  hi: number;
  log?: boolean;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Data value → pixel along one axis of `box` (y grows downwards in SVG). */
export function axisMapper(range: AxisRange, from: number, length: number, flip: boolean): (v: number) => number {
  const f = range.log ? Math.log10 : (v: number) => v;
  const lo = f(range.lo);
  const span = f(range.hi) - lo || 1;
  return flip ? (v) => from + length - ((f(v) - lo) / span) * length : (v) => from + ((f(v) - lo) / span) * length;
}

/**
 * An SVG path through `points` (skipping null and, on a log axis, non-positive values),
 * straight segments or steps. Coordinates are rounded to 0.1 px.
 */
export function linePath(
  points: readonly PlotPoint[],
  x: (v: number) => number,
  y: (v: number) => number,
  options: { step?: boolean; yLog?: boolean } = {},
): string {
  let d = '';
  let lastPy = NaN;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y) || !Number.isFinite(p.x) || (options.yLog && p.y <= 0)) continue;
    const px = Math.round(x(p.x) * 10) / 10;
    const py = Math.round(y(p.y) * 10) / 10;
    if (!d) d = `M${px},${py}`;
    else if (options.step) d += py === lastPy ? `H${px}` : `H${px}V${py}`;
    else d += `L${px},${py}`;
    lastPy = py;
  }
  return d;
}

/**
 * An SVG path of the area between `lo` and `hi` over `points` (x in order): along the upper
 * curve, back along the lower one, closed; one such piece per stretch of points where both
 * values can be drawn (finite, and positive on a log axis). Coordinates rounded to 0.1 px.
 */
export function bandPath(
  points: PlotBand['points'],
  x: (v: number) => number,
  y: (v: number) => number,
  options: { yLog?: boolean } = {},
): string {
  const drawable = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!options.yLog || v > 0);
  const round = (v: number) => Math.round(v * 10) / 10;
  let d = '';
  let upper: string[] = [];
  let lower: string[] = [];
  const close = () => {
    if (upper.length) d += `M${upper.join('L')}L${lower.reverse().join('L')}Z`;
    upper = [];
    lower = [];
  };
  for (const p of points) {
    if (!Number.isFinite(p.x) || !drawable(p.lo) || !drawable(p.hi)) {
      close();
      continue;
    }
    const px = round(x(p.x));
    upper.push(`${px},${round(y(p.hi))}`);
    lower.push(`${px},${round(y(p.lo))}`);
  }
  close();
  return d;
}

/** Index of the point whose x is nearest `x`; `points` sorted by x. -1 when empty. */
export function nearestIndex(points: readonly { x: number }[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo].x - x) <= Math.abs(points[hi].x - x) ? lo : hi;
}

export interface PlotLinesProps {
  lines: readonly PlotLine[];
  /** Lines of earlier races: drawn under `lines`, named after them in the hover readout. Keep the array's identity while they are the same. */
  overlays?: readonly PlotLine[];
  /** Bands of earlier races' seeds: drawn under every line. Keep the array's identity while they are the same. */
  bands?: readonly PlotBand[];
  x: AxisRange;
  y: AxisRange;
  /** Hover readout: the x value of the nearest point, e.g. "Steps: 1,200". */
  formatX: (x: number) => string;
  formatY: (y: number) => string;
}

/** Must be a child of a Recharts cartesian chart (it reads the chart's plot area). */
const NO_LINES: readonly PlotLine[] = [];
const NO_BANDS: readonly PlotBand[] = [];

export const PlotLines = memo(function PlotLines(props: PlotLinesProps) {
  const { lines, overlays = NO_LINES, bands = NO_BANDS, x, y, formatX, formatY } = props;
  const area = usePlotArea();
  const clipId = `plot-clip-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const [hoverPx, setHoverPx] = useState<number | null>(null);
  const left = area?.x ?? 0;
  const top = area?.y ?? 0;
  const width = area?.width ?? 0;
  const height = area?.height ?? 0;
  const mapX = useMemo(() => axisMapper(x, left, width, false), [x, left, width]);
  const mapY = useMemo(() => axisMapper(y, top, height, true), [y, top, height]);
  const paths = useMemo(
    () => lines.map((l) => linePath(l.points, mapX, mapY, { step: l.step, yLog: y.log })),
    [lines, mapX, mapY, y.log],
  );
  const overlayPaths = useMemo(
    () => overlays.map((l) => linePath(l.points, mapX, mapY, { step: l.step, yLog: y.log })),
    [overlays, mapX, mapY, y.log],
  );
  const bandPaths = useMemo(() => bands.map((b) => bandPath(b.points, mapX, mapY, { yLog: y.log })), [bands, mapX, mapY, y.log]);
  if (!area || width <= 0 || height <= 0) return null;
  const box: Box = { x: left, y: top, width, height };

  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const svg = e.currentTarget.ownerSVGElement;
    if (!svg) return;
    setHoverPx(e.clientX - svg.getBoundingClientRect().left);
  };

  return (
    <g className="plot-lines">
      <defs>
        <clipPath id={clipId}>
          <rect x={box.x} y={box.y} width={box.width} height={box.height} />
        </clipPath>
      </defs>
      <g clipPath={`url(#${clipId})`}>
        {bands.map((b, i) => (
          <path
            key={b.key}
            className="overlay-band-path"
            d={bandPaths[i]}
            fill={b.color}
            fillOpacity={b.opacity ?? 0.15}
            stroke="none"
            {...b.attributes}
          />
        ))}
        {overlays.map((l, i) => (
          <path
            key={l.key}
            className="overlay-line-path"
            d={overlayPaths[i]}
            fill="none"
            stroke={l.color}
            strokeWidth={l.width}
            strokeOpacity={l.opacity}
            strokeDasharray={l.dash}
            strokeLinejoin="round"
            {...l.attributes}
          />
        ))}
        {lines.map((l, i) => (
          <g key={l.key} className="plot-line" data-line={l.key}>
            <path
              className="plot-line-path"
              d={paths[i]}
              fill="none"
              stroke={l.color}
              strokeWidth={l.width}
              strokeOpacity={l.opacity}
              strokeDasharray={l.dash}
              strokeLinejoin="round"
              {...l.attributes}
            />
            {l.points.length < 30
              ? l.points.map((p, k) =>
                  p.y === null || !Number.isFinite(p.y) || (y.log && p.y <= 0) ? null : (
                    <circle key={k} className="plot-line-dot" cx={mapX(p.x)} cy={mapY(p.y)} r={2} fill={l.color} />
                  ),
                )
              : null}
          </g>
        ))}
      </g>
      {hoverPx !== null ? (
        <HoverReadout
          box={box}
          lines={overlays.length ? [...lines, ...overlays] : lines}
          bands={bands}
          px={hoverPx}
          x={x}
          mapX={mapX}
          mapY={mapY}
          formatX={formatX}
          formatY={formatY}
        />
      ) : null}
      <rect
        className="plot-hover-target"
        x={box.x}
        y={box.y}
        width={box.width}
        height={box.height}
        fill="transparent"
        onMouseMove={onMove}
        onMouseLeave={() => setHoverPx(null)}
      />
    </g>
  );
});

function HoverReadout(props: {
  box: Box;
  lines: readonly PlotLine[];
  bands: readonly PlotBand[];
  px: number;
  x: AxisRange;
  mapX: (v: number) => number;
  mapY: (v: number) => number;
  formatX: (x: number) => string;
  formatY: (y: number) => string;
}) {
  const { box, lines, bands, px, x, mapX, mapY, formatX, formatY } = props;
  // Pixel → data x, the inverse of mapX.
  const f = x.log ? Math.log10 : (v: number) => v;
  const t = (px - box.x) / box.width;
  const raw = f(x.lo) + t * (f(x.hi) - f(x.lo));
  const xValue = x.log ? 10 ** raw : raw;
  const hits = lines
    .map((l) => {
      const i = nearestIndex(l.points, xValue);
      const p = i >= 0 ? l.points[i] : null;
      return p && p.y !== null && Number.isFinite(p.y) ? { line: l, p: { x: p.x, y: p.y } } : null;
    })
    .filter((h): h is { line: PlotLine; p: { x: number; y: number } } => h !== null);
  const bandHits = bands
    .map((b) => {
      const i = nearestIndex(b.points, xValue);
      const p = i >= 0 ? b.points[i] : null;
      return p && p.lo !== null && p.hi !== null && Number.isFinite(p.lo) && Number.isFinite(p.hi)
        ? { text: `${b.name}: ${formatY(p.lo)} – ${formatY(p.hi)}`, color: b.color, x: p.x }
        : null;
    })
    .filter((h): h is { text: string; color: string; x: number } => h !== null);
  if (hits.length === 0 && bandHits.length === 0) return null;
  const at = hits.length ? hits[0].p.x : bandHits[0].x;
  const rows = [
    ...hits.map((h) => ({ text: `${h.line.name}: ${formatY(h.p.y)}`, color: h.line.color })),
    ...bandHits.map((h) => ({ text: h.text, color: h.color })),
  ];
  const text = [formatX(at), ...rows.map((r) => r.text)];
  const lineHeight = 15;
  const width = 12 + 6.4 * Math.max(...text.map((s) => s.length));
  const height = 8 + lineHeight * text.length;
  const gx = mapX(at);
  const left = gx + 12 + width > box.x + box.width ? gx - 12 - width : gx + 12;
  const top = box.y + 4;
  return (
    <g className="plot-hover" pointerEvents="none">
      <line x1={gx} x2={gx} y1={box.y} y2={box.y + box.height} style={{ stroke: 'var(--muted)' }} strokeDasharray="3 3" />
      {hits.map((h) => (
        <circle key={h.line.key} cx={mapX(h.p.x)} cy={mapY(h.p.y)} r={3.5} fill={h.line.color} />
      ))}
      <rect x={left} y={top} width={width} height={height} rx={6} style={{ fill: 'var(--card)', stroke: 'var(--line)' }} />
      {text.map((s, i) => (
        <text
          key={i}
          x={left + 6}
          y={top + 4 + lineHeight * (i + 0.8)}
          fontSize={12}
          style={{ fill: i === 0 ? 'var(--muted)' : rows[i - 1].color }}
        >
          {s}
        </text>
      ))}
    </g>
  );
}
