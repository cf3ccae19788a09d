// Synthetic image datasets generated from the seed, instantly, without files.
//
// synthetic-shapes: 28×28×1, 10 balanced classes. Six are clean, distinct shapes (easy), but
// 8 % of their samples are rare hard variants (faint, noisy, with clutter). Four classes are
// hard: two rings told apart only by a gap, under strong noise, and two dot textures whose
// densities overlap (some samples are ambiguous). Uniform sampling spends most of its steps
// on easy samples that are learnt early; importance sampling concentrates on the rare
// variants and the hard classes, so the difference shows.
//
// Only sqrt (correctly rounded by IEEE 754) and the seeded PRNG are used, no trigonometry,
// so the pixels are the same on every JavaScript engine.
import { createRng, deriveSeed } from '../is/rng';
import type { Rng } from '../is/types';
import type { Dataset, DatasetSplit } from './types';

export interface SyntheticClass {
  name: string;
  difficulty: 'easy' | 'hard';
  description: string;
}

export interface SyntheticOptions {
  /** Default 6000. */
  trainCount?: number;
  /** Default 1000. */
  testCount?: number;
}

export const SYNTHETIC_SHAPES_CLASSES: readonly SyntheticClass[] = [
  { name: 'horizontal bar', difficulty: 'easy', description: 'a thick, nearly horizontal bar' },
  { name: 'vertical bar', difficulty: 'easy', description: 'a thick, nearly vertical bar' },
  { name: 'square', difficulty: 'easy', description: 'a square outline' },
  { name: 'disc', difficulty: 'easy', description: 'a filled disc' },
  { name: 'plus', difficulty: 'easy', description: 'an upright cross' },
  { name: 'x', difficulty: 'easy', description: 'a diagonal cross' },
  { name: 'ring', difficulty: 'hard', description: 'a closed ring, faint and noisy' },
  { name: 'broken ring', difficulty: 'hard', description: 'a ring with a gap, faint and noisy' },
  { name: 'sparse dots', difficulty: 'hard', description: 'random dots, density 8–20 %' },
  { name: 'dense dots', difficulty: 'hard', description: 'random dots, density 16–30 % (overlaps sparse dots)' },
];

const H = 28;
const W = 28;
const PX = H * W;
/** Share of an easy class's samples drawn as a rare hard variant. */
const RARE_HARD = 0.08;

const uniform = (rng: Rng, a: number, b: number): number => a + (b - a) * rng.next();
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
/** Soft-edged stroke: 1 inside half-width w, fading over one pixel. */
const stroke = (d: number, w: number): number => clamp01(w + 0.5 - d);

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  const dx = px - ax - t * vx;
  const dy = py - ay - t * vy;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Max-composites a segment of half-width w into the canvas. */
function drawSegment(canvas: Float32Array, ax: number, ay: number, bx: number, by: number, w: number, level = 1): void {
  const m = w + 1;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - m));
  const x1 = Math.min(W - 1, Math.ceil(Math.max(ax, bx) + m));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - m));
  const y1 = Math.min(H - 1, Math.ceil(Math.max(ay, by) + m));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const v = level * stroke(segmentDistance(x, y, ax, ay, bx, by), w);
      if (v > canvas[y * W + x]) canvas[y * W + x] = v;
    }
  }
}

/** A segment through (cx, cy) along the unit-ish direction (dx, dy), half-length L. */
function drawBar(canvas: Float32Array, cx: number, cy: number, dx: number, dy: number, L: number, w: number): void {
  const n = Math.sqrt(dx * dx + dy * dy);
  drawSegment(canvas, cx - (dx / n) * L, cy - (dy / n) * L, cx + (dx / n) * L, cy + (dy / n) * L, w);
}

/** A uniformly random direction, by rejection (no trigonometry). */
function unitVector(rng: Rng): [number, number] {
  for (;;) {
    const x = uniform(rng, -1, 1);
    const y = uniform(rng, -1, 1);
    const n = Math.sqrt(x * x + y * y);
    if (n >= 0.2 && n <= 1) return [x / n, y / n];
  }
}

