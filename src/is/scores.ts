// Per-sample scores (paper section 3.3): which samples are worth a gradient step.
import * as tf from '@tensorflow/tfjs';
import type { LogitsModel, ScoreKind } from './types';

/** Per-sample cross-entropy −Σ_c y_c log softmax(z)_c, stable through logSoftmax. */
export function perSampleLoss(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

/**
 * ‖softmax(z) − y‖₂, the gradient norm of the cross-entropy w.r.t. the logits: the paper's
 * upper bound (Eq. 20) of the per-sample gradient norm, up to a constant shared by all samples.
 */
export function upperBoundScores(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.norm(tf.sub(tf.exp(tf.logSoftmax(logits)), y), 'euclidean', 1) as tf.Tensor1D);
}

/** Scores that come out of a forward pass: upper bound or loss. Also returns the losses. */
export function scoresFromLogits(
  logits: tf.Tensor2D,
  y: tf.Tensor2D,
  kind: Exclude<ScoreKind, 'gnorm'>,
): { scores: tf.Tensor1D; losses: tf.Tensor1D } {
  return tf.tidy(() => {
    const losses = perSampleLoss(logits, y);
    const scores = kind === 'loss' ? tf.clone(losses) : upperBoundScores(logits, y);
    return { scores, losses };
  });
}

/**
 * Exact per-sample gradient norms ‖∇θ ℓ_i‖ over all trainable weights: one backward pass
 * per sample. Slow; for comparisons and tests, not for training at speed.
 */
export function perSampleGradientNorms(model: LogitsModel, x: tf.Tensor, y: tf.Tensor2D): tf.Tensor1D {
  const n = x.shape[0];
  const vars = model.trainableWeights();
  return tf.tidy(() => {
    const norms: tf.Scalar[] = [];
    for (let i = 0; i < n; i++) {
      const xi = tf.slice(x, i, 1);
      const yi = tf.slice(y, i, 1);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(perSampleLoss(model.logits(xi, false), yi)) as tf.Scalar,
        vars,
      );
      value.dispose();
      const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      norms.push(tf.sqrt(tf.addN(squares)) as tf.Scalar);
      tf.dispose([xi, yi, ...Object.values(grads), ...squares]);
    }
    return tf.stack(norms) as tf.Tensor1D;
  });
}

/**
 * Scores and losses of a batch, in inference mode. For `upperBound` and `loss` this is one
 * plain forward pass, outside any gradient function, so no tape is recorded.
 */
export function scoreBatch(
  model: LogitsModel,
  x: tf.Tensor,
  y: tf.Tensor2D,
  kind: ScoreKind,
): { scores: tf.Tensor1D; losses: tf.Tensor1D } {
  return tf.tidy(() => {
    const logits = model.logits(x, false);
    if (kind !== 'gnorm') return scoresFromLogits(logits, y, kind);
    return { scores: perSampleGradientNorms(model, x, y), losses: perSampleLoss(logits, y) };
  });
}

/**
 * Most samples scored in one forward pass (docs/method.md §2). A presample of B samples is
 * scored in passes of at most this many, so the scoring pass needs the activation memory of
 * one chunk whatever B is (B = 32,768 in one pass of a small CNN would need gigabytes).
 */
export const SCORE_CHUNK = 1024;

/**
 * scoreBatch over the rows `indices` of (x, y), in passes of at most `chunk` samples whose
 * scores and losses are concatenated on the device: nothing is read back. Each chunk's
 * gathered inputs and activations are freed before the next chunk is scored. The result
 * ([indices.length] each) belongs to the caller; x, y and indices are not disposed.
 */
export function scoreRows(
  model: LogitsModel,
  x: tf.Tensor,
  y: tf.Tensor2D,
  indices: tf.Tensor1D,
  kind: ScoreKind,
  chunk = SCORE_CHUNK,
): { scores: tf.Tensor1D; losses: tf.Tensor1D } {
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`scoreRows: chunk must be a whole number ≥ 1, got ${chunk}`);
  const n = indices.shape[0];
  const scoreChunk = (start: number, size: number) =>
    tf.tidy(() => {
      const idx = size === n ? indices : tf.slice(indices, start, size);
      return scoreBatch(model, tf.gather(x, idx), tf.gather(y, idx) as tf.Tensor2D, kind);
    });
  if (n <= chunk) return scoreChunk(0, n);
  const parts: { scores: tf.Tensor1D; losses: tf.Tensor1D }[] = [];
  try {
    for (let start = 0; start < n; start += chunk) parts.push(scoreChunk(start, Math.min(chunk, n - start)));
    return {
      scores: tf.concat(parts.map((p) => p.scores)) as tf.Tensor1D,
      losses: tf.concat(parts.map((p) => p.losses)) as tf.Tensor1D,
    };
  } finally {
    for (const p of parts) tf.dispose([p.scores, p.losses]);
  }
}
