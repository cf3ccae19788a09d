// The paper's sampler (docs/method.md §2). An importance step draws B = presampleSize
// samples uniformly, scores them outside any gradient function (no tape) in forward passes
// of at most SCORE_CHUNK samples, and draws the b it trains on from them with replacement,
// p ∝ s + c·mean(s), each weighted 1 / (B·p). All of it happens on the device
// (../deviceDraw.ts): nothing is read back before training; the presample's scores come back
// with the block, for τ (that of the B presample scores) and the histograms. With importance sampling off it draws uniformly
// (UniformSampler).
import * as tf from '@tensorflow/tfjs';
import { presampleSize } from '../../catalogue';
import { drawOnDevice, drawUniforms } from '../../deviceDraw';
import { uniformIndices } from '../../sampler';
import { scoreRows } from '../../scores';
import { tauFromScores } from '../../tau';
import type { TrainerSettings } from '../../types';
import { implementSampler, type BatchDraw, type Sampler, type SamplerContext, type SettledBatch } from '../types';
import { presampleMeta } from './meta';
import { UniformSampler } from '../uniform';

export class PresampleSampler implements Sampler {
  private readonly uniform: UniformSampler;
  /** The smoothing of the latest draw: τ is that of sampling with it (docs/method.md §3). */
  private smoothing = 0;

  constructor(private readonly context: SamplerContext) {
    this.uniform = new UniformSampler(context);
  }

  draw(settings: Readonly<TrainerSettings>, active: boolean): BatchDraw {
    this.smoothing = settings.smoothing;
    if (!active) return this.uniform.draw(settings);
    const { model, x, y, n, rng } = this.context;
    // The same draws from the Rng, in the same order, as a CPU draw would take: B distinct
    // indices, then one uniform per drawn sample.
    const presample = uniformIndices(n, presampleSize(settings), rng);
    const uniforms = drawUniforms(rng, settings.batchSize);
    // Every tensor returned belongs to the trainer; the rest is freed by tidy.
    return tf.tidy(() => {
      const idx = tf.tensor1d(presample, 'int32');
      // In passes of at most SCORE_CHUNK samples: the memory of one chunk, whatever B is.
      const { scores } = scoreRows(model, x, y, idx, settings.score);
      const drawn = drawOnDevice(scores, uniforms, settings.smoothing);
      const indices = tf.gather(idx, drawn.positions) as tf.Tensor1D;
      // gnorm scores cost a backward pass per sample: keep the drawn ones instead of scoring the batch again.
      const extra = settings.score === 'gnorm' ? { scores: tf.gather(scores, drawn.positions) as tf.Tensor1D } : {};
      return { indices, weights: drawn.weights, presampleScores: scores, ...extra };
    });
  }

  observe(batch: SettledBatch): number {
    return tauFromScores(batch.presampleScores ?? batch.scores, this.smoothing);
  }

  dispose(): void {}
}

export const presampleSampler = implementSampler(presampleMeta, (context) => new PresampleSampler(context));
