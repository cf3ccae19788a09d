// First-layer maps as one RGBA grid (src/ui/handsOn/weightImages.ts): the layout of the maps,
// orange for positive and blue for negative weights, opacity by |weight| on the unit's shared scale.
import { describe, expect, it } from 'vitest';
import type { FirstLayerView } from '../../../src/contract/protocol';
import { NEGATIVE_RGB, POSITIVE_RGB, gridColumns, mapGrid, sharedScales } from '../../../src/ui/handsOn/weightImages';

/** A view of `shown` maps of 2 × 2 with the given quantized values and scales. */
function view(values: number[], scales: number[]): FirstLayerView {
  return { kind: 'conv', view: 'weights', step: 0, units: scales.length, shown: scales.length, height: 2, width: 2, values: Int8Array.from(values), scales };
}

describe('sharedScales', () => {
  it('is each unit’s largest |weight| over both runs (127 steps of its scale)', () => {
    const a = view([127, 0, 0, 0, 10, 0, 0, 0], [0.01, 0.5]);
    const b = view([0, 0, 0, 0, 0, 0, 0, 0], [0.02, 0.25]);
    expect(sharedScales([a, b])).toEqual([0.02 * 127, 0.5 * 127]);
    expect(sharedScales([a, undefined])).toEqual([0.01 * 127, 0.5 * 127]);
  });
});

describe('mapGrid', () => {
  it('lays out maps in rows of 4 with a transparent pixel between them; colour by sign, opacity by size', () => {
    // Two maps of 2 × 2: map 0 = [127, −127, 0, 64] at scale 1, map 1 all 127 at scale 0.5.
    const v = view([127, -127, 0, 64, 127, 127, 127, 127], [1, 0.5]);
    const grid = mapGrid(v, [127, 127]);
    expect(gridColumns(2)).toBe(2);
    expect([grid.width, grid.height, grid.cols, grid.rows]).toEqual([5, 2, 2, 1]);
    const px = (x: number, y: number) => Array.from(grid.rgba.subarray((y * 5 + x) * 4, (y * 5 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([...POSITIVE_RGB, 255]);
    expect(px(1, 0)).toEqual([...NEGATIVE_RGB, 255]);
    expect(px(0, 1)[3]).toBe(0); // a zero weight shows what is behind
    expect(px(1, 1)).toEqual([...POSITIVE_RGB, Math.round((255 * 64) / 127)]);
    expect(px(2, 0)[3]).toBe(0); // the gap column
    // Map 1's weights are 63.5, half its unit's shared maximum.
    expect(px(3, 0)).toEqual([...POSITIVE_RGB, 128]);
    expect(px(4, 1)).toEqual([...POSITIVE_RGB, 128]);
  });

  it('16 maps make 4 × 4, 8 make 4 × 2', () => {
    expect([gridColumns(16), gridColumns(8), gridColumns(3), gridColumns(1), gridColumns(32)]).toEqual([4, 4, 3, 1, 6]);
  });
});
