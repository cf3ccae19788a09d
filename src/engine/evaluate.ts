// The honest metrics (docs/method.md §6): mean loss and accuracy on a fixed evaluation subset
// of the TRAINING set and on (a fixed subset of) the test split, computed on the device in
// chunks and read back in ONE asynchronous read. The page and the benchmarks both use it.
import * as tf from '@tensorflow/tfjs';
import { perSampleLoss } from '../is/scores';

export interface EvalSet {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  count: number;
}

export interface SetResult {
  /** Mean per-sample cross-entropy. */
  loss: number;
  accuracy: number;
}

export interface EvalResult {
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

/** Samples per forward pass during evaluation. */
export const EVAL_CHUNK = 500;

/** Σ loss and Σ correct over a set, as device scalars the caller disposes. */
function sums(logitsOf: (x: tf.Tensor) => tf.Tensor2D, set: EvalSet, chunk: number): { loss: tf.Scalar; correct: tf.Scalar } {
  let loss: tf.Scalar = tf.scalar(0);
  let correct: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < set.count; start += chunk) {
    const n = Math.min(chunk, set.count - start);
    const [l, c] = tf.tidy(() => {
      const x = tf.slice(set.x, [start, 0, 0, 0], [n, -1, -1, -1]);
      const y = tf.slice(set.y, [start, 0], [n, -1]);
      const z = logitsOf(x);
      const hit = tf.equal(tf.argMax(z, 1), tf.argMax(y, 1));
      return [tf.add(loss, tf.sum(perSampleLoss(z, y))) as tf.Scalar, tf.add(correct, tf.sum(tf.cast(hit, 'float32'))) as tf.Scalar];
    });
    tf.dispose([loss, correct]);
    loss = l;
    correct = c;
  }
  return { loss, correct };
}

/** Loss and accuracy of a logits model on each set, with one GPU→CPU read for all of them. */
export async function evaluateSets(logitsOf: (x: tf.Tensor) => tf.Tensor2D, sets: readonly EvalSet[], chunk = EVAL_CHUNK): Promise<SetResult[]> {
  const parts = sets.map((set) => sums(logitsOf, set, chunk));
  const packed = tf.stack(parts.flatMap((p) => [p.loss, p.correct]));
  tf.dispose(parts.flatMap((p) => [p.loss, p.correct]));
  try {
    const v = await packed.data();
    return sets.map((set, k) => ({
      loss: set.count ? v[2 * k] / set.count : NaN,
      accuracy: set.count ? v[2 * k + 1] / set.count : NaN,
    }));
  } finally {
    packed.dispose();
  }
}

/** The honest metrics of a logits model: the training evaluation subset and the test subset. */
export async function evaluate(
  logitsOf: (x: tf.Tensor) => tf.Tensor2D,
  trainSet: EvalSet,
  testSet: EvalSet,
  chunk = EVAL_CHUNK,
): Promise<EvalResult> {
  const [tr, te] = await evaluateSets(logitsOf, [trainSet, testSet], chunk);
  return { trainLoss: tr.loss, trainAccuracy: tr.accuracy, testLoss: te.loss, testAccuracy: te.accuracy };
}
