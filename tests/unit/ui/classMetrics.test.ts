// Per-class metrics from confusion counts, against a 3-class example worked out by hand.
import { describe, expect, it } from 'vitest';
import type { EvalPoint } from '../../../src/contract/protocol';
import {
  classCounts,
  confusionClasses,
  confusionRates,
  latestConfusion,
  overallAccuracy,
  perClassAccuracy,
} from '../../../src/ui/classMetrics';

// Rows: true class, columns: predicted class.
//            pred 0  pred 1  pred 2   row sum   accuracy        rates
//   true 0      8       1       1        10     8/10  = 0.8     0.8, 0.1, 0.1
//   true 1      3       9       0        12     9/12  = 0.75    3/12 = 0.25, 9/12 = 0.75, 0
//   true 2      0       4       4         8     4/8   = 0.5     0, 0.5, 0.5
// overall: (8 + 9 + 4) / (10 + 12 + 8) = 21 / 30 = 0.7
const EXAMPLE = [8, 1, 1, 3, 9, 0, 0, 4, 4];

describe('per-class metrics', () => {
  it('match the hand-computed 3-class example', () => {
    expect(classCounts(EXAMPLE, 3)).toEqual([10, 12, 8]);
    const acc = perClassAccuracy(EXAMPLE, 3);
    expect(acc).toHaveLength(3);
    [0.8, 0.75, 0.5].forEach((v, i) => expect(acc[i]).toBeCloseTo(v, 12));
    const rates = confusionRates(EXAMPLE, 3);
    [0.8, 0.1, 0.1, 0.25, 0.75, 0, 0, 0.5, 0.5].forEach((v, i) => expect(rates[i]).toBeCloseTo(v, 12));
    expect(overallAccuracy(EXAMPLE, 3)).toBeCloseTo(0.7, 12);
  });

  it('every row of the rates sums to 1, except a class without test samples', () => {
    // Class 1 has no test samples: its accuracy is null (not 0) and its rates stay 0.
    const confusion = [3, 1, 0, 0, 0, 0, 2, 0, 2];
    expect(perClassAccuracy(confusion, 3)).toEqual([0.75, null, 0.5]);
    const rates = confusionRates(confusion, 3);
    expect(rates.slice(0, 3).reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(rates.slice(3, 6)).toEqual([0, 0, 0]);
    expect(rates.slice(6, 9).reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(overallAccuracy(new Array(9).fill(0), 3)).toBeNull();
  });

  it('reject a matrix whose length is not classes²', () => {
    expect(() => perClassAccuracy([1, 2, 3], 2)).toThrow(RangeError);
    expect(() => perClassAccuracy([1, 2, 3], 2)).toThrow(/2 classes has 4 entries.*got 3/);
    expect(() => confusionRates(EXAMPLE, 4)).toThrow(RangeError);
    expect(() => classCounts(EXAMPLE, 0)).toThrow(/classes must be a whole number/);
    expect(() => overallAccuracy(EXAMPLE, 2.5)).toThrow(RangeError);
  });

  it('read the class count from a square length only', () => {
    expect(confusionClasses(EXAMPLE)).toBe(3);
    expect(confusionClasses([1])).toBe(1);
    expect(confusionClasses([1, 2, 3])).toBeNull();
    expect(confusionClasses([])).toBeNull();
  });

  it('find the newest evaluation with confusion counts', () => {
    const point = (step: number, testConfusion?: number[]): EvalPoint => ({
      step,
      samplesSeen: step,
      clockMs: step,
      trainLoss: 1,
      testLoss: 1,
      testAccuracy: 0.5,
      ...(testConfusion ? { testConfusion } : {}),
    });
    expect(latestConfusion([])).toBeNull();
    expect(latestConfusion([point(1)])).toBeNull();
    const evals = [point(1, [1, 0, 0, 1]), point(2, [2, 0, 0, 2]), point(3), point(4, [1, 2, 3])];
    expect(latestConfusion(evals)?.step).toBe(2);
  });
});
