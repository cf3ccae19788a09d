// The drawn digit as an MNIST image (src/ui/handsOn/digitPreprocess.ts), against 28×28 arrays
// worked out by hand: the bounding box scaled to fit 20×20 with area averaging, then placed so
// that its centre of mass lands on pixel index 14, by whole pixels.
import { describe, expect, it } from 'vitest';
import { centreDigit, inkBounds, inkOfRgba } from '../../../src/ui/handsOn/digitPreprocess';

/** A width × height drawing with `ink(x, y)`. */
function drawing(width: number, height: number, ink: (x: number, y: number) => number): Float32Array {
  return Float32Array.from({ length: width * height }, (_, i) => ink(i % width, Math.floor(i / width)));
}

/** The expected 28×28 image: `value(x, y)`, 0 elsewhere. */
function field(value: (x: number, y: number) => number): number[] {
  return Array.from({ length: 784 }, (_, i) => value(i % 28, Math.floor(i / 28)));
}

const inRange = (v: number, lo: number, hi: number) => v >= lo && v <= hi;

/** Equal to float32 rounding (the result is a Float32Array). */
function expectImage(actual: Float32Array | null, expected: number[]): void {
  expect(actual).not.toBeNull();
  expect(actual).toHaveLength(784);
  const worst = expected.reduce((m, e, i) => Math.max(m, Math.abs(actual![i] - e)), 0);
  expect(worst).toBeLessThan(1e-6);
}

describe('centreDigit', () => {
  it('nothing drawn: null', () => {
    expect(centreDigit(new Float32Array(50 * 40), 50, 40)).toBeNull();
  });

  it('one pixel grows to the 20×20 box, centre of mass 9.5 → placed at 14 − 9.5 = 4.5, rounded to 5', () => {
    const out = centreDigit(drawing(50, 40, (x, y) => (x === 5 && y === 7 ? 1 : 0)), 50, 40);
    expectImage(out, field((x, y) => (inRange(x, 5, 24) && inRange(y, 5, 24) ? 1 : 0)));
  });

  it('a 40×20 bar keeps its aspect: 20×10, rows 10-19, columns 5-24', () => {
    const out = centreDigit(drawing(60, 50, (x, y) => (inRange(x, 10, 49) && inRange(y, 15, 34) ? 1 : 0)), 60, 50);
    expectImage(out, field((x, y) => (inRange(x, 5, 24) && inRange(y, 10, 19) ? 1 : 0)));
  });

  it('averages areas: a 40×40 checkerboard halves to 20×20 of 0.5 (sampling would give 0s and 1s)', () => {
    const out = centreDigit(drawing(40, 40, (x, y) => ((x + y) % 2 === 0 ? 1 : 0)), 40, 40);
    expectImage(out, field((x, y) => (inRange(x, 5, 24) && inRange(y, 5, 24) ? 0.5 : 0)));
  });

  it('covers cells in part: 3×3 → 20×20, output cells 0.15 source pixels wide, two corner dots', () => {
    // Source pixels (0, 0) and (2, 2) inked. Along each axis, output cell u covers
    // [0.15u, 0.15u + 0.15): cells 0-5 lie in pixel 0, cell 6 ([0.90, 1.05)) is 2/3 pixel 0,
    // cell 13 ([1.95, 2.10)) is 2/3 pixel 2, cells 14-19 lie in pixel 2.
    const w0 = (u: number) => (u <= 5 ? 1 : u === 6 ? 2 / 3 : 0);
    const w2 = (u: number) => (u >= 14 ? 1 : u === 13 ? 2 / 3 : 0);
    // The two dots are symmetric about 9.5: placed at 14 − 9.5 → 5.
    const out = centreDigit(drawing(3, 3, (x, y) => ((x === 0 && y === 0) || (x === 2 && y === 2) ? 1 : 0)), 3, 3);
    expectImage(
      out,
      field((x, y) => {
        const [u, v] = [x - 5, y - 5];
        return inRange(u, 0, 19) && inRange(v, 0, 19) ? w0(u) * w0(v) + w2(u) * w2(v) : 0;
      }),
    );
  });

  it('centres by mass, not by box: [1, 0.5] → 20×10 with centre x (45 + 0.5·145)/15 = 7.83, placed at round(6.17) = 6', () => {
    const out = centreDigit(drawing(4, 3, (x, y) => (y === 1 ? ([0, 1, 0.5, 0] as const)[x] : 0)), 4, 3);
    expectImage(out, field((x, y) => (inRange(y, 10, 19) ? (inRange(x, 6, 15) ? 1 : inRange(x, 16, 25) ? 0.5 : 0) : 0)));
  });

  it('refuses a drawing whose size does not match its values', () => {
    expect(() => centreDigit(new Float32Array(10), 4, 3)).toThrow(/10 values are not a 4×3 drawing/);
  });
});

describe('inkOfRgba and inkBounds', () => {
  it('ink is the alpha channel; the bounds are the inked rows and columns, end exclusive', () => {
    const rgba = new Uint8ClampedArray(3 * 2 * 4);
    rgba[(1 * 3 + 2) * 4 + 3] = 255;
    rgba[(0 * 3 + 1) * 4 + 3] = 51;
    const ink = inkOfRgba(rgba, 3, 2);
    expect(Array.from(ink)).toEqual([0, Math.fround(51 / 255), 0, 0, 0, 1]);
    expect(inkBounds(ink, 3, 2)).toEqual({ x0: 1, y0: 0, x1: 3, y1: 2 });
    expect(inkBounds(new Float32Array(6), 3, 2)).toBeNull();
  });
});
