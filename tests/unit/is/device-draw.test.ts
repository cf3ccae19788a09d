// The presample draw on the device (src/is/deviceDraw.ts) against the float64 sampler of
// sampler.ts, on tfjs's CPU backend here and on the WebGPU backend in a child process.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawOnDevice, drawUniforms } from '../../../src/is/deviceDraw';
import { createRng } from '../../../src/is/rng';
import { drawWithReplacement, importanceSample, samplingProbabilities } from '../../../src/is/sampler';
import type { Rng } from '../../../src/is/types';
import { chiSquare, chiSquareCritical } from '../../support/chiSquare';
import { HOW_TO_GET_AN_ADAPTER, spawnWithWebgpu } from '../../support/nodeWebgpu';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An Rng whose next() replays the given uniforms: the float64 sampler sees the same u. */
function replay(uniforms: Float32Array): Rng {
  let k = 0;
  return {
    next: () => {
      if (k >= uniforms.length) throw new Error('replay: out of uniforms');
      return uniforms[k++];
    },
    int: () => {
      throw new Error('replay: int() is not used by the draw');
    },
    seed31: () => 0,
  };
}

/** Exponential scores, a fraction of them exactly zero (confident samples score 0). */
function randomScores(rng: Rng, B: number, zeroFraction: number): Float32Array {
  return Float32Array.from({ length: B }, () => (rng.next() < zeroFraction ? 0 : -Math.log(1 - rng.next())));
}

interface ReadDraw {
  positions: Int32Array;
  probabilities: Float32Array;
  weights: Float32Array;
}

/** Draws on the current backend and reads the result back (test side only). */
async function draw(scores: Float32Array, uniforms: Float32Array, smoothing: number): Promise<ReadDraw> {
  const s = tf.tensor1d(scores);
  const d = drawOnDevice(s, uniforms, smoothing);
  const out = {
    positions: (await d.positions.data()) as Int32Array,
    probabilities: (await d.probabilities.data()) as Float32Array,
    weights: (await d.weights.data()) as Float32Array,
  };
  tf.dispose([s, d.positions, d.probabilities, d.weights]);
  return out;
}

