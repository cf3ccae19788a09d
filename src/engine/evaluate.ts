// The honest metrics: mean loss on a fixed evaluation subset of the TRAINING set and loss /
// accuracy on (a fixed subset of) the test split, computed on the device in chunks and read
// back in ONE asynchronous read.
import * as tf from '@tensorflow/tfjs';
import { perSampleLoss } from '../is/scores';

export interface EvalSet {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  count: number;
}

export interface EvalResult {
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
}

/** Samples per forward pass during evaluation. */
export const EVAL_CHUNK = 500;

function sums(logitsOf: (x: tf.Tensor) => tf.Tensor2D, set: EvalSet, chunk: number): { loss: tf.Scalar; correct: tf.Scalar } {
  let loss: tf.Scalar = tf.scalar(0);
  let correct: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < set.count; start += chunk) {
    const n = Math.min(chunk, set.count - start);
    const [l, c] = tf.tidy(() => {
      const x = tf.slice(set.x, [start, 0, 0, 0], [n, -1, -1, -1]);
      const y = tf.slice(set.y, [start, 0], [n, -1]);
      const z = logitsOf(x);
      const ce = perSampleLoss(z, y);
      const hit = tf.equal(tf.argMax(z, 1), tf.argMax(y, 1));
      return [tf.add(loss, tf.sum(ce)) as tf.Scalar, tf.add(correct, tf.sum(tf.cast(hit, 'float32'))) as tf.Scalar];
    });
    tf.dispose([loss, correct]);
    loss = l;
    correct = c;
  }
  return { loss, correct };
}

/** Evaluates a logits model on both sets with one GPU→CPU read. */
export async function evaluate(
  logitsOf: (x: tf.Tensor) => tf.Tensor2D,
  trainSet: EvalSet,
  testSet: EvalSet,
  chunk = EVAL_CHUNK,
): Promise<EvalResult> {
  const tr = sums(logitsOf, trainSet, chunk);
  const te = sums(logitsOf, testSet, chunk);
  const packed = tf.stack([tr.loss, te.loss, te.correct]);
  tf.dispose([tr.loss, tr.correct, te.loss, te.correct]);
  try {
    const [trainSum, testSum, correct] = await packed.data();
    return {
      trainLoss: trainSet.count ? trainSum / trainSet.count : NaN,
      testLoss: testSet.count ? testSum / testSet.count : NaN,
      testAccuracy: testSet.count ? correct / testSet.count : NaN,
    };
  } finally {
    packed.dispose();
  }
}
