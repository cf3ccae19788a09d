// A drawing made into an MNIST image, the way the dataset's digits were made (LeCun et al.):
// the digit's bounding box scaled, aspect kept, to fit a 20×20 box with area averaging (grey
// levels at the edges, like the dataset's anti-aliasing), then placed in the 28×28 field so
// that its centre of mass falls on the field's centre. Grey levels in [0, 1], ink high: the
// model's input, as the dataset's bytes / 255 (src/data/device.ts), row-major 28×28×1.
//
// Where the centre is: over this app's 8,000 MNIST training digits the mean centre of mass,
// in pixel-index coordinates (pixel i's centre at i), is (14.00, 13.99), and the bounding box's
// longer side is 20 pixels in 7,998 of them. So the centre of mass goes to index 14 (not 13.5),
// rounded to a whole pixel as the dataset's shift was.

/** How the dataset's digits are laid out. */
export interface DigitLayout {
  /** Side of the square image. */
  field: number;
  /** Side of the box the digit's bounding box is scaled to fit. */
  box: number;
  /** Where the centre of mass goes, in pixel-index coordinates (both axes). */
  centre: number;
}

export const MNIST_LAYOUT: DigitLayout = { field: 28, box: 20, centre: 14 };

/** Ink of an RGBA image: its alpha channel in [0, 1] (what was drawn on a transparent canvas). */
export function inkOfRgba(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  if (rgba.length !== width * height * 4) throw new Error(`inkOfRgba: ${rgba.length} bytes are not ${width}×${height} RGBA pixels`);
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3] / 255;
  return ink;
}

/** The rows and columns [x0, x1) × [y0, y1) holding ink (> 0), or null when there is none. */
export function inkBounds(ink: ArrayLike<number>, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!(ink[y * width + x] > 0)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Area-averaging weights of a 1-D resampling: `from` source cells starting at `start` onto `to`
 * output cells of equal width. Output cell u covers [start + u·w, start + (u+1)·w), w = from/to,
 * and takes each source cell with the share of it that it covers (divided by w, so a constant
 * stays constant). Returns, per output cell, its [source index, weight] pairs.
 */
function areaWeights(start: number, from: number, to: number): [number, number][][] {
  const w = from / to;
  return Array.from({ length: to }, (_, u) => {
    const a = start + u * w;
    const b = start + (u + 1) * w;
    const pairs: [number, number][] = [];
    for (let s = Math.floor(a); s < b; s++) {
      const overlap = Math.min(b, s + 1) - Math.max(a, s);
      if (overlap > 1e-12) pairs.push([s, overlap / w]);
    }
    return pairs;
  });
}

/**
 * The drawing `ink` (width × height grey levels in [0, 1], ink high, row-major) as a dataset
 * image: field × field values in [0, 1], or null when nothing is drawn.
 */
export function centreDigit(ink: ArrayLike<number>, width: number, height: number, layout: DigitLayout = MNIST_LAYOUT): Float32Array | null {
  if (ink.length !== width * height) throw new Error(`centreDigit: ${ink.length} values are not a ${width}×${height} drawing`);
  const bounds = inkBounds(ink, width, height);
  if (!bounds) return null;
  const { field, box, centre } = layout;
  const bw = bounds.x1 - bounds.x0;
  const bh = bounds.y1 - bounds.y0;
  // The longer side becomes `box` pixels; the shorter keeps the aspect ratio (at least 1 pixel).
  const scale = box / Math.max(bw, bh);
  const ow = Math.max(1, Math.round(bw * scale));
  const oh = Math.max(1, Math.round(bh * scale));
  const cols = areaWeights(bounds.x0, bw, ow);
  const rows = areaWeights(bounds.y0, bh, oh);
  // Separable: each source row resampled across, then the columns down.
  const across = new Float64Array(bh * ow);
  for (let y = 0; y < bh; y++) {
    const row = (bounds.y0 + y) * width;
    for (let u = 0; u < ow; u++) {
      let s = 0;
      for (const [x, wt] of cols[u]) s += wt * ink[row + x];
      across[y * ow + u] = s;
    }
  }
  const digit = new Float64Array(oh * ow);
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let v = 0; v < oh; v++) {
    for (let u = 0; u < ow; u++) {
      let s = 0;
      for (const [y, wt] of rows[v]) s += wt * across[(y - bounds.y0) * ow + u];
      const value = Math.min(1, Math.max(0, s));
      digit[v * ow + u] = value;
      mass += value;
      mx += value * u;
      my += value * v;
    }
  }
  // Placed so that the centre of mass lands on `centre`, by whole pixels; what falls outside is
  // cut. The centre is snapped to 1e-6 pixel first, so a symmetric digit (centre x.5) rounds the
  // same way whatever the float error of its sums.
  const snap = (v: number) => Math.round(v * 1e6) / 1e6;
  const ox = Math.round(centre - (mass > 0 ? snap(mx / mass) : (ow - 1) / 2));
  const oy = Math.round(centre - (mass > 0 ? snap(my / mass) : (oh - 1) / 2));
  const out = new Float32Array(field * field);
  for (let v = 0; v < oh; v++) {
    const y = oy + v;
    if (y < 0 || y >= field) continue;
    for (let u = 0; u < ow; u++) {
      const x = ox + u;
      if (x >= 0 && x < field) out[y * field + x] = digit[v * ow + u];
    }
  }
  return out;
}