describe('drawOnDevice on the CPU backend', () => {
  it('draws what the float64 sampler draws for the same uniforms; p and weights to float32 precision', async () => {
    const rng = createRng(11);
    const sizes = [1, 2, 3, 17, 96, 250, 512];
    const smoothings = [0, 0.3, 2];
    let agree = 0;
    let total = 0;
    for (let t = 0; t < 300; t++) {
      const B = sizes[t % sizes.length];
      const c = smoothings[t % smoothings.length];
      const scores = t % 50 === 7 ? new Float32Array(B) : randomScores(rng, B, t % 2 === 0 ? 0.3 : 0);
      const uniforms = drawUniforms(rng, 128);
      const p = samplingProbabilities(scores, c);
      const expected = drawWithReplacement(p, uniforms.length, replay(uniforms));
      const got = await draw(scores, uniforms, c);
      got.positions.forEach((pos, k) => {
        total++;
        if (pos === expected[k]) agree++;
        expect(p[pos], `draw ${k} of case ${t} picked an entry with p = 0`).toBeGreaterThan(0);
        // ≤ 2e-6 relative: about 16 float32 ulps (p = x/T and 1/(B·p), each a few roundings).
        expect(Math.abs(got.probabilities[k] / p[pos] - 1)).toBeLessThan(2e-6);
        expect(Math.abs(got.weights[k] * B * p[pos] - 1)).toBeLessThan(2e-6);
      });
    }
    // The two draws can differ only when u·T falls between the float32 and the float64
    // position of a boundary. Each float32 boundary is within 1.5 ulp(T) of the exact one and
    // u·T within 2 ulp(T) (deviceDraw.ts), so per draw P(differ) ≤ B·3.5·2^-23 ≈ 2.1e-4 at
    // B = 512: a ≥ 99.9 % agreement has room for the worst case five times over.
    expect(total).toBe(300 * 128);
    expect(agree / total).toBeGreaterThanOrEqual(0.999);
  });

  it('puts every boundary within a few float32 ulps of the exact prefix sum at B = 32768', async () => {
    // A uniform at the exact midpoint of entry i's interval must draw i whenever i's half-width
    // exceeds the float32 error (1.5 + 2 ulp(T) from the boundaries and u·T, + ½ ulp(T) from
    // rounding the midpoint to float32 = 4 ulp(T)). A plain float32 cumsum fails this: on the
    // sequential CPU kernel its boundaries drift by ~30 ulp(T) at this size.
    const rng = createRng(3);
    const B = 32768;
    const scores = randomScores(rng, B, 0);
    const cdf = new Float64Array(B);
    let acc = 0;
    scores.forEach((v, i) => (cdf[i] = acc += v));
    const midpoints = Float32Array.from(cdf, (c, i) => (c - scores[i] / 2) / acc);
    const got = await draw(scores, midpoints, 0);
    const ulp = 2 ** -23;
    let checked = 0;
    const wrong: number[] = [];
    scores.forEach((v, i) => {
      if (v / acc <= 10 * ulp) return; // half-width ≤ 5 ulp(T): too close to call
      checked++;
      if (got.positions[i] !== i) wrong.push(i);
    });
    expect(checked).toBeGreaterThan(0.9 * B);
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('draws at the frequencies p (χ², 25,000 draws) and never an entry with p = 0', async () => {
    const rng = createRng(21);
    const scores = Float32Array.from([5, 0, 1, 2, 0.5, 0, 3, 8, 0.25, 1, 0.01, 4, 0, 6, 2.5]);
    const p = samplingProbabilities(scores, 0);
    const counts = new Float64Array(scores.length);
    let n = 0;
    for (let t = 0; t < 10; t++) {
      const got = await draw(scores, drawUniforms(rng, 2500), 0);
      for (const pos of got.positions) counts[pos]++;
      n += got.positions.length;
    }
    const fit = chiSquare(counts, p, n);
    expect(fit.df).toBe(11);
    expect(fit.stat).toBeLessThan(chiSquareCritical(fit.df));
    // Power: the same counts are rejected against p with 10 % of the largest entry's mass
    // moved to the smallest one.
    const wrong = Float64Array.from(p);
    wrong[7] -= 0.1 * p[7];
    wrong[10] += 0.1 * p[7];
    expect(chiSquare(counts, wrong, n).stat).toBeGreaterThan(chiSquareCritical(fit.df));
  });

  it('the weighted mean of a fixed vector is unbiased for its mean (c = 0 and c = 1); the unweighted one is not', async () => {
    // Two checks at a family-wise α = 1e-4 (Bonferroni): each two-sided at 5e-5, z = 4.056.
    const Z = 4.056;
    const rng = createRng(5);
    const B = 40;
    const b = 16;
    const batches = 2000;
    const scores = randomScores(rng, B, 0.25);
    // v grows with the score, as gradient norms do (uniform draws of it are biased), and is 0
    // where the score is 0: with c = 0 those entries are never drawn, which is unbiased only
    // because a zero score bounds the gradient to 0.
    const v = Float64Array.from(scores, (s, i) => (s > 0 ? 1 + 3 * s + (i % 5) : 0));
    const mean = v.reduce((a, x) => a + x, 0) / B;
    for (const c of [0, 1]) {
      const p = samplingProbabilities(scores, c);
      // Variance of one weighted draw w·v[pos] (w = 1/(B·p)), exact from p.
      let second = 0;
      p.forEach((pi, i) => {
        if (pi > 0) second += pi * (v[i] / (B * pi)) ** 2;
      });
      const sd = Math.sqrt((second - mean * mean) / (b * batches));
      let weighted = 0;
      let unweighted = 0;
      for (let t = 0; t < batches; t++) {
        const got = await draw(scores, drawUniforms(rng, b), c);
        got.positions.forEach((pos, k) => {
          weighted += got.weights[k] * v[pos];
          unweighted += v[pos];
        });
      }
      weighted /= b * batches;
      unweighted /= b * batches;
      expect(Math.abs(weighted - mean), `c = ${c}`).toBeLessThan(Z * sd);
      expect(Math.abs(unweighted - mean), `c = ${c}: the check has power`).toBeGreaterThan(10 * Z * sd);
    }
  });

  it('smoothing makes every entry drawable; all-zero scores draw uniformly with weight 1', async () => {
    const rng = createRng(8);
    const scores = Float32Array.from([1, 3, 0, 4]);
    // c = 1, mean 2: p ∝ 3, 5, 2, 6.
    const smoothed = await draw(scores, drawUniforms(rng, 4000), 1);
    const counts = new Float64Array(4);
    smoothed.positions.forEach((pos, k) => {
      counts[pos]++;
      expect(smoothed.probabilities[k]).toBeCloseTo([3, 5, 2, 6][pos] / 16, 6);
      expect(smoothed.weights[k]).toBeCloseTo(16 / (4 * [3, 5, 2, 6][pos]), 5);
    });
    // Wilson–Hilferty slightly overstates the critical value at df = 3 (21.8 vs 21.1): α ≈ 7e-5.
    const fit = chiSquare(counts, [3 / 16, 5 / 16, 2 / 16, 6 / 16], 4000);
    expect(fit.stat).toBeLessThan(chiSquareCritical(fit.df));
    // Without smoothing the zero score is never drawn.
    const plain = await draw(scores, drawUniforms(rng, 4000), 0);
    expect(plain.positions.includes(2)).toBe(false);

    for (const c of [0, 0.5]) {
      const zero = await draw(new Float32Array(10), drawUniforms(rng, 3000), c);
      expect(Array.from(zero.probabilities).every((pi) => Math.abs(pi - 0.1) < 1e-7)).toBe(true);
      expect(Array.from(zero.weights).every((w) => Math.abs(w - 1) < 1e-6)).toBe(true);
      const zeroCounts = new Float64Array(10);
      for (const pos of zero.positions) zeroCounts[pos]++;
      const zeroFit = chiSquare(zeroCounts, new Float64Array(10).fill(0.1), 3000);
      expect(zeroFit.stat).toBeLessThan(chiSquareCritical(zeroFit.df));
    }
  });

  it('a NaN score makes every weight NaN (the loss shows it); bad arguments name the value', async () => {
    const rng = createRng(2);
    const got = await draw(Float32Array.from([1, NaN, 2]), drawUniforms(rng, 5), 0);
    expect(Array.from(got.weights).every(Number.isNaN)).toBe(true);
    expect(Array.from(got.positions).every((pos) => pos >= 0 && pos < 3)).toBe(true);

    const s = tf.tensor1d([1, 2, 3]);
    const m = tf.tensor2d([[1, 2]]);
    expect(() => drawOnDevice(m as unknown as tf.Tensor1D, new Float32Array(2), 0)).toThrow(/scores must be 1-D/);
    expect(() => drawOnDevice(s, new Float32Array(0), 0)).toThrow(/batch size b ≥ 1/);
    expect(() => drawOnDevice(s, new Float32Array(2), -1)).toThrow(/smoothing c must be finite and ≥ 0, got -1/);
    expect(() => drawUniforms(rng, 0)).toThrow(/b must be a positive integer, got 0/);
    tf.dispose([s, m]);
  });

  it('uniforms outside [0, 1) (1, negative, NaN) never draw an entry with p = 0', async () => {
    // drawUniforms never gives them, but Math.fround(0.99999999) is 1: u = 1 runs off the top
    // onto the trailing zero scores, and u < 0 or NaN finds position 0, all with p = 0 and an
    // infinite weight unless moved (to the top positive entry).
    const uniforms = Float32Array.from([1, Math.fround(0.99999999), -0.5, NaN, 0]);
    const got = await draw(Float32Array.from([0, 1, 2, 0, 0]), uniforms, 0);
    expect(Array.from(got.positions)).toEqual([2, 2, 2, 2, 1]);
    [3 / 10, 3 / 10, 3 / 10, 3 / 10, 3 / 5].forEach((w, k) => expect(got.weights[k]).toBeCloseTo(w, 6));
  });

  it('drawUniforms gives exact float32 values in [0, 1) and takes the Rng stream as importanceSample does', () => {
    const a = createRng(77);
    const b = createRng(77);
    const u = drawUniforms(a, 1000);
    importanceSample([1, 2, 3, 4], 1000, b, 0);
    expect(a.next()).toBe(b.next());
    const reference = createRng(77);
    u.forEach((x) => {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(Number.isInteger(x * 2 ** 24)).toBe(true);
      expect(Math.abs(x - reference.next())).toBeLessThan(2 ** -24);
    });
    // The same seed gives the same uniforms, hence the same draws.
    expect(drawUniforms(createRng(9), 50)).toEqual(drawUniforms(createRng(9), 50));
  });

  it('leaks no tensor and leaves its inputs alive (uniforms as an array or as a tensor)', async () => {
    const rng = createRng(4);
    const scores = tf.tensor1d(randomScores(rng, 64, 0.2));
    const uniformTensor = tf.tensor1d(drawUniforms(rng, 16));
    const before = tf.memory().numTensors;
    for (const u of [drawUniforms(rng, 16), uniformTensor]) {
      const d = drawOnDevice(scores, u, 0.1);
      expect(tf.memory().numTensors).toBe(before + 3);
      expect(d.positions.dtype).toBe('int32');
      expect([d.positions.shape, d.probabilities.shape, d.weights.shape]).toEqual([[16], [16], [16]]);
      tf.dispose([d.positions, d.probabilities, d.weights]);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(scores.isDisposed || uniformTensor.isDisposed).toBe(false);
    tf.dispose([scores, uniformTensor]);
  });
});

describe('drawOnDevice on the WebGPU backend (Node, Dawn)', () => {
  it('reads nothing back, draws what the CPU backend draws, leaks nothing', async () => {
    const child = await spawnWithWebgpu('tests/support/deviceDrawWebgpuChild.ts', [], 110_000);
    const line = child.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) throw new Error(`the WebGPU child printed no result (exit ${child.code}).\nstderr:\n${child.stderr.slice(-4000)}`);
    const out = JSON.parse(line) as Record<string, never> & { ok: boolean; reason?: string };
    if (!out.ok) {
      // No silent skip: say why and how to get an adapter.
      throw new Error(`WebGPU in Node is not available: ${out.reason}\n${out.reason?.includes('apt-get') ? '' : HOW_TO_GET_AN_ADAPTER}`);
    }
    const none = { backendRead: 0, backendReadSync: 0, mapAsync: 0 };
    // The scores lived only in device memory, so any read of them would have been counted.
    expect(out.scoresDeviceOnly).toBe(true);
    expect(out.readsDuringDraw).toEqual({ ...none, before: none });
    // Positive control: the counters do see the read that .data() makes.
    expect(out.readsAfterData).toEqual({ backendRead: 1, backendReadSync: 0, mapAsync: 1 });
    expect(out.tensorGrowth).toBe(0);
    const agreement = out.agreement as unknown as { agree: number; total: number; zeroDrawn: number; maxRelP: number; maxRelW: number };
    expect(agreement.total).toBe(101 * 256);
    // Same bound as on the CPU backend (B ≤ 500 here); the two backends differ in how their
    // cumsum and division round, not in the rule.
    expect(agreement.agree / agreement.total).toBeGreaterThanOrEqual(0.999);
    expect(agreement.zeroDrawn).toBe(0);
    expect(agreement.maxRelP).toBeLessThan(2e-6);
    expect(agreement.maxRelW).toBeLessThan(2e-6);
    expect(out.allZeroCase).toMatchObject({ weights: [1, 1, 1, 1, 1, 1, 1, 1] });
    const mid = out.midpoints as unknown as { checked: number; wrong: number };
    expect(mid.checked).toBeGreaterThan(0.9 * 32768);
    expect(mid.wrong).toBe(0);
  }, 120_000);
});
