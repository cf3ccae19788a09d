import { expect } from 'vitest';

// χ² goodness-of-fit for the samplers' tests, at α = 1e-4: with fixed seeds a test passes or
// fails deterministically, and α bounds the chance that a correct sampler fails when a seed
// or a draw order changes; each test pairs it with a power check on a wrong distribution.
const Z_ALPHA = 3.719016485; // upper 1e-4 quantile of the standard normal

/** Upper-α critical value of χ²(df), Wilson–Hilferty (relative error < 1% for df ≥ 10). */
export function chiSquareCritical(df: number): number {
  const h = 2 / (9 * df);
  return df * (1 - h + Z_ALPHA * Math.sqrt(h)) ** 3;
}

/** χ² of counts against probabilities p (bins with p = 0 must be empty and add no df). */
export function chiSquare(counts: ArrayLike<number>, p: ArrayLike<number>, n: number): { stat: number; df: number } {
  let stat = 0;
  let bins = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      expect(counts[i], `bin ${i} has p = 0 but was drawn`).toBe(0);
      continue;
    }
    const e = n * p[i];
    stat += (counts[i] - e) ** 2 / e;
    bins++;
  }
  return { stat, df: bins - 1 };
}
