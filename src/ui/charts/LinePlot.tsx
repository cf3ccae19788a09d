// One panel of a line chart: the axes from the extent of everything it draws (its lines, its
// bands and the earlier races beside them), optional shaded x ranges, and the lines drawn by
// PlotLines. Re-renders only when its lines or axes change, and then Recharts (grid, axes,
// shading) only when the ticks move. Every line chart draws its panels with it (LineChartCard).
import { memo, useMemo } from 'react';
import { LineChart, ReferenceArea } from 'recharts';
import { ChartBox, extentOf, niceTicks, useLineChartFrame, useStableTicks, type AxisTicks } from './common';
import { overlayExtent, withOverlayExtent, type Extent, type OverlayPlot } from './overlayLines';
import { PlotLines, type PlotBand, type PlotLine } from './PlotLines';

/** How a panel lays out its axes. Keep the object's identity while it is the same (a module constant, or memoised). */
export interface PanelAxes {
  xLabel: string;
  /** About this many x ticks, from 0 to the largest x. */
  xTicks: number;
  /** A logarithmic y axis: values ≤ 0 are left out of the extent and the drawing. */
  yLog: boolean;
  /** The y ticks for the extent of everything drawn; `overlay`: the earlier races' part of it, or null. */
  yTicks: (extent: Extent, overlay: Extent | null) => AxisTicks;
  formatXTick: (v: number) => string;
  formatYTick: (v: number) => string;
  /** Hover readout: the x value of the nearest point ("Steps: 1,200") and a y value. */
  formatX: (v: number) => string;
  formatY: (v: number) => string;
  yWidth: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** A shaded range of x, over the whole height (τ's stretches of active importance sampling). */
export interface XArea {
  from: number;
  to: number;
}

export interface XAreaStyle {
  color: string;
  opacity: number;
  className: string;
}

export interface LinePlotProps {
  lines: readonly PlotLine[];
  /** Bands of the live data (the readout's level band), drawn under every line with the overlays' bands. */
  bands: readonly PlotBand[];
  overlay: OverlayPlot;
  axes: PanelAxes;
  areas?: readonly XArea[];
  areaStyle?: XAreaStyle;
  width?: number;
  height: number;
}

/** A band's two edges as lines, for the extent. */
const bandEdges = (bands: readonly PlotBand[]) =>
  bands.flatMap((b) => [{ points: b.points.map((p) => ({ x: p.x, y: p.lo })) }, { points: b.points.map((p) => ({ x: p.x, y: p.hi })) }]);

export const LinePlot = memo(function LinePlot(props: LinePlotProps) {
  const { lines, bands, overlay, axes, areas, areaStyle, width, height } = props;
  // The overlays' points are static: their extent is taken once.
  const overlayE = useMemo(() => overlayExtent(overlay, axes.yLog), [overlay, axes.yLog]);
  const live = extentOf([...lines, ...bandEdges(bands)], axes.yLog);
  const hasLive = bands.length > 0 || lines.some((l) => l.points.length > 0);
  const e = withOverlayExtent(live, hasLive, overlayE);
  const x = useStableTicks(niceTicks(0, e.xMax, axes.xTicks));
  const y = useStableTicks(axes.yTicks(e, overlayE));
  const frame = useLineChartFrame({
    x,
    y,
    xLabel: axes.xLabel,
    formatX: axes.formatXTick,
    formatY: axes.formatYTick,
    yWidth: axes.yWidth,
  });
  const shading = useMemo(
    () =>
      areaStyle
        ? areas?.map((s, i) => (
            <ReferenceArea
              key={`${s.from}-${i}`}
              x1={s.from}
              // A one-point stretch still gets a visible sliver.
              x2={s.to === s.from ? s.from + 0.5 : s.to}
              y1={y.lo}
              y2={y.hi}
              fill={areaStyle.color}
              fillOpacity={areaStyle.opacity}
              stroke="none"
              ifOverflow="hidden"
              className={areaStyle.className}
              // Drawn above the lines' hover target: let the pointer through to it.
              pointerEvents="none"
            />
          ))
        : null,
    [areas, areaStyle, y],
  );
  const allBands = useMemo(() => (bands.length ? [...bands, ...overlay.bands] : overlay.bands), [bands, overlay.bands]);
  return (
    <ChartBox width={width} height={height}>
      <LineChart data={frame.data} margin={axes.margin}>
        {frame.children}
        {shading}
        <PlotLines
          lines={lines}
          overlays={overlay.lines}
          bands={allBands}
          x={x}
          y={y}
          formatX={axes.formatX}
          formatY={axes.formatY}
        />
      </LineChart>
    </ChartBox>
  );
});
