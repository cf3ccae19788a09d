// What each run's sampler shows the page (histograms, picks, class shares; snapshot.ts),
// kept per run and condensed only when a metrics message goes out. With a table sampler the
// image grid shows the table's highest scores with the weight each would get if drawn now
// (1/(N·p), docs/method.md §5).
import type { PreparedDataset } from '../../data';
import { pixelsPerSample } from '../../data';
import { importanceWeight, type Rng, type StepReport } from '../../is';
import type { SamplerSnapshot } from '../../contract/protocol';
import type { Run, RunTrainer } from '../core/run';
import { SnapshotTracker, TOP_SAMPLES, type Candidate } from './snapshot';

export function tableCandidates(table: NonNullable<RunTrainer['scoreTable']>, n: number, k = TOP_SAMPLES): Candidate[] {
  const { indices, scores } = table.top(k);
  return Array.from(indices, (index, j) => ({ index, score: scores[j], weight: importanceWeight(table.probability(index), n) }));
}

export class SamplerViews {
  private readonly trackers: Map<string, SnapshotTracker>;
  private readonly n: number;

  constructor(runs: readonly Run[], cpu: PreparedDataset, private readonly displayRng: Rng) {
    const view = {
      numClasses: cpu.numClasses,
      labels: cpu.train.labels,
      images: cpu.train.images,
      pixelsPerSample: pixelsPerSample(cpu.train),
      flippedMask: cpu.flippedMask,
      flippedCount: cpu.flippedIndices.length,
    };
    this.n = cpu.train.count;
    this.trackers = new Map(runs.map((r) => [r.id, new SnapshotTracker(view)]));
  }

  record(run: Run, report: StepReport): void {
    this.trackers.get(run.id)?.record(report);
  }

  /** A run that never trains uniformly (importance mode) borrows another run's uniform picks. */
  lendUniformPicks(to: string, report: StepReport): void {
    this.trackers.get(to)?.setUniformPicks(report);
  }

  /** The run's snapshot if anything changed since the last one; `showTable`: grid from its score table. */
  take(run: Run, showTable: boolean): SamplerSnapshot | null {
    const tracker = this.trackers.get(run.id);
    if (!tracker) return null;
    // Uniform picks for a run that has none (display draws only, never training draws).
    if (tracker.hasNews && this.n > 0) tracker.fillUniformPicks(() => this.displayRng.int(this.n));
    const table = run.trainer.scoreTable;
    return tracker.take(showTable && table ? tableCandidates(table, this.n) : undefined);
  }
}
