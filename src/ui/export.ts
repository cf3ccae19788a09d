// Export: the runs' metrics as CSV and JSON, and any chart as a PNG (its Recharts SVG,
// with computed styles inlined, drawn onto a canvas).
import type { EngineStatus } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { RUN_IDS, type MetricsSnapshot, type RunSeries } from './metricsStore';

const CSV_COLUMNS = [
  'run',
  'kind',
  'step',
  'samplesSeen',
  'clockMs',
  'batchLoss',
  'mode',
  'importanceActive',
  'tauRaw',
  'tauSmoothed',
  'tauThreshold',
  'trainLoss',
  'testLoss',
  'testAccuracy',
  // Every how many received points of this row's series the export holds one (1 = all);
  // the first and the newest point, and the pinned mode switches, are held whatever the stride.
  'stride',
  // Points this row's series received, and whether the file holds fewer of them (true: thinned).
  'received',
  'thinned',
  // On step rows: this run's mode switches past the store's pin budget, held only where they
  // fall on the stride's grid, so their exact step may be missing (0: every switch is here).
  'switchesOnGridOnly',
] as const;

/**
 * One CSV cell. Text that a spreadsheet would read as a formula (starting with =, +, -, @,
 * a tab or a carriage return) gets a leading apostrophe, so opening the file runs nothing.
 * Numbers are written as they are: a negative number is not a formula.
 */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per kept point: kind "step" (training step) or "eval" (evaluation). A long run's
 * history is decimated evenly (see metricsStore.ts); the `stride`, `received` and `thinned`
 * columns say at what resolution, `switchesOnGridOnly` how many mode switches lost their step.
 */
export function metricsToCsv(metrics: MetricsSnapshot): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const run of RUN_IDS) {
    const series = metrics.runs[run];
    const stepMeta = {
      stride: series.stepStride,
      received: series.stepsReceived,
      thinned: series.steps.length < series.stepsReceived,
      switchesOnGridOnly: series.switchesUnpinned,
    };
    const evalMeta = { stride: series.evalStride, received: series.evalsReceived, thinned: series.evals.length < series.evalsReceived };
    for (const p of series.steps) {
      const row: Record<string, unknown> = { run, kind: 'step', ...p, ...stepMeta };
      rows.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
    }
    for (const p of series.evals) {
      const row: Record<string, unknown> = { run, kind: 'eval', ...p, ...evalMeta };
      rows.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
    }
  }
  return rows.join('\n') + '\n';
}

/** In words, what part of a run's history the export holds. */
function resolutionNote(received: number, kept: number, stride: number, what: string, alsoKept: string): string {
  if (stride === 1 && kept >= received) return `all ${received} ${what}`;
  return `${kept} of ${received} ${what}: every ${stride}th, plus ${alsoKept}`;
}

/**
 * Which mode switches the steps hold, in words: the store pins the first ones it receives (up
 * to its budget) at their step; past the budget a switch is held only where it falls on the grid.
 */
function switchesNote(series: RunSeries): string {
  const pinned = series.switchesPinned ?? 0;
  const total = pinned + series.switchesUnpinned;
  if (series.switchesUnpinned === 0) return `the first, the newest and all ${total} mode switches`;
  return (
    `the first, the newest and the first ${pinned} of ${total} mode switches; ` +
    `the other ${series.switchesUnpinned} only where they fall on that grid (their exact step may be missing)`
  );
}

export function metricsToJson(metrics: MetricsSnapshot, settings: Settings, status: EngineStatus | null): string {
  const runs: Record<string, unknown> = {};
  for (const run of RUN_IDS) {
    const s = metrics.runs[run];
    if (s.steps.length === 0 && s.evals.length === 0) continue;
    runs[run] = {
      steps: s.steps,
      evals: s.evals,
      stepsReceived: s.stepsReceived,
      evalsReceived: s.evalsReceived,
      /** The steps hold every stepStride-th step received (and the pinned mode switches); 1 = all. */
      stepStride: s.stepStride,
      evalStride: s.evalStride,
      // Switches received, those held at their step, and those held only where on the grid.
      modeSwitches: {
        received: (s.switchesPinned ?? 0) + s.switchesUnpinned,
        keptAtTheirStep: s.switchesPinned ?? 0,
        onGridOnly: s.switchesUnpinned,
      },
      resolution: {
        steps: resolutionNote(s.stepsReceived, s.steps.length, s.stepStride, 'steps', switchesNote(s)),
        evals: resolutionNote(s.evalsReceived, s.evals.length, s.evalStride, 'evaluations', 'the first and the newest'),
      },
      thinned: s.steps.length < s.stepsReceived || s.evals.length < s.evalsReceived,
      // The variance lab's probes (importance run; docs/method.md §8), when any were taken.
      ...(s.varianceLab?.length ? { varianceLab: s.varianceLab } : {}),
    };
  }
  return JSON.stringify(
    {
      exportedAt: new Date().toISOString(),
      settings,
      backend: status?.backend ?? null,
      dataset: status?.dataset ? { ...status.dataset } : null,
      model: status?.model ?? null,
      runs,
    },
    null,
    2,
  );
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type }), filename);
}

