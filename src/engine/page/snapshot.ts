// What the sampler is doing, condensed for the UI: histograms of the last presample's scores
// and of the drawn weights, the most emphasized recent samples with their pixels, a few
// uniform picks, the per-class share of drawn samples over a recent window, and the share of
// drawn samples whose label was flipped. Built on the CPU from the step reports' CPU copies,
// only when a metrics message goes out (throttled), never per step.
import type { StepReport } from '../../is/types';
import type { Histogram, SampleView, SamplerSnapshot } from '../../contract/protocol';

/** Steps of drawn indices kept for the class and noise shares. */
export const SHARE_WINDOW_STEPS = 50;
export const TOP_SAMPLES = 12;
export const UNIFORM_PICKS = 6;
export const HISTOGRAM_BINS = 20;

/** CPU view of the training split the snapshot needs (from PreparedDataset). */
export interface SnapshotData {
  numClasses: number;
  labels: Uint8Array;
  /** count · pixelsPerSample bytes. */
  images: Uint8Array;
  pixelsPerSample: number;
  /** 1 where the label was flipped by label noise. */
  flippedMask: Uint8Array;
  /** Number of flipped labels (0 = no label noise). */
  flippedCount: number;
}

export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return { edges: [], counts: [] };
  if (hi === lo) {
    // One bin around the single value.
    const pad = lo === 0 ? 0.5 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
  }
  return { edges, counts };
}

export interface Candidate {
  index: number;
  score: number;
  weight: number;
}

/**
 * Per run: collects what it needs from each step's report (O(b) per step) and builds a
 * SamplerSnapshot on demand.
 */
export class SnapshotTracker {
  private last: StepReport | null = null;
  /** Drawn indices of the last SHARE_WINDOW_STEPS steps. */
  private window: Int32Array[] = [];
  /** Highest-score drawn samples since the last snapshot (deduplicated by index). */
  private top = new Map<number, Candidate>();
  private uniform: Candidate[] = [];
  private dirty = false;

  constructor(private readonly data: SnapshotData) {}

  record(report: StepReport): void {
    this.last = report;
    this.dirty = true;
    this.window.push(report.indices);
    if (this.window.length > SHARE_WINDOW_STEPS) this.window.shift();
    const { indices, scores, weights } = report;
    for (let k = 0; k < indices.length; k++) {
      const c = { index: indices[k], score: scores[k], weight: weights[k] };
      if (!Number.isFinite(c.score)) continue;
      const prev = this.top.get(c.index);
      if (prev && prev.score >= c.score) continue;
      this.top.set(c.index, c);
    }
    if (this.top.size > 4 * TOP_SAMPLES) this.trimTop(TOP_SAMPLES);
    // A uniform step's batch is a uniform draw: its first few samples are uniform picks.
    if (!report.importanceActive) {
      this.uniform = [];
      for (let k = 0; k < Math.min(UNIFORM_PICKS, indices.length); k++) {
        this.uniform.push({ index: indices[k], score: scores[k], weight: weights[k] });
      }
    }
  }

  /** Uniform picks from another source (e.g. the uniform run's batch) when this run has none. */
  setUniformPicks(report: StepReport): void {
    if (this.uniform.length && !this.last?.importanceActive) return;
    this.uniform = [];
    for (let k = 0; k < Math.min(UNIFORM_PICKS, report.indices.length); k++) {
      this.uniform.push({ index: report.indices[k], score: report.scores[k], weight: report.weights[k] });
    }
  }

  get hasNews(): boolean {
    return this.dirty;
  }

  private trimTop(k: number): Candidate[] {
    const sorted = [...this.top.values()].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
    this.top = new Map(sorted.map((c) => [c.index, c]));
    return sorted;
  }

  private view(c: Candidate): SampleView {
    const d = this.data;
    const px = d.pixelsPerSample;
    return {
      index: c.index,
      label: d.labels[c.index],
      weight: c.weight,
      score: c.score,
      noisy: d.flippedMask[c.index] === 1,
      // A copy: it is transferred to the UI, and a view would transfer the whole dataset.
      pixels: d.images.slice(c.index * px, (c.index + 1) * px),
    };
  }

  /** Uniform picks from a fallback source (indices drawn uniformly, not scored: score NaN). */
  fillUniformPicks(pick: () => number): void {
    if (this.uniform.length) return;
    for (let k = 0; k < UNIFORM_PICKS; k++) this.uniform.push({ index: pick(), score: NaN, weight: 1 });
  }

  /**
   * The snapshot, or null when nothing happened since the last one. `top` replaces the
   * drawn samples with the highest scores (e.g. the score table's top entries).
   */
  take(top?: Candidate[]): SamplerSnapshot | null {
    if (!this.dirty || !this.last) return null;
    this.dirty = false;
    const d = this.data;
    const classCounts = new Array<number>(d.numClasses).fill(0);
    let drawn = 0;
    let noisy = 0;
    for (const indices of this.window) {
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        classCounts[d.labels[i]]++;
        noisy += d.flippedMask[i];
        drawn++;
      }
    }
    const drawnTop = this.trimTop(TOP_SAMPLES);
    this.top.clear();
    const shown = top ?? drawnTop;
    return {
      scoreHistogram: histogram(this.last.presampleScores),
      weightHistogram: histogram(this.last.weights),
      topSamples: shown.map((c) => this.view(c)),
      uniformPicks: this.uniform.map((c) => this.view(c)),
      classShare: classCounts.map((n) => (drawn ? n / drawn : 0)),
      noisyShare: d.flippedCount > 0 ? (drawn ? noisy / drawn : 0) : null,
    };
  }
}
