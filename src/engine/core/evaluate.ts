// The honest metrics (docs/method.md §6): mean loss and accuracy on a fixed evaluation subset
// of the TRAINING set and on (a fixed subset of) the test split, plus the test split's
// confusion counts, computed on the device in chunks and read back in ONE asynchronous read.
// The page and the benchmarks both use it; the page runs it in pieces (PiecewiseEvaluation).
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

/**
 * An evaluation of sets done in pieces (the page's engine runs one piece at a time between its
 * commands, so a large evaluation subset never blocks Pause: docs/method.md §6). Each piece
 * queues the forward passes of at most the number of samples it is given; the device sums are
 * formed per chunk of `chunk` samples exactly as in one piece: a chunk's per-sample losses are
 * summed together once the chunk is complete, whatever the pieces it was cut into, so a chunked
 * evaluation gives the same floats as a whole one (the forward pass is row-wise: a sample's
 * logits do not depend on the others in its batch). One read at the end brings every figure back.
 *
 * Tensor ownership: the running sums and the current chunk's partial vectors are owned here,
 * replaced as pieces go, and freed by result() or dispose().
 */
export class PiecewiseEvaluation {
  /** Per set: Σ loss, Σ correct, and the K×K confusion counts where asked for (float32: exact up to 2^24 samples). */
  private readonly sums: { loss: tf.Scalar; correct: tf.Scalar; confusion: tf.Tensor2D | null }[];
  /** The set being evaluated, and the next sample of it. */
  private set = 0;
  private next = 0;
  /** The current chunk's per-sample losses, hits and predicted classes, piece by piece. */
  private partial: { loss: tf.Tensor1D[]; hit: tf.Tensor1D[]; predicted: tf.Tensor1D[] } = { loss: [], hit: [], predicted: [] };
  private finished = false;

  constructor(
    private readonly logitsOf: (x: tf.Tensor) => tf.Tensor2D,
    private readonly sets: readonly EvalSet[],
    private readonly chunk = EVAL_CHUNK,
    withConfusion: readonly boolean[] = [],
  ) {
    this.sums = sets.map((set, k) => ({
      loss: tf.scalar(0),
      correct: tf.scalar(0),
      confusion: withConfusion[k] === true ? tf.zeros([set.y.shape[1], set.y.shape[1]]) : null,
    }));
    this.skipEmptySets();
  }

  /** True once every sample has been through a forward pass (result() reads the sums then). */
  get done(): boolean {
    return this.set >= this.sets.length;
  }

  /** Queues the forward passes of the next `samples` samples (at least one; Infinity: all that are left). */
  step(samples: number): void {
    let left = Math.max(1, samples);
    while (left > 0 && !this.done) {
      const set = this.sets[this.set];
      const chunkStart = this.next - (this.next % this.chunk);
      const chunkEnd = Math.min(chunkStart + this.chunk, set.count);
      const n = Math.min(left, chunkEnd - this.next);
      const start = this.next;
      const [loss, hit, predicted] = tf.tidy(() => {
        const x = tf.slice(set.x, [start, 0, 0, 0], [n, -1, -1, -1]);
        const y = tf.slice(set.y, [start, 0], [n, -1]);
        const z = this.logitsOf(x);
        const p = tf.argMax(z, 1) as tf.Tensor1D;
        return [perSampleLoss(z, y), tf.cast(tf.equal(p, tf.argMax(y, 1)), 'float32') as tf.Tensor1D, p];
      });
      this.partial.loss.push(loss);
      this.partial.hit.push(hit);
      this.partial.predicted.push(predicted);
      this.next += n;
      left -= n;
      if (this.next === chunkEnd) this.closeChunk(chunkStart, chunkEnd - chunkStart);
      if (this.next >= set.count) {
        this.set++;
        this.next = 0;
        this.skipEmptySets();
      }
    }
  }

