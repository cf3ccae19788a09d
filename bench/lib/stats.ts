// Small statistics over plain arrays.

export const mean = (xs: readonly number[]): number =>
  xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;

/** Sample standard deviation (n − 1); NaN below two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1));
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Geometric mean (for ratios). */
export const geomean = (xs: readonly number[]): number =>
  xs.length ? Math.exp(mean(xs.map((x) => Math.log(x)))) : NaN;

/** Mean of the middle values after dropping the top and bottom `trim` fraction (timings). */
export function trimmedMean(xs: readonly number[], trim = 0.1): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length * trim);
  return mean(s.slice(k, s.length - k));
}
