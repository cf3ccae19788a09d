// InfoBatch (docs/method.md §9): epochs over the training set pruned at random among the samples
// scoring below the mean (epochs.ts), the kept ones among them weighted 1/(1 − r). The scores
// come from the training passes, kept in a score table (the table's class, for its per-sample
// store and the sampler views). With importance sampling off it draws uniformly and still learns
// the scores. τ is measured on the trained batches against the epoch's keep distribution
// q_i ∝ keep probability (1 − r below the mean, else 1), as a sampler of q would draw.
import type { TrainerSettings } from '../../types';
import { DrawTauMeter } from '../measuredTau';
import { ScoreTable } from '../table/scoreTable';
import { implementSampler, type BatchDraw, type DrawPosition, type Sampler, type SamplerContext, type SettledBatch } from '../types';
import { UniformSampler } from '../uniform';
import { PrunedEpochs } from './epochs';
import { infobatchMeta } from './meta';

export class InfoBatchSampler implements Sampler {
  readonly scoreTable: ScoreTable;
  private readonly uniform: UniformSampler;
  private readonly epochs: PrunedEpochs;
  private readonly tau: DrawTauMeter;

  constructor(private readonly context: SamplerContext) {
    this.uniform = new UniformSampler(context);
    this.scoreTable = new ScoreTable(context.n);
    this.epochs = new PrunedEpochs(context.n);
    this.tau = new DrawTauMeter(context.n);
  }

  draw(settings: Readonly<TrainerSettings>, active: boolean, at: DrawPosition): BatchDraw {
    if (!active) {
      const batch = this.uniform.draw(settings);
      const indices = batch.indices as Int32Array; // the uniform draw is on the CPU
      this.tau.record(indices, null, this.keepWeights(indices));
      return batch;
    }
    const table = this.scoreTable;
    const anneal = settings.pruneFullFrom > 0 && at.epoch >= settings.pruneFullFrom;
    const { indices, weights } = this.epochs.nextBatch(
      settings.batchSize,
      { scoreOf: (i) => (table.seen(i) ? table.score(i) : null) },
      settings.pruneRatio,
      anneal,
      this.context.rng,
    );
    const v = this.keepWeights(indices);
    this.tau.record(indices, v, v);
    return { indices, weights };
  }

  observe(batch: SettledBatch): number {
    const tau = this.tau.observe(batch);
    this.scoreTable.update(batch.indices, batch.scores);
    return tau;
  }

  tauMargin(): number {
    return this.tau.margin;
  }

  /** The keep probabilities of these samples in the current epoch. */
  samplingProbabilities(indices: Int32Array): Float64Array {
    return Float64Array.from(indices, (i) => this.epochs.keepProbability(i));
  }

  dispose(): void {}

  /** 1/(N·q) with q_i = keep_i / Σ keep: what a draw from the epoch's keep distribution weighs. */
  private keepWeights(indices: Int32Array): Float64Array {
    const scale = this.epochs.expectedKept / this.context.n;
    return Float64Array.from(indices, (i) => scale / this.epochs.keepProbability(i));
  }
}

export const infobatchSampler = implementSampler(infobatchMeta, (context) => new InfoBatchSampler(context));
