// Online batch selection (docs/method.md §9): draws by rank of the last known scores (ranking.ts),
// weighted (1/(N·q))^β. The scores come from the training passes, kept in a score table (the
// table's class, for its per-sample store and the sampler views), and the ranking is redone
// once per block: at the first draw after the table changed. With importance sampling off it
// draws uniformly and still learns the scores. τ is measured on the trained batches against q.
import { createRng } from '../../rng';
import type { TrainerSettings } from '../../types';
import { DrawTauMeter } from '../measuredTau';
import { ScoreTable } from '../table/scoreTable';
import { implementSampler, type BatchDraw, type Sampler, type SamplerContext, type SettledBatch } from '../types';
import { UniformSampler } from '../uniform';
import { onlineBatchMeta } from './meta';
import { RankedSelection } from './ranking';

export class OnlineBatchSampler implements Sampler {
  /** The last score of every sample (its sum tree is not drawn from; it serves the views and the ranking). */
  readonly scoreTable: ScoreTable;
  private readonly uniform: UniformSampler;
  private readonly ranking: RankedSelection;
  private readonly tau: DrawTauMeter;
  /** A seeded order for equal scores (every sample, before any is scored). */
  private readonly tieOrder: Int32Array;
  /** The table changed since the last ranking. */
  private stale = true;

  constructor(private readonly context: SamplerContext) {
    const n = context.n;
    this.uniform = new UniformSampler(context);
    this.scoreTable = new ScoreTable(n);
    this.ranking = new RankedSelection(n, context.settings.rankPressure);
    this.tau = new DrawTauMeter(n);
    // Its own stream, from the run's: drawing the permutation from the run's rng would shift
    // every later draw of the run.
    const tieRng = createRng(context.rng.seed31());
    this.tieOrder = Int32Array.from({ length: n }, (_, i) => i);
    for (let j = n - 1; j > 0; j--) {
      const t = tieRng.int(j + 1);
      [this.tieOrder[j], this.tieOrder[t]] = [this.tieOrder[t], this.tieOrder[j]];
    }
  }

  draw(settings: Readonly<TrainerSettings>, active: boolean): BatchDraw {
    if (this.stale) {
      const table = this.scoreTable;
      this.ranking.rerank((i) => table.score(i), this.tieOrder);
      this.stale = false;
    }
    const n = this.context.n;
    const v = (indices: Int32Array): Float64Array => Float64Array.from(indices, (i) => 1 / (n * this.ranking.probability(i)));
    if (!active) {
      const batch = this.uniform.draw(settings);
      const indices = batch.indices as Int32Array; // the uniform draw is on the CPU
      this.tau.record(indices, null, v(indices));
      return batch;
    }
    const { indices, probabilities } = this.ranking.draw(settings.batchSize, this.context.rng);
    const unbiased = Float64Array.from(probabilities, (q) => 1 / (n * q));
    this.tau.record(indices, unbiased, unbiased);
    const beta = settings.rankCorrection;
    return { indices, weights: Float32Array.from(unbiased, (w) => (beta === 1 ? w : w ** beta)) };
  }

  observe(batch: SettledBatch): number {
    const tau = this.tau.observe(batch);
    this.scoreTable.update(batch.indices, batch.scores);
    this.stale = true;
    return tau;
  }

  tauMargin(): number {
    return this.tau.margin;
  }

  /** q of these samples under the current ranking. */
  samplingProbabilities(indices: Int32Array): Float64Array {
    return Float64Array.from(indices, (i) => this.ranking.probability(i));
  }

  settingsChanged(next: Readonly<TrainerSettings>, previous: Readonly<TrainerSettings>): void {
    if (next.rankPressure !== previous.rankPressure) this.ranking.setPressure(next.rankPressure);
  }

  dispose(): void {}
}

export const onlineBatchSampler = implementSampler(onlineBatchMeta, (context) => new OnlineBatchSampler(context));