  /** After the last piece: the figures of every set, in one read. Frees everything it holds. */
  async result(): Promise<SetResult[]> {
    if (!this.done) throw new Error('internal: an evaluation was read before its last piece');
    if (this.finished) throw new Error('internal: an evaluation was read twice');
    this.finished = true;
    const scalars = this.sums.flatMap((p) => [p.loss, p.correct]);
    const matrices = this.sums.flatMap((p) => (p.confusion ? [p.confusion] : []));
    // One flat tensor: [loss₀, correct₀, loss₁, correct₁, …, then each asked-for confusion, row-major].
    const packed = tf.tidy(() => tf.concat([tf.stack(scalars), ...matrices.map((m) => tf.reshape(m, [-1]))]));
    tf.dispose([...scalars, ...matrices]);
    try {
      const v = await packed.data();
      let offset = 2 * this.sets.length;
      return this.sets.map((set, k) => {
        const result: SetResult = {
          loss: set.count ? v[2 * k] / set.count : NaN,
          accuracy: set.count ? v[2 * k + 1] / set.count : NaN,
        };
        if (this.sums[k].confusion) {
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

  /** Frees what it holds without reading (an evaluation dropped half-way: a reset, a new race). */
  dispose(): void {
    if (this.finished) return;
    this.finished = true;
    tf.dispose(this.sums.flatMap((p) => [p.loss, p.correct, ...(p.confusion ? [p.confusion] : [])]));
    this.disposePartial();
  }

  /** Adds a complete chunk [start, start + n) of the current set to its sums, as one piece would. */
  private closeChunk(start: number, n: number): void {
    const set = this.sets[this.set];
    const sums = this.sums[this.set];
    const { loss, hit, predicted } = this.partial;
    const joined = (parts: tf.Tensor1D[]): tf.Tensor1D => (parts.length === 1 ? parts[0] : tf.concat(parts));
    // The running sums are replaced by new tensors; the old ones are disposed below.
    const [l, c, m] = tf.tidy(() => {
      const out: tf.Tensor[] = [tf.add(sums.loss, tf.sum(joined(loss))), tf.add(sums.correct, tf.sum(joined(hit)))];
      // yᵀ·onehot(pred): row t, column p counts the chunk's samples of class t predicted p.
      if (sums.confusion) {
        const y = tf.slice(set.y, [start, 0], [n, -1]);
        const classes = set.y.shape[1];
        out.push(tf.add(sums.confusion, tf.matMul(y, tf.cast(tf.oneHot(joined(predicted), classes), 'float32'), true, false)));
      }
      return out;
    });
    tf.dispose([sums.loss, sums.correct, ...(sums.confusion ? [sums.confusion] : [])]);
    sums.loss = l as tf.Scalar;
    sums.correct = c as tf.Scalar;
    sums.confusion = sums.confusion ? (m as tf.Tensor2D) : null;
    this.disposePartial();
  }

  private disposePartial(): void {
    tf.dispose([...this.partial.loss, ...this.partial.hit, ...this.partial.predicted]);
    this.partial = { loss: [], hit: [], predicted: [] };
  }

  private skipEmptySets(): void {
    while (this.set < this.sets.length && this.sets[this.set].count === 0) this.set++;
  }
}

/**
 * Loss and accuracy of a logits model on each set, and the confusion counts of the sets whose
 * `withConfusion` entry is true, with one GPU→CPU read for all of them: a PiecewiseEvaluation in
 * one piece.
 */
export async function evaluateSets(
  logitsOf: (x: tf.Tensor) => tf.Tensor2D,
  sets: readonly EvalSet[],
  chunk = EVAL_CHUNK,
  withConfusion: readonly boolean[] = [],
): Promise<SetResult[]> {
  const evaluation = new PiecewiseEvaluation(logitsOf, sets, chunk, withConfusion);
  try {
    evaluation.step(Infinity);
    return await evaluation.result();
  } finally {
    evaluation.dispose();
  }
}

/** The honest metrics of a logits model, in pieces: the training evaluation subset, and the test subset with its confusion counts. */
export function honestEvaluation(logitsOf: (x: tf.Tensor) => tf.Tensor2D, trainSet: EvalSet, testSet: EvalSet, chunk = EVAL_CHUNK): PiecewiseEvaluation {
  return new PiecewiseEvaluation(logitsOf, [trainSet, testSet], chunk, [false, true]);
}

/** The figures of an honestEvaluation, named. */
export function honestResult([tr, te]: readonly SetResult[]): EvalResult {
  return {
    trainLoss: tr.loss,
    trainAccuracy: tr.accuracy,
    testLoss: te.loss,
    testAccuracy: te.accuracy,
    testConfusion: te.confusion ?? [],
  };
}

/** The honest metrics of a logits model in one piece: the training evaluation subset, and the test subset with its confusion counts. */
export async function evaluate(
  logitsOf: (x: tf.Tensor) => tf.Tensor2D,
  trainSet: EvalSet,
  testSet: EvalSet,
  chunk = EVAL_CHUNK,
): Promise<EvalResult> {
  return honestResult(await evaluateSets(logitsOf, [trainSet, testSet], chunk, [false, true]));
}
