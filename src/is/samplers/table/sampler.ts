// The score-table sampler (docs/method.md §5): every training sample's last score, kept from
// the forward pass it was trained in, so scoring costs no extra pass. An importance step
// draws b samples from the whole training set ∝ the table, each weighted 1 / (N·p); with
// importance sampling off it draws uniformly. Either way the trained batch's scores go into
// the table, and τ is that of the table's distribution against uniform, measured on the
// trained batches against the q each was drawn from (tau.ts, BatchTauMeter).
import { importanceWeights } from '../../reweighting';
import { ScoreTable } from './scoreTable';
import type { TrainerSettings } from '../../types';
import { implementSampler, type BatchDraw, type Sampler, type SamplerContext, type SettledBatch } from '../types';
import { tableMeta } from './meta';
import { UniformSampler } from '../uniform';

export class TableSampler implements Sampler {
  readonly scoreTable: ScoreTable;
  private readonly uniform: UniformSampler;
  /**
   * The weights v = 1/(N·q) the table gave each drawn batch's samples at the draw, by the
   * batch's index array (the same object comes back in its SettledBatch: the table draws on
   * the CPU). A block draws all its batches before the first is observed, and observing one
   * updates the table: v must be the draw's, not the table's at observe time.
   */
  private readonly drawnWith = new WeakMap<Int32Array, Float64Array>();

  constructor(private readonly context: SamplerContext) {
    this.uniform = new UniformSampler(context);
    this.scoreTable = new ScoreTable(context.n, { smoothing: context.settings.tableSmoothing });
  }

  draw(settings: Readonly<TrainerSettings>, active: boolean): BatchDraw {
    if (!active) {
      const batch = this.uniform.draw(settings);
      const indices = batch.indices as Int32Array; // the uniform draw is on the CPU
      this.drawnWith.set(indices, this.scoreTable.sampleWeights(indices));
      return batch;
    }
    const { indices, probabilities } = this.scoreTable.draw(settings.batchSize, this.context.rng);
    const n = this.context.n;
    this.drawnWith.set(indices, Float64Array.from(probabilities, (p) => 1 / (n * p)));
    return { indices, weights: importanceWeights(probabilities, n) };
  }

  /**
   * τ measured on the trained batch's fresh scores against the q it was drawn from (the
   * table's own forecast would trust its stale scores), then the table takes the scores.
   * Within a block every draw uses the table as it was at the block's start (docs/method.md §7).
   */
  observe(batch: SettledBatch): number {
    const drawn = this.drawnWith.get(batch.indices);
    this.drawnWith.delete(batch.indices);
    return this.scoreTable.observeBatch(batch.indices, batch.scores, batch.weights, drawn);
  }

  tauMargin(): number {
    return this.scoreTable.tauMargin;
  }

  /** The table's q of these samples now: its stale scores, smoothing and floor (docs/method.md §5). */
  samplingProbabilities(indices: Int32Array): Float64Array {
    return Float64Array.from(indices, (i) => this.scoreTable.probability(i));
  }

  settingsChanged(next: Readonly<TrainerSettings>, previous: Readonly<TrainerSettings>): void {
    if (next.tableSmoothing !== previous.tableSmoothing) this.scoreTable.setSmoothing(next.tableSmoothing);
  }

  dispose(): void {}
}

export const tableSampler = implementSampler(tableMeta, (context) => new TableSampler(context));
