// Drawing samples: uniform presamples and importance draws with replacement (docs/method.md §2).
import { importanceWeight } from './reweighting';
import type { Rng } from './types';

/** k distinct indices drawn uniformly from [0, n) (Floyd's algorithm, O(k)). */
export function uniformIndices(n: number, k: number, rng: Rng): Int32Array {
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`uniformIndices: cannot draw ${k} distinct indices from ${n}`);
  const chosen = new Set<number>();
  const out = new Int32Array(k);
  let m = 0;
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    const pick = chosen.has(t) ? j : t;
    chosen.add(pick);
    out[m++] = pick;
  }
  return out;
}

/**
 * p_i = (s_i + c·mean(s)) / Σ_j (s_j + c·mean(s)). When every score is zero the
 * distribution is uniform. Scores must be finite and non-negative.
 */
export function samplingProbabilities(scores: ArrayLike<number>, smoothing = 0): Float64Array {
  const n = scores.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (!Number.isFinite(s) || s < 0) {
      throw new Error(`score ${i} is ${s}; scores must be finite and non-negative (has training diverged? lower learningRate)`);
    }
    sum += s;
  }
  const p = new Float64Array(n);
  const shift = (smoothing * sum) / n;
  const total = sum + n * shift;
  if (!(total > 0)) return p.fill(1 / n);
  for (let i = 0; i < n; i++) p[i] = (scores[i] + shift) / total;
  return p;
}

/** b draws with replacement from p (inverse CDF with binary search, O(n + b log n)). */
export function drawWithReplacement(p: ArrayLike<number>, b: number, rng: Rng): Int32Array {
  const n = p.length;
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += p[i];
  const out = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const u = rng.next() * acc;
    // First i with cdf[i] > u: a zero-probability entry is never returned.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[k] = lo;
  }
  return out;
}

export interface ImportanceDraw {
  /** Positions of the b drawn samples within the scored set (with repetitions). */
  positions: Int32Array;
  /** Their sampling probabilities p_i. */
  probabilities: Float64Array;
  /** Their weights 1 / (B · p_i): the weighted mean gradient is unbiased for the set's mean. */
  weights: Float32Array;
}

/** Importance-samples b of the B scored samples: p ∝ s + c·mean(s), weights 1/(B·p). */
export function importanceSample(scores: ArrayLike<number>, b: number, rng: Rng, smoothing = 0): ImportanceDraw {
  const B = scores.length;
  const p = samplingProbabilities(scores, smoothing);
  const positions = drawWithReplacement(p, b, rng);
  const probabilities = new Float64Array(b);
  const weights = new Float32Array(b);
  for (let k = 0; k < b; k++) {
    probabilities[k] = p[positions[k]];
    weights[k] = importanceWeight(probabilities[k], B);
  }
  return { positions, probabilities, weights };
}
