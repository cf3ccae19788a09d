// Uniform minibatches: b distinct samples drawn uniformly, unweighted. τ comes free from
// the scores of the batch's own training pass (docs/method.md §3). The other samplers draw
// with it while importance sampling is off.
import { uniformIndices } from '../sampler';
import { tauFromScores } from '../tau';
import type { TrainerSettings } from '../types';
import type { BatchDraw, Sampler, SamplerContext, SettledBatch } from './types';

export class UniformSampler implements Sampler {
  constructor(private readonly context: Pick<SamplerContext, 'n' | 'rng'>) {}

  draw(settings: Readonly<TrainerSettings>): BatchDraw {
    return { indices: uniformIndices(this.context.n, settings.batchSize, this.context.rng), weights: null };
  }

  observe(batch: SettledBatch): number {
    return tauFromScores(batch.scores);
  }

  dispose(): void {}
}
