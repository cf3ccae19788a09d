// τ measured on the trained batches against the distribution a sampler drew them from
// (docs/method.md §5, BatchTauMeter in ../tau.ts), for samplers whose distribution is not built
// from the fresh scores of the batch they train on (online batch selection, InfoBatch). A
// sampler records, at each draw, the weights w = 1/(N·r) of the distribution r the batch came
// from (null for a uniform batch) and v = 1/(N·q) of its importance distribution q; at the
// batch's observe() the meter pools the batch's fresh scores with them. The draw's weights, not
// the ones at observe time: a block draws all its batches before the first is observed.
import { PooledTauMeter } from '../tau';
import type { SettledBatch } from './types';

export class DrawTauMeter {
  private readonly meter: PooledTauMeter;
  private readonly drawn = new WeakMap<Int32Array, { w: Float64Array | null; v: Float64Array }>();

  /** `n`: the training-set size (the pool is about half an epoch, at most TABLE_TAU_POOL_SAMPLES). */
  constructor(n: number) {
    this.meter = new PooledTauMeter(n);
  }

  /** At the draw: w of the distribution the batch came from (null: uniform), v of the sampler's q. */
  record(indices: Int32Array, drawWeights: Float64Array | null, sampleWeights: Float64Array): void {
    this.drawn.set(indices, { w: drawWeights, v: sampleWeights });
  }

  /** At the batch's observe(): τ pooled over the batches so far (1 for a batch that was not recorded). */
  observe(batch: SettledBatch): number {
    const d = this.drawn.get(batch.indices);
    if (!d) return this.meter.value;
    this.drawn.delete(batch.indices);
    return this.meter.add(batch.scores, d.w, d.v);
  }

  /** How far τ̄ must clear τ_th (PooledTauMeter.margin). */
  get margin(): number {
    return this.meter.margin;
  }
}
