// The paper's sampler (docs/method.md §2). An importance step draws B = presampleSize
// samples uniformly, scores them in one forward pass outside any gradient function (no
// tape), and draws the b it trains on from them with replacement, p ∝ s + c·mean(s), each
// weighted 1 / (B·p). The scores and losses come back in one read; the losses of the drawn
// samples give the batch loss, so training itself reads nothing back. τ is that of the B
// presample scores. With importance sampling off it draws uniformly (UniformSampler).
import * as tf from '@tensorflow/tfjs';
import { presampleSize } from '../catalogue';
import { importanceSample, uniformIndices } from '../sampler';
import { scoreBatch } from '../scores';
import { tauFromScores } from '../tau';
import type { TrainerSettings } from '../types';
import type { BatchDraw, Sampler, SamplerContext } from './types';
import { UniformSampler } from './uniform';

export class PresampleSampler implements Sampler {
  private readonly uniform: UniformSampler;

  constructor(private readonly context: SamplerContext) {
    this.uniform = new UniformSampler(context);
  }

  async draw(settings: Readonly<TrainerSettings>, active: boolean): Promise<BatchDraw> {
    if (!active) return this.uniform.draw(settings);
    const { model, x, y, n, rng } = this.context;
    const B = presampleSize(settings);
    const b = settings.batchSize;
    const presample = uniformIndices(n, B, rng);
    // [B scores, B losses], one tensor for one read; disposed here.
    const packed = tf.tidy(() => {
      const idx = tf.tensor1d(presample, 'int32');
      const { scores, losses } = scoreBatch(model, tf.gather(x, idx), tf.gather(y, idx) as tf.Tensor2D, settings.score);
      return tf.concat([scores, losses]);
    });
    const values = await packed.data();
    packed.dispose();
    const presampleScores = Float32Array.from(values.subarray(0, B));
    const presampleLosses = values.subarray(B);
    const drawn = importanceSample(presampleScores, b, rng, settings.smoothing);

    const indices = new Int32Array(b);
    const scores = new Float32Array(b);
    const losses = new Float32Array(b);
    for (let k = 0; k < b; k++) {
      const pos = drawn.positions[k];
      indices[k] = presample[pos];
      scores[k] = presampleScores[pos];
      losses[k] = presampleLosses[pos];
    }
    return { indices, weights: drawn.weights, prescored: { scores, losses, presampleScores } };
  }

  observe(batch: BatchDraw, scores: Float32Array): number {
    return tauFromScores(batch.prescored?.presampleScores ?? scores);
  }

  dispose(): void {}
}

export const createPresampleSampler = (context: SamplerContext): Sampler => new PresampleSampler(context);
