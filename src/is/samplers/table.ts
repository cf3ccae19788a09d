// The score-table sampler (docs/method.md §5): every training sample's last score, kept from
// the forward pass it was trained in, so scoring costs no extra pass. An importance step
// draws b samples from the whole training set ∝ the table, each weighted 1 / (N·p); with
// importance sampling off it draws uniformly. Either way the trained batch's scores go into
// the table, and τ is that of the table's distribution against uniform.
import { importanceWeights } from '../reweighting';
import { ScoreTable } from '../scoreTable';
import type { TrainerSettings } from '../types';
import type { BatchDraw, Sampler, SamplerContext, SettledBatch } from './types';
import { UniformSampler } from './uniform';

export class TableSampler implements Sampler {
  readonly scoreTable: ScoreTable;
  private readonly uniform: UniformSampler;

  constructor(private readonly context: SamplerContext) {
    this.uniform = new UniformSampler(context);
    this.scoreTable = new ScoreTable(context.n, {
      smoothing: context.settings.tableSmoothing,
      ageing: context.tableAgeing,
      tauMomentum: context.settings.tauMomentum,
    });
  }

  draw(settings: Readonly<TrainerSettings>, active: boolean): BatchDraw {
    if (!active) return this.uniform.draw(settings);
    const { indices, probabilities } = this.scoreTable.draw(settings.batchSize, this.context.rng);
    return { indices, weights: importanceWeights(probabilities, this.context.n) };
  }

  /**
   * τ measured on the trained batch's fresh scores against the q it was drawn from (the
   * table's own forecast would trust its stale scores), then the table takes the scores.
   * Within a block every draw uses the table as it was at the block's start (docs/method.md §7).
   */
  observe(batch: SettledBatch): number {
    return this.scoreTable.observeBatch(batch.indices, batch.scores, batch.weights);
  }

  settingsChanged(next: Readonly<TrainerSettings>, previous: Readonly<TrainerSettings>): void {
    if (next.tableSmoothing !== previous.tableSmoothing) this.scoreTable.setSmoothing(next.tableSmoothing);
    if (next.tauMomentum !== previous.tauMomentum) this.scoreTable.setTauMomentum(next.tauMomentum);
  }

  dispose(): void {}
}

export const createTableSampler = (context: SamplerContext): Sampler => new TableSampler(context);
