// The presample draw (docs/method.md §2) done on the device: the B scores never come back to
// the CPU. Same rule as importanceSample in sampler.ts: p_i = (s_i + c·mean(s)) / Σ_j (s_j +
// c·mean(s)), uniform when every score is zero, b draws with replacement by the inverse CDF
// (the first i with cdf[i] > u·total), weights 1 / (B·p_i). The uniforms come from the seeded
// Rng on the CPU and are uploaded, so a run stays reproducible; uploading is a write, and
// nothing here reads a tensor back (every kernel used has a WebGPU version: Sum, Cumsum, Slice,
// PadV2, SearchSorted, GatherV2, Select and elementwise ops; none falls back to the CPU for
// tensors that live on the device). About 40 dispatches at B = 96 on WebGPU (a cumsum is
// ⌈log2 B⌉ + 1 of them).
//
// Precision. Entry i is drawn when cdf[i-1] ≤ u·T < cdf[i] (T = cdf[B-1]). What decides each
// entry's drawing frequency is where its two boundaries lie, in units of T; errors that push
// every later boundary the same way only relabel which u goes where. A plain float32 cumsum is
// not good enough for B up to 32768 (the largest presample the settings allow): the sequential
// CPU kernel lets the boundaries drift by up to B·2^-24·T (2e-3·T at B = 32768, the mass of 64
// average entries), and the GPU's parallel scan sums neighbouring boundaries along different
// trees, so the gap between cdf[i-1] and cdf[i] is off by up to ~2·log2(B)·2^-24·T, which is
// ~6% of an average entry's mass 2^-15·T at B = 32768 (worst cases; measured at B = 32768 on
// exponential scores: 4e-6·T drift on the CPU kernel, 1.2e-7·T on SwiftShader's scan). compensatedCumsum below puts every
// boundary within 1.5 ulp of the exact prefix sum on any backend (≤ 1.5·2^-23·T), and u·T is
// rounded to half an ulp, so every entry's frequency is within ~4·2^-23 ≈ 5e-7 (absolute, as a
// share of T) of p_i whatever B is. That is close to the floor any float32 draw has (the
// threshold u·T itself only resolves 2^-24·T): at B = 32768 an entry of average mass is drawn
// within 1.6% of its p (worst case; round-to-nearest errors are typically a quarter of that and
// of either sign), at the default B = 96 within 5e-5. The weights are computed from p_i itself,
// not from the boundaries, so a frequency error δ_i shifts the weighted mean by δ_i·v_i/(B·p_i):
// negligible for entries with p_i ≫ 5e-7. Entries with p_i below ~2^-23 are drawn inaccurately
// (possibly never), as by any float32 sampler; smoothing c > 0 keeps every p_i ≥ c/((1+c)·B).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './types';

/** Uniforms are multiples of 2^-24: exact in float32, and never rounded up to 1. */
const UNIFORM_STEPS = 1 << 24;
/**
 * The largest float32 below 1. For u ≤ U_MAX and a normal float32 T, fl(u·T) < T (the exact
 * product is at least T·2^-24 below T, which is half an ulp of T or more, and exactly the gap
 * below T when T is a power of two), so the search never runs past the last positive entry.
 */
const U_MAX = 1 - 2 ** -24;

export interface DeviceDraw {
  /** int32 [b]: positions of the drawn samples within the scored set (with repetitions). */
  positions: tf.Tensor1D;
  /** float32 [b]: their sampling probabilities p_i. */
  probabilities: tf.Tensor1D;
  /** float32 [b]: their weights 1 / (B·p_i). */
  weights: tf.Tensor1D;
}

/**
 * b uniforms in [0, 1) for drawOnDevice, taken from the seeded Rng: one rng.next() per draw,
 * as importanceSample takes, so the stream after the draw is the same on both paths. Each is
 * rounded down to a multiple of 2^-24, which float32 holds exactly and which stays below 1.
 */
export function drawUniforms(rng: Rng, b: number): Float32Array {
  if (!Number.isInteger(b) || b < 1) throw new Error(`drawUniforms: the number of draws b must be a positive integer, got ${b}`);
  const out = new Float32Array(b);
  for (let k = 0; k < b; k++) out[k] = Math.floor(rng.next() * UNIFORM_STEPS) / UNIFORM_STEPS;
  return out;
}

/**
 * Importance-samples b of the B scored samples on the device, reading nothing back.
 * `scores`: [B], finite and non-negative (not checked: that would need a read; a NaN score
 * makes every weight NaN, so the loss shows it). `uniforms`: [b] in [0, 1), see drawUniforms.
 * Ownership: returns new tensors the caller disposes; does not dispose its inputs.
 */
