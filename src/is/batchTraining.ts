// One optimizer step on a drawn batch, dispatched without reading anything back. The loss is
// (1/b) Σ w_i ℓ_i (docs/method.md §2; w = 1 when unweighted), taken before the update.
// upperBound and loss scores are kept from the training forward pass itself; gnorm needs its
// own pass, before the update (unless the draw already has them).
import * as tf from '@tensorflow/tfjs';
import type { BatchDraw } from './samplers/types';
import { perSampleGradientNorms, perSampleLoss, upperBoundScores } from './scores';
import type { LogitsModel, ScoreKind } from './types';

/** The model and the training set a batch is gathered from. Nothing here is owned. */
export interface TrainingData {
  readonly model: LogitsModel;
  /** [N, ...] */
  readonly x: tf.Tensor;
  /** One-hot [N, C]. */
  readonly y: tf.Tensor2D;
}

/** What a dispatched step leaves on the device. The caller owns (and disposes) both. */
export interface DispatchedStep {
  /** The weighted mean loss before the update. */
  cost: tf.Scalar;
  /** The batch's scores before the update, [b]. */
  scores: tf.Tensor1D;
}

/**
 * One optimizer step on the batch: gathers it on the device, scores it (from the training
 * pass, or a gnorm pass first unless the draw has the scores) and applies the update. Queues
 * device work only; nothing is read back. Does not dispose the batch's tensors.
 */
export function dispatchStep(data: TrainingData, optimizer: tf.Optimizer, score: ScoreKind, batch: BatchDraw): DispatchedStep {
  const { model } = data;
  const idx = batch.indices instanceof Int32Array ? tf.tensor1d(batch.indices, 'int32') : batch.indices;
  const w = batch.weights === null ? null : batch.weights instanceof Float32Array ? tf.tensor1d(batch.weights) : batch.weights;
  const xb = tf.gather(data.x, idx);
  const yb = tf.gather(data.y, idx) as tf.Tensor2D;
  let scores: tf.Tensor1D | null = null;
  if (batch.scores) scores = tf.clone(batch.scores);
  else if (score === 'gnorm') scores = perSampleGradientNorms(model, xb, yb);
  const capture = scores ? null : score === 'gnorm' ? null : score;
  const holder: { scores: tf.Tensor1D | null } = { scores: null };
  const cost = optimizer.minimize(
    () => {
      const logits = model.logits(xb, true);
      const losses = perSampleLoss(logits, yb);
      if (capture === 'loss') holder.scores = tf.keep(losses);
      else if (capture === 'upperBound') holder.scores = tf.keep(upperBoundScores(logits, yb));
      return tf.mean(w ? tf.mul(losses, w) : losses) as tf.Scalar;
    },
    true,
    model.trainableWeights(),
  );
  tf.dispose([xb, yb]);
  if (idx !== batch.indices) idx.dispose();
  if (w && w !== batch.weights) w.dispose();
  scores ??= holder.scores;
  if (!cost || !scores) {
    if (cost) cost.dispose();
    if (scores) scores.dispose();
    throw new Error('internal: the training step returned no loss or no scores');
  }
  return { cost, scores };
}
