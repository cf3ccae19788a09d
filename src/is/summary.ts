import type { ScoreSummary } from './types';

/** Count, min, max, mean and (population) std of a score vector, for reports and charts. */
export function summarize(values: ArrayLike<number>): ScoreSummary {
  const n = values.length;
  if (n === 0) return { count: 0, min: NaN, max: NaN, mean: NaN, std: NaN };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  return { count: n, min, max, mean, std: Math.sqrt(sq / n) };
}
