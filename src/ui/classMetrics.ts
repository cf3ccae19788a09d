// Per-class metrics from a run's test confusion counts (EvalPoint.testConfusion: K×K
// row-major, entry [t·K + p] = samples of true class t predicted p). Plain arithmetic, no tfjs.
import type { EvalPoint } from '../contract/protocol';

function checkShape(confusion: readonly number[], classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(`classes must be a whole number ≥ 1, got ${classes}`);
  }
  if (confusion.length !== classes * classes) {
    throw new RangeError(
      `a confusion matrix of ${classes} classes has ${classes * classes} entries (classes²), got ${confusion.length}: pass the class count it was counted with`,
    );
  }
}

/** Test samples of each true class: the row sums. */
export function classCounts(confusion: readonly number[], classes: number): number[] {
  checkShape(confusion, classes);
  const counts: number[] = [];
  for (let t = 0; t < classes; t++) {
    let sum = 0;
    for (let p = 0; p < classes; p++) sum += confusion[t * classes + p];
    counts.push(sum);
  }
  return counts;
}

/** Accuracy on each true class (diagonal / row sum); null for a class with no test samples. */
export function perClassAccuracy(confusion: readonly number[], classes: number): (number | null)[] {
  return classCounts(confusion, classes).map((n, t) => (n > 0 ? confusion[t * classes + t] / n : null));
}

/**
 * The confusion rates: each row divided by its sum, so entry [t·K + p] is the share of class
 * t's test samples predicted p. A row without samples stays all zero.
 */
export function confusionRates(confusion: readonly number[], classes: number): number[] {
  const counts = classCounts(confusion, classes);
  return confusion.map((v, i) => {
    const n = counts[Math.floor(i / classes)];
    return n > 0 ? v / n : 0;
  });
}

/** Overall accuracy: trace / total (null for an empty matrix). */
export function overallAccuracy(confusion: readonly number[], classes: number): number | null {
  const counts = classCounts(confusion, classes);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let trace = 0;
  for (let t = 0; t < classes; t++) trace += confusion[t * classes + t];
  return trace / total;
}

/**
 * The class count of a confusion matrix: the whole square root of its length, or null when
 * the length is not a square (a point from another dataset or a damaged export).
 */
export function confusionClasses(confusion: readonly number[]): number | null {
  const k = Math.round(Math.sqrt(confusion.length));
  return k > 0 && k * k === confusion.length ? k : null;
}

/** The newest evaluation that carries confusion counts (points from older exports have none). */
export function latestConfusion(evals: readonly EvalPoint[]): (EvalPoint & { testConfusion: number[] }) | null {
  for (let i = evals.length - 1; i >= 0; i--) {
    const e = evals[i];
    if (e.testConfusion && confusionClasses(e.testConfusion) !== null) return e as EvalPoint & { testConfusion: number[] };
  }
  return null;
}