export function drawOnDevice(scores: tf.Tensor1D, uniforms: Float32Array | tf.Tensor1D, smoothing: number): DeviceDraw {
  if (scores.rank !== 1) throw new Error(`drawOnDevice: scores must be 1-D [B], got shape [${scores.shape.join(', ')}]`);
  const B = scores.shape[0];
  if (B < 1) throw new Error('drawOnDevice: needs at least one score (presample size B ≥ 1), got 0');
  const b = uniforms instanceof Float32Array ? uniforms.length : uniforms.shape[0];
  if (b < 1) throw new Error('drawOnDevice: needs at least one uniform (batch size b ≥ 1), got 0');
  if (!(Number.isFinite(smoothing) && smoothing >= 0)) throw new Error(`drawOnDevice: smoothing c must be finite and ≥ 0, got ${smoothing}`);

  const [positions, probabilities, weights] = tf.tidy(() => {
    const s = scores.dtype === 'float32' ? scores : tf.cast(scores, 'float32');
    const given = uniforms instanceof Float32Array ? tf.tensor1d(uniforms, 'float32') : uniforms;
    const u = given.dtype === 'float32' ? given : tf.cast(given, 'float32');
    const sum = tf.sum(s);
    // x = s + c·mean(s); when every score is zero, x = 1 for all (uniform). With c > 0 and
    // some score positive, every x_i is positive.
    const allZero = tf.cast(tf.lessEqual(sum, 0), 'float32');
    const shift = smoothing > 0 ? tf.add(tf.mul(sum, smoothing / B), allZero) : allZero;
    const x = tf.add<tf.Tensor1D>(s, shift);
    const cdf = compensatedCumsum(x);
    const total = tf.slice(cdf, [B - 1], [1]);
    const last = tf.scalar(B - 1, 'int32');
    // First i with cdf[i] > u·T, clamped (with T = ∞ no boundary exceeds u·T).
    const found = tf.minimum<tf.Tensor1D>(firstAbove(cdf, tf.mul(u, total)), last);
    const xFound = tf.gather(x, found);
    // Never a zero-probability entry. A zero x_i has cdf[i] = cdf[i-1] exactly when the
    // backend's cumsum is sequential (tfjs CPU). On a parallel scan the compensated boundaries
    // around it coincide unless two sums that agree to ~2^-24 ulp round apart, and u must then
    // land in that one-ulp gap: of order 2^-46 per draw. A caller's uniform outside [0, 1) can land on
    // one too (u = 1, e.g. Math.fround(0.99999999), runs off the top onto trailing zeros; a
    // negative or NaN u finds position 0). Such a draw is moved to the top positive entry, the
    // one u = U_MAX finds. With NaN scores nothing is positive and every weight comes out NaN.
    // Searched for b copies of U_MAX·T, so that top is [b] like found (no broadcast in where).
    const uMax = tf.tensor1d(new Float32Array(b).fill(U_MAX), 'float32');
    const top = tf.minimum<tf.Tensor1D>(firstAbove(cdf, tf.mul(uMax, total)), last);
    const isPositive = tf.greater(xFound, 0);
    const pos = tf.where<tf.Tensor1D>(isPositive, found, top);
    const p = tf.div<tf.Tensor1D>(tf.gather(x, pos), total);
    return [pos, p, tf.reciprocal(tf.mul<tf.Tensor1D>(p, B))];
  });
  return { positions, probabilities, weights };
}

/**
 * For each value v, the first i with sorted[i] > v (sorted.length when there is none).
 * tf.searchSorted flattens 1-D inputs to [1, n]; the result is reshaped back to [b].
 * Ownership: returns a new tensor; call in a tidy.
 */
function firstAbove(sorted: tf.Tensor1D, values: tf.Tensor1D): tf.Tensor1D {
  return tf.reshape<tf.Rank.R1>(tf.searchSorted(sorted, values, 'right'), [values.shape[0]]);
}

/**
 * Prefix sums of x ≥ 0 with every value within 1.5 ulp of the exact prefix sum, on any
 * backend. The backend's cumsum c has some error E_i per value; the realized steps
 * c[i] - c[i-1] are exact float32 differences (Sterbenz) wherever c does not more than double
 * in one step, so x_i - (c[i] - c[i-1]) = -(E_i - E_{i-1}) exactly, and their cumsum (tiny
 * numbers, so its own rounding is negligible) telescopes to -E_i. Adding it back rounds once.
 * Where c does double, the difference rounds by ≤ ½ ulp of c[i]; those errors halve going
 * back, so together they stay under 1 ulp. Ownership: returns a new tensor; call in a tidy.
 */
function compensatedCumsum(x: tf.Tensor1D): tf.Tensor1D {
  const c = tf.cumsum(x);
  const previous = tf.pad(tf.slice(c, [0], [x.shape[0] - 1]), [[1, 0]]);
  const residual = tf.sub<tf.Tensor1D>(x, tf.sub(c, previous));
  return tf.add<tf.Tensor1D>(c, tf.cumsum(residual));
}
