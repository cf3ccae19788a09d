// Where a presample step's milliseconds go (docs/method.md §2, §7): the step the trainer runs
// (src/is/samplers/presample/sampler.ts, then src/is/batchTraining.ts and the block's read), re-enacted
// stage by stage with the same library functions, each stage ended by a read so that its time
// is its own on any backend. On the synchronous backends (cpu, wasm) a read only copies, so the
// stages add up to the real step; on WebGPU the fences make the stages slower than the
// pipelined step, which the table says.
import * as tf from '@tensorflow/tfjs';
import { dispatchStep } from '../../src/is/batchTraining.ts';
import { createRng, drawOnDevice, drawUniforms, summarize, tauFromScores, uniformIndices, upperBoundScores, type LogitsModel } from '../../src/is/index.ts';

export const STAGES = [
  'CPU draws (B indices, b uniforms)',
  'upload + gather the B presampled rows',
  'scoring forward over B',
  'importance draw on the device',
  'training step (gather b, forward, backward, update)',
  'pack + one read',
  'τ and score summary (CPU)',
] as const;

export type Stage = (typeof STAGES)[number];

/** Median ms of each stage over `reps` re-enacted presample steps on the active backend. */
export async function presampleStages(
  o: { model: LogitsModel; x: tf.Tensor; y: tf.Tensor2D; b: number; B: number; reps: number },
): Promise<Record<Stage, number>> {
  const rng = createRng(5);
  const n = o.x.shape[0];
  const optimizer = tf.train.adam(1e-3);
  const times = new Map<Stage, number[]>(STAGES.map((s) => [s, []]));
  const now = () => performance.now();
  const take = (stage: Stage, t0: number) => times.get(stage)!.push(now() - t0);
  try {
    for (let r = 0; r <= o.reps; r++) {
      const keep = r > 0; // the first one compiles kernels
      let t = now();
      const presample = uniformIndices(n, o.B, rng);
      const uniforms = drawUniforms(rng, o.b);
      if (keep) take(STAGES[0], t);
      t = now();
      const idx = tf.tensor1d(presample, 'int32');
      const xB = tf.gather(o.x, idx);
      const yB = tf.gather(o.y, idx) as tf.Tensor2D;
      await xB.data();
      if (keep) take(STAGES[1], t);
      t = now();
      const scores = tf.tidy(() => upperBoundScores(o.model.logits(xB, false), yB));
      await scores.data();
      if (keep) take(STAGES[2], t);
      t = now();
      const drawn = drawOnDevice(scores, uniforms, 0);
      const chosen = tf.gather(idx, drawn.positions) as tf.Tensor1D;
      await chosen.data();
      if (keep) take(STAGES[3], t);
      t = now();
      const step = dispatchStep({ model: o.model, x: o.x, y: o.y }, optimizer, 'upperBound', { indices: chosen, weights: drawn.weights });
      await step.cost.data();
      if (keep) take(STAGES[4], t);
      t = now();
      const packed = tf.tidy(() => tf.concat([tf.reshape(step.cost, [1]), step.scores, tf.cast(chosen, 'float32'), drawn.weights, scores]));
      const values = await packed.data();
      if (keep) take(STAGES[5], t);
      t = now();
      const presampleScores = values.subarray(1 + 3 * o.b);
      tauFromScores(presampleScores);
      summarize(presampleScores);
      if (keep) take(STAGES[6], t);
      tf.dispose([idx, xB, yB, scores, drawn.positions, drawn.probabilities, drawn.weights, chosen, step.cost, step.scores, packed]);
    }
  } finally {
    optimizer.dispose();
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return Object.fromEntries(STAGES.map((s) => [s, median(times.get(s)!)])) as Record<Stage, number>;
}
