// One optimizer step on a drawn batch, and reading back what the step learned about it.
// The loss is (1/b) Σ w_i ℓ_i (docs/method.md §2; w = 1 when unweighted), taken before the
// update. upperBound and loss scores are kept from the training forward pass itself; gnorm
// needs its own pass, before the update.
import * as tf from '@tensorflow/tfjs';
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

const now = (): number => performance.now();

/**
 * One optimizer step on the gathered batch. Returns the loss before the update and, if
 * asked, the batch's scores from the same forward pass: the caller disposes both.
 */
export function trainBatch(
  data: TrainingData,
  optimizer: tf.Optimizer,
  indices: Int32Array,
  weights: Float32Array | null,
  capture: Exclude<ScoreKind, 'gnorm'> | null,
): { cost: tf.Scalar; kept: tf.Tensor1D | null } {
  const { model } = data;
  const holder: { scores: tf.Tensor1D | null } = { scores: null };
  const idx = tf.tensor1d(indices, 'int32');
  const xb = tf.gather(data.x, idx);
  const yb = tf.gather(data.y, idx) as tf.Tensor2D;
  const w = weights ? tf.tensor1d(weights) : null;
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
  tf.dispose([idx, xb, yb]);
  if (w) w.dispose();
  if (!cost) throw new Error('internal: optimizer.minimize returned no cost');
  return { cost, kept: holder.scores };
}

export interface TrainedBatch {
  /** Weighted mean loss of the batch, before the update. */
  loss: number;
  /** The batch's scores of the given kind, before the update. */
  scores: Float32Array;
  /** Time of the extra scoring pass (gnorm only), ms. */
  scoreMs: number;
  /** Time of the step and the read, ms. */
  trainMs: number;
}

/** Trains on the batch and reads its loss and its scores back in one read. */
export async function trainAndReadScores(
  data: TrainingData,
  optimizer: tf.Optimizer,
  score: ScoreKind,
  indices: Int32Array,
  weights: Float32Array | null,
): Promise<TrainedBatch> {
  const t0 = now();
  let gnorms: tf.Tensor1D | null = null;
  if (score === 'gnorm') {
    gnorms = tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32');
      return perSampleGradientNorms(data.model, tf.gather(data.x, idx), tf.gather(data.y, idx) as tf.Tensor2D);
    });
  }
  const t1 = now();
  const { cost, kept } = trainBatch(data, optimizer, indices, weights, score === 'gnorm' ? null : score);
  const scoreTensor = gnorms ?? kept;
  if (!scoreTensor) throw new Error('internal: no scores captured');
  const packed = tf.tidy(() => tf.concat([tf.reshape(cost, [1]), scoreTensor]));
  tf.dispose([cost, scoreTensor]);
  const values = await packed.data();
  packed.dispose();
  return { loss: values[0], scores: Float32Array.from(values.subarray(1)), scoreMs: t1 - t0, trainMs: now() - t1 };
}

/** (1/b) Σ w_k ℓ_k of losses already read (w = 1 when unweighted), summed in float64. */
export function weightedMeanLoss(losses: ArrayLike<number>, weights: ArrayLike<number> | null): number {
  const b = losses.length;
  let sum = 0;
  for (let k = 0; k < b; k++) sum += (weights ? weights[k] : 1) * losses[k];
  return sum / b;
}
