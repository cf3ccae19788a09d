// The one line-chart component: every line chart of the page (training loss, test accuracy and
// loss, τ, the loss ratio) is a LineChartCard given its data and a function that turns the data
// into panels of series. The pipeline lives here once:
//
//   data ─ throttle (throttle.ts: at most every CHART_REFRESH_MS, in the chart's own slot)
//        ─ view(data): the chart's panels, series, subtitle (once per new data)
//        ─ display smoothing and thinning (linePipeline.ts)
//        ─ earlier races beside the live lines (overlayLines.tsx; once per set of records)
//        ─ LinePlot per panel: axes from the extent, shading, bands, PlotLines
//        ─ ChartFrame: the card, its title, data-points / data-drawn, tools, PNG export.
import { useMemo, type ReactNode } from 'react';
import type { RunId } from '../../contract/protocol';
import type { OverlayMetric } from '../history/overlay';
import type { PngLegendItem } from '../export';
import { ChartFrame, type ChartSizeProps, type XAxisKind } from './common';
import { displayLines, type LineSeries } from './linePipeline';
import { LinePlot, type PanelAxes, type XArea, type XAreaStyle } from './LinePlot';
import {
  NO_OVERLAY,
  OverlayLegend,
  overlayPlot,
  overlayPngLegend,
  useOverlayGroups,
  type ChartOverlayProps,
  type OverlayPlot,
} from './overlayLines';
import type { PlotBand } from './PlotLines';
import { clampSmoothing } from './smoothing';
import { useChartValue } from './throttle';

/** One panel: its series, bands and shading, and how its axes are laid out. */
export interface LinePanel {
  key: string;
  /** A caption over the panel (cards with panels side by side). */
  caption?: string;
  series: readonly LineSeries[];
  /** Bands of the live data, drawn under the lines. */
  bands?: readonly PlotBand[];
  axes: PanelAxes;
  areas?: readonly XArea[];
  areaStyle?: XAreaStyle;
}

/** What a chart draws of its data. */
export interface LineChartView {
  panels: readonly LinePanel[];
  /** Points the chart shows the data of (before thinning): data-points. */
  points: number;
  /** The live lines' entries in the PNG's legend (the overlays' are added). */
  legend: readonly PngLegendItem[];
  /** The line under the title, when it depends on the data (else the card's `subtitle`). */
  subtitle?: ReactNode;
  dataAttributes?: Record<`data-${string}`, string | number>;
}

/** Which of the earlier races' curves a panel draws beside its own (history overlays). */
export interface PanelOverlay {
  metric: OverlayMetric;
  xAxis: XAxisKind;
  /** Through the display smoothing, like the live lines. */
  smoothed?: boolean;
  /** Leave out values ≤ 0 (a log axis). */
  positiveOnly?: boolean;
  /** How a run is named in the labels (default "importance", "uniform"); keep its identity. */
  runName?: (run: RunId) => string;
}

export interface LineChartCardProps<T> extends ChartSizeProps, ChartOverlayProps {
  testId: string;
  title: string;
  subtitle?: ReactNode;
  /** The chart's inputs. Keep the identity while they are the same: the chart then redraws nothing. */
  data: T;
  /** The panels drawn from `data`. Keep its identity (a module function, or memoised). */
  view: (data: T) => LineChartView;
  /** Per panel (same order), which of the earlier races' curves go beside it, or null. Keep the array's identity. */
  panelOverlays?: readonly (PanelOverlay | null)[];
  /** EMA weight of the display smoothing, 0 … 0.99; applies to series marked `smooth`. */
  smoothing?: number;
  /** Height of the plot area of each panel, px. */
  height: number;
  tools?: ReactNode;
  /** Shown instead of the chart while there is nothing to draw (no point and no earlier race). */
  empty?: ReactNode;
  explain?: ReactNode;
  className?: string;
}

const NO_SPECS: readonly (PanelOverlay | null)[] = [];
const NO_BANDS: readonly PlotBand[] = [];

export function LineChartCard<T>(props: LineChartCardProps<T>) {
  const { testId, title, data, view: viewOf, panelOverlays = NO_SPECS, width, height, tools, empty, explain, className } = props;
  const smoothing = clampSmoothing(props.smoothing);
  const shown = useChartValue(data);
  // Once per new batch of the chart's data (steps-only batches leave a loss chart's data alone).
  const view = useMemo(() => viewOf(shown), [viewOf, shown]);
  const drawnPanels = useMemo(() => view.panels.map((p) => displayLines(p.series, smoothing)), [view, smoothing]);
  const groups = useOverlayGroups(props);
  // Recomputed when the records, the specs or the smoothing change, never with the live points.
  const overlayPlots = useMemo(
    (): OverlayPlot[] =>
      panelOverlays.map((spec) =>
        spec
          ? overlayPlot(groups, spec.metric, spec.xAxis, {
              smoothing: spec.smoothed ? smoothing : 0,
              positiveOnly: spec.positiveOnly,
              runName: spec.runName,
            })
          : NO_OVERLAY,
      ),
    [groups, panelOverlays, smoothing],
  );
  // The panels draw the same records: one legend names them.
  const overlayLegend = overlayPlots.find((o) => o.legend.length)?.legend ?? NO_OVERLAY.legend;
  const legend = useMemo(() => [...view.legend, ...overlayPngLegend(overlayLegend)], [view.legend, overlayLegend]);
  const drawn = drawnPanels.reduce((n, d) => n + d.drawn, 0);
  const panelWidth = width && view.panels.length > 1 ? Math.floor(width / view.panels.length) : width;

  const plots = view.panels.map((p, i) => (
    <LinePlot
      key={p.key}
      lines={drawnPanels[i].lines}
      bands={p.bands ?? NO_BANDS}
      overlay={overlayPlots[i] ?? NO_OVERLAY}
      axes={p.axes}
      areas={p.areas}
      areaStyle={p.areaStyle}
      width={panelWidth}
      height={height}
    />
  ));
  return (
    <ChartFrame
      testId={testId}
      title={title}
      subtitle={view.subtitle ?? props.subtitle}
      points={view.points}
      drawn={drawn}
      legend={legend}
      dataAttributes={view.dataAttributes}
      // With earlier races to show, the chart draws them before the live run's first point.
      empty={overlayLegend.length ? undefined : empty}
      tools={tools}
      explain={explain}
      className={className}
    >
      {view.panels.length > 1 ? (
        <div className="panels">
          {view.panels.map((p, i) => (
            <figure className="panel" key={p.key}>
              {p.caption ? <figcaption>{p.caption}</figcaption> : null}
              {plots[i]}
            </figure>
          ))}
        </div>
      ) : (
        plots
      )}
      <OverlayLegend items={overlayLegend} />
    </ChartFrame>
  );
}
