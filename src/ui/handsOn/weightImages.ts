// A run's first-layer maps (protocol FirstLayerView) as one RGBA image: the maps in a grid, one
// pixel per weight, a transparent pixel between maps. A positive weight is orange, a negative
// one blue, with opacity |weight| / the unit's scale, so zero shows the card behind it in light
// and dark themes alike. Unit k of both runs is drawn on one scale (the larger of the two
// runs' largest |weight|), so the same starting weights look the same and a unit that grew
// looks stronger.
import type { FirstLayerView } from '../../contract/protocol';

export const POSITIVE_RGB = [232, 89, 12] as const;
export const NEGATIVE_RGB = [28, 126, 214] as const;

/** The largest |weight| of each unit over the given views (0 where no view has the unit). */
export function sharedScales(views: readonly (FirstLayerView | undefined)[]): number[] {
  const shown = Math.max(0, ...views.map((v) => v?.shown ?? 0));
  return Array.from({ length: shown }, (_, k) => Math.max(0, ...views.map((v) => (v && k < v.shown ? v.scales[k] * 127 : 0))));
}

export interface MapGrid {
  /** Pixels across and down. */
  width: number;
  height: number;
  cols: number;
  rows: number;
  rgba: Uint8ClampedArray;
}

/** Columns of the grid: at most 4 for up to 16 maps (8 filters make 4 × 2), about square beyond. */
export function gridColumns(shown: number): number {
  return Math.max(1, Math.min(shown, Math.max(4, Math.ceil(Math.sqrt(shown)))));
}

/** The grid image of `view`, unit k drawn against `unitMax[k]` (a weight of that magnitude is opaque). */
export function mapGrid(view: FirstLayerView, unitMax: readonly number[]): MapGrid {
  const cols = gridColumns(view.shown);
  const rows = Math.max(1, Math.ceil(view.shown / cols));
  const width = cols * (view.width + 1) - 1;
  const height = rows * (view.height + 1) - 1;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const size = view.height * view.width;
  for (let k = 0; k < view.shown; k++) {
    const left = (k % cols) * (view.width + 1);
    const top = Math.floor(k / cols) * (view.height + 1);
    const max = unitMax[k] ?? 0;
    for (let p = 0; p < size; p++) {
      const weight = view.values[k * size + p] * view.scales[k];
      const strength = max > 0 ? Math.min(1, Math.abs(weight) / max) : 0;
      const rgb = weight >= 0 ? POSITIVE_RGB : NEGATIVE_RGB;
      const at = ((top + Math.floor(p / view.width)) * width + left + (p % view.width)) * 4;
      rgba[at] = rgb[0];
      rgba[at + 1] = rgb[1];
      rgba[at + 2] = rgb[2];
      rgba[at + 3] = Math.round(255 * strength);
    }
  }
  return { width, height, cols, rows, rgba };
}