export function fileStamp(settings: Settings): string {
  return `is-playground-${settings.dataset}-${settings.model}-seed${settings.seed}`;
}

// ---- PNG ------------------------------------------------------------------------------------

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
] as const;

/**
 * Copies the computed style of each element of `from` onto the matching element of `to`.
 * Through the CSSOM (style.setProperty), not setAttribute('style'): the site's
 * Content-Security-Policy (style-src 'self') forbids the latter as an inline style.
 */
function inlineStyles(from: Element, to: Element): void {
  const cs = getComputedStyle(from);
  const style = (to as HTMLElement | SVGElement).style;
  if (style) {
    for (const p of STYLE_PROPS) {
      const value = cs.getPropertyValue(p);
      if (value) style.setProperty(p, value);
    }
  }
  const a = from.children;
  const b = to.children;
  for (let i = 0; i < a.length && i < b.length; i++) inlineStyles(a[i], b[i]);
}

export interface PngLegendItem {
  name: string;
  color: string;
}

/**
 * Renders the chart(s) inside `container` to a PNG: title and legend on top, then each
 * Recharts SVG surface in the container, left to right.
 */
export async function chartToPng(container: HTMLElement, title: string, legend: PngLegendItem[] = []): Promise<Blob> {
  const svgs = Array.from(container.querySelectorAll<SVGSVGElement>('svg.recharts-surface'));
  if (svgs.length === 0) throw new Error('This chart has nothing to export yet.');
  const scale = Math.max(2, Math.ceil(window.devicePixelRatio || 1));
  const rootStyle = getComputedStyle(container);
  const background = rootStyle.getPropertyValue('--card').trim() || '#ffffff';
  const ink = rootStyle.getPropertyValue('--ink').trim() || '#111111';
  const font = rootStyle.getPropertyValue('font-family') || 'system-ui, sans-serif';

  const images = await Promise.all(
    svgs.map(async (svg) => {
      const rect = svg.getBoundingClientRect();
      const width = Math.max(1, Math.round(rect.width || Number(svg.getAttribute('width')) || 400));
      const height = Math.max(1, Math.round(rect.height || Number(svg.getAttribute('height')) || 300));
      const clone = svg.cloneNode(true) as SVGSVGElement;
      inlineStyles(svg, clone);
      clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
      clone.setAttribute('width', String(width));
      clone.setAttribute('height', String(height));
      const text = new XMLSerializer().serializeToString(clone);
      const img = new Image();
      img.decoding = 'sync';
      const loaded = new Promise<void>((resolve, reject) => {
        img.onload = () => resolve();
        img.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
      });
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
      await loaded;
      return { img, width, height };
    }),
  );

  const pad = 16;
  const header = 28 + (legend.length ? 22 : 0);
  const width = images.reduce((w, i) => w + i.width, 0) + pad * 2;
  const height = Math.max(...images.map((i) => i.height)) + header + pad * 2;
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw to a canvas.');
  ctx.scale(scale, scale);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = ink;
  ctx.font = `600 15px ${font}`;
  ctx.textBaseline = 'top';
  ctx.fillText(title, pad, pad);
  let lx = pad;
  ctx.font = `12px ${font}`;
  for (const item of legend) {
    ctx.fillStyle = item.color;
    ctx.fillRect(lx, pad + 26, 14, 4);
    ctx.fillStyle = ink;
    ctx.fillText(item.name, lx + 20, pad + 21);
    lx += 20 + ctx.measureText(item.name).width + 18;
  }
  let x = pad;
  for (const i of images) {
    ctx.drawImage(i.img, x, pad + header, i.width, i.height);
    x += i.width;
  }
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded.'))), 'image/png'),
  );
}