function drawShape(cls: number, rng: Rng, canvas: Float32Array): void {
  const cx = 13.5 + uniform(rng, -3, 3);
  const cy = 13.5 + uniform(rng, -3, 3);
  switch (cls) {
    case 0:
    case 1: {
      const slope = uniform(rng, -0.2, 0.2);
      const L = uniform(rng, 7, 10);
      const w = uniform(rng, 1.2, 2);
      if (cls === 0) drawBar(canvas, cx, cy, 1, slope, L, w);
      else drawBar(canvas, cx, cy, slope, 1, L, w);
      return;
    }
    case 2: {
      const h = uniform(rng, 5, 9);
      const w = uniform(rng, 0.8, 1.3);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const dx = Math.abs(x - cx);
          const dy = Math.abs(y - cy);
          const ox = Math.max(dx - h, 0);
          const oy = Math.max(dy - h, 0);
          const d = dx < h && dy < h ? h - Math.max(dx, dy) : Math.sqrt(ox * ox + oy * oy);
          canvas[y * W + x] = Math.max(canvas[y * W + x], stroke(d, w));
        }
      }
      return;
    }
    case 3: {
      const r = uniform(rng, 4.5, 8);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const d = Math.sqrt((x - cx) ** 2 + (y - cy) ** 2);
          canvas[y * W + x] = Math.max(canvas[y * W + x], clamp01(r + 0.5 - d));
        }
      }
      return;
    }
    case 4:
    case 5: {
      const L = uniform(rng, 6, 9);
      const w = uniform(rng, 1, 1.6);
      const t = uniform(rng, -0.15, 0.15);
      if (cls === 4) {
        drawBar(canvas, cx, cy, 1, t, L, w);
        drawBar(canvas, cx, cy, -t, 1, L, w);
      } else {
        drawBar(canvas, cx, cy, 1, 1 + t, L, w);
        drawBar(canvas, cx, cy, 1, -1 - t, L, w);
      }
      return;
    }
    case 6:
    case 7: {
      const r = uniform(rng, 6, 9.5);
      const w = uniform(rng, 0.8, 1.3);
      // The gap: points whose direction from the centre is within the cone around (ux, uy).
      const [ux, uy] = unitVector(rng);
      const cosHalfGap = uniform(rng, 0.72, 0.88); // half-angle about 28°–44°
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const px = x - cx;
          const py = y - cy;
          const d = Math.sqrt(px * px + py * py);
          if (cls === 7 && d > 0 && (px * ux + py * uy) / d > cosHalfGap) continue;
          canvas[y * W + x] = Math.max(canvas[y * W + x], stroke(Math.abs(d - r), w));
        }
      }
      return;
    }
    default: {
      const density = cls === 8 ? uniform(rng, 0.08, 0.2) : uniform(rng, 0.16, 0.3);
      for (let y = 4; y < H - 4; y++) {
        for (let x = 4; x < W - 4; x++) {
          if (rng.next() < density) canvas[y * W + x] = uniform(rng, 0.6, 1);
        }
      }
    }
  }
}

/** One image of class `cls` into `out` (uint8, PX bytes). */
function renderSample(cls: number, rng: Rng, out: Uint8Array, canvas: Float32Array): void {
  canvas.fill(0);
  const info = SYNTHETIC_SHAPES_CLASSES[cls];
  const rareHard = info.difficulty === 'easy' && rng.next() < RARE_HARD;
  drawShape(cls, rng, canvas);
  let contrast: number;
  let noise: number;
  if (info.difficulty === 'hard') {
    contrast = uniform(rng, 0.45, 0.8);
    noise = 0.45;
  } else if (rareHard) {
    contrast = uniform(rng, 0.3, 0.45);
    noise = 0.55;
    // Clutter: a short, faint stray stroke somewhere.
    const ax = uniform(rng, 2, 25);
    const ay = uniform(rng, 2, 25);
    drawSegment(canvas, ax, ay, ax + uniform(rng, -8, 8), ay + uniform(rng, -8, 8), 0.8, uniform(rng, 0.6, 1));
  } else {
    contrast = uniform(rng, 0.85, 1);
    noise = 0.12;
  }
  for (let i = 0; i < PX; i++) {
    // Triangular noise in (−noise, noise), kept to the bright side of the background; the
    // two uniforms are the high and low 16 bits of one draw.
    const u = rng.next() * 65536;
    const hi = Math.floor(u);
    const e = (hi / 65536 + (u - hi) - 1) * noise;
    out[i] = Math.round(255 * clamp01(contrast * canvas[i] + Math.abs(e) * 0.6 + e * 0.4));
  }
}

function generateSplit(count: number, rng: Rng): DatasetSplit {
  const C = SYNTHETIC_SHAPES_CLASSES.length;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % C;
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = labels[i];
    labels[i] = labels[j];
    labels[j] = t;
  }
  const images = new Uint8Array(count * PX);
  const canvas = new Float32Array(PX);
  for (let i = 0; i < count; i++) renderSample(labels[i], rng, images.subarray(i * PX, (i + 1) * PX), canvas);
  return { count, images, labels };
}

/** The 'synthetic-shapes' dataset for a seed: same seed, same bytes. Classes are balanced. */
export function generateSyntheticShapes(seed: number, opts: SyntheticOptions = {}): Dataset {
  const trainCount = opts.trainCount ?? 6000;
  const testCount = opts.testCount ?? 1000;
  for (const [k, v] of [['trainCount', trainCount], ['testCount', testCount]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`generateSyntheticShapes: ${k} must be a whole number ≥ 1, got ${v}`);
  }
  return {
    name: 'synthetic-shapes',
    title: 'Synthetic shapes',
    imageShape: [H, W, 1],
    numClasses: SYNTHETIC_SHAPES_CLASSES.length,
    classNames: SYNTHETIC_SHAPES_CLASSES.map((c) => c.name),
    train: generateSplit(trainCount, createRng(deriveSeed(seed, 'data.synthetic-shapes.train'))),
    test: generateSplit(testCount, createRng(deriveSeed(seed, 'data.synthetic-shapes.test'))),
    description: `Generated from seed ${seed}: six easy shape classes (8 % rare faint, cluttered variants) and four hard classes (gap-vs-closed rings under noise; overlapping dot densities).`,
  };
}
