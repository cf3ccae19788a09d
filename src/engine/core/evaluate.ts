// The honest metrics (docs/method.md §6): mean loss and accuracy on a fixed evaluation subset
// of the TRAINING set and on (a fixed subset of) the test split, plus the test split's
// confusion counts, computed on the device in chunks and read back in ONE asynchronous read.
// The page and the benchmarks both use it.
import * as tf from '@tensorflow/tfjs';
import { perSampleLoss } from '../../is/scores';

export interface EvalSet {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  count: number;
}

export interface SetResult {
  /** Mean per-sample cross-entropy. */
  loss: number;
  accuracy: number;
  /**
   * Confusion counts, K×K row-major (entry [t·K + p]: samples of true class t predicted p),
   * where the caller asked for them; K is the width of the set's one-hot labels.
   */
  confusion?: number[];
}

export interface EvalResult {
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Confusion counts on the test set, K×K row-major: [t·K + p] = samples of true class t predicted p. */
  testConfusion: number[];
}

/** Samples per forward pass during evaluation. */
export const EVAL_CHUNK = 500;

/** Device sums over one set; the caller disposes every tensor in it. */
interface SetSums {
  loss: tf.Scalar;
  correct: tf.Scalar;
  /** K×K confusion counts (float32: exact up to 2^24 samples), or null when not asked for. */
  confusion: tf.Tensor2D | null;
}

/** Σ loss, Σ correct and (when `withConfusion`) the confusion counts over a set, as device tensors the caller disposes. */
function sums(logitsOf: (x: tf.Tensor) => tf.Tensor2D, set: EvalSet, chunk: number, withConfusion: boolean): SetSums {
  const classes = set.y.shape[1];
  let loss: tf.Scalar = tf.scalar(0);
  let correct: tf.Scalar = tf.scalar(0);
  let confusion: tf.Tensor2D | null = withConfusion ? tf.zeros([classes, classes]) : null;
  for (let start = 0; start < set.count; start += chunk) {
    const n = Math.min(chunk, set.count - start);
    // The running sums are replaced by new tensors each chunk; the old ones are disposed below.
    const [l, c, m] = tf.tidy(() => {
      const x = tf.slice(set.x, [start, 0, 0, 0], [n, -1, -1, -1]);
      const y = tf.slice(set.y, [start, 0], [n, -1]);
      const z = logitsOf(x);
      const predicted = tf.argMax(z, 1);
      const hit = tf.equal(predicted, tf.argMax(y, 1));
      const out: tf.Tensor[] = [tf.add(loss, tf.sum(perSampleLoss(z, y))), tf.add(correct, tf.sum(tf.cast(hit, 'float32')))];
      // yᵀ·onehot(pred): row t, column p counts the chunk's samples of class t predicted p.
      if (confusion) out.push(tf.add(confusion, tf.matMul(y, tf.cast(tf.oneHot(predicted, classes), 'float32'), true, false)));
      return out;
    });
    tf.dispose([loss, correct, ...(confusion ? [confusion] : [])]);
    loss = l as tf.Scalar;
    correct = c as tf.Scalar;
    confusion = confusion ? (m as tf.Tensor2D) : null;
  }
  return { loss, correct, confusion };
}

/**
 * Loss and accuracy of a logits model on each set, and the confusion counts of the sets whose
 * `withConfusion` entry is true, with one GPU→CPU read for all of them.
 */
export async function evaluateSets(
  logitsOf: (x: tf.Tensor) => tf.Tensor2D,
  sets: readonly EvalSet[],
  chunk = EVAL_CHUNK,
  withConfusion: readonly boolean[] = [],
): Promise<SetResult[]> {
  const parts = sets.map((set, k) => sums(logitsOf, set, chunk, withConfusion[k] === true));
  const scalars = parts.flatMap((p) => [p.loss, p.correct]);
  const matrices = parts.flatMap((p) => (p.confusion ? [p.confusion] : []));
  // One flat tensor: [loss₀, correct₀, loss₁, correct₁, …, then each asked-for confusion, row-major].
  const packed = tf.tidy(() => tf.concat([tf.stack(scalars), ...matrices.map((m) => tf.reshape(m, [-1]))]));
  tf.dispose([...scalars, ...matrices]);
  try {
    const v = await packed.data();
    let offset = 2 * sets.length;
    return sets.map((set, k) => {
      const result: SetResult = {
        loss: set.count ? v[2 * k] / set.count : NaN,
        accuracy: set.count ? v[2 * k + 1] / set.count : NaN,
      };
      if (parts[k].confusion) {
        const size = set.y.shape[1] ** 2;
        result.confusion = Array.from(v.subarray(offset, offset + size));
        offset += size;
      }
      return result;
    });
  } finally {
    packed.dispose();
  }
}

/** The honest metrics of a logits model: the training evaluation subset, and the test subset with its confusion counts. */
export async function evaluate(
  logitsOf: (x: tf.Tensor) => tf.Tensor2D,
  trainSet: EvalSet,
  testSet: EvalSet,
  chunk = EVAL_CHUNK,
): Promise<EvalResult> {
  const [tr, te] = await evaluateSets(logitsOf, [trainSet, testSet], chunk, [false, true]);
  return {
    trainLoss: tr.loss,
    trainAccuracy: tr.accuracy,
    testLoss: te.loss,
    testAccuracy: te.accuracy,
    testConfusion: te.confusion ?? [],
  };
}
