// The replacement Conv2DBackpropFilter kernel for the wasm backend
// (src/engine/backend/wasmConv2dBackpropFilter.ts, tensorflow/tfjs#8474): on every conv layer
// of the model zoo (every model, every dataset's image shape, tiny images the zoo handles) and
// on a grid of strides, paddings, filter and image sizes and batch sizes, its gradient equals a
// float64 reference and the CPU backend's; what it does not accept throws an error that names
// the shapes and the unsupported value. tfjs-backend-wasm runs in Node (single-thread SIMD).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startWasm } from '../../../src/engine/backend/wasm';
import { MAX_PROVEN_STRIDE, planFilterGrad } from '../../../src/engine/backend/wasmConv2dBackpropFilter';
import { DATASET_CATALOGUE, DATASET_NAMES } from '../../../src/data/catalogue';
import { MODEL_NAMES } from '../../../src/models/catalogue';
import { buildModel } from '../../../src/models';
import { createRng } from '../../../src/is';

type Shape4 = [number, number, number, number];
type Pair = [number, number];
interface Case {
  x: Shape4;
  filter: Shape4;
  strides: Pair;
  pad: 'same' | 'valid';
}

/** float32 unit roundoff. */
const U = 2 ** -24;

/**
 * The filter gradient by its definition, in float64, with Σ|terms| of every entry:
 *   dw[r, s, ci, co] = Σ_{n, i, j} x[n, i·sh + r − pt, j·sw + s − pl, ci] · dy[n, i, j, co].
 */
function reference(c: Case, x: Float32Array, dy: Float32Array, dyShape: Shape4, padTop: number, padLeft: number) {
  const [n, h, w, ci] = c.x;
  const [fh, fw, , co] = c.filter;
  const [, oh, ow] = dyShape;
  const [sh, sw] = c.strides;
  const out = new Float64Array(fh * fw * ci * co);
  const abs = new Float64Array(out.length);
  for (let r = 0; r < fh; r++)
    for (let s = 0; s < fw; s++)
      for (let b = 0; b < n; b++)
        for (let i = 0; i < oh; i++) {
          const row = i * sh + r - padTop;
          if (row < 0 || row >= h) continue;
          for (let j = 0; j < ow; j++) {
            const col = j * sw + s - padLeft;
            if (col < 0 || col >= w) continue;
            const xBase = ((b * h + row) * w + col) * ci;
            const dyBase = ((b * oh + i) * ow + j) * co;
            for (let a = 0; a < ci; a++)
              for (let o = 0; o < co; o++) {
                const term = x[xBase + a] * dy[dyBase + o];
                const k = ((r * fw + s) * ci + a) * co + o;
                out[k] += term;
                abs[k] += Math.abs(term);
              }
          }
        }
  return { out, abs, terms: n * oh * ow };
}

function filled(n: number, rng: ReturnType<typeof createRng>): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() * 2 - 1;
  return a;
}

async function filterGradOn(backend: 'wasm' | 'cpu', c: Case, x: Float32Array, dy: Float32Array, dyShape: Shape4): Promise<Float32Array> {
  await tf.setBackend(backend);
  const xt = tf.tensor4d(x, c.x);
  const dyt = tf.tensor4d(dy, dyShape);
  const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xt, dy: dyt }, {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    filterShape: c.filter,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const values = (await dw.data()) as Float32Array;
  tf.dispose([xt, dyt, dw]);
  return values;
}

/** Worst error over the tolerance, and the CPU's, for one case (≤ 1 passes). */
async function check(c: Case, seed: number): Promise<{ wasm: number; cpu: number }> {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const dyShape: Shape4 = [c.x[0], info.outHeight, info.outWidth, c.filter[3]];
  const rng = createRng(seed);
  const x = filled(c.x.reduce((a, b) => a * b, 1), rng);
  const dy = filled(dyShape.reduce((a, b) => a * b, 1), rng);
  const ref = reference(c, x, dy, dyShape, info.padInfo.top, info.padInfo.left);
  // Rounding errors of a float32 sum of n terms add up like a random walk: |error| ≈ u·√n·Σ|terms|
  // (u = 2⁻²⁴). 8·u·√n·Σ|terms| leaves room for the backends' summation orders (the worst seen
  // here is under 1), while a gradient that misses or misplaces one row or column of x (a term
  // in every √n… n) is off by orders of magnitude more.
  const tolerance = (k: number) => 8 * U * Math.sqrt(ref.terms) * ref.abs[k] + 1e-30;
  const worst = (got: Float32Array) => {
    expect(got.length).toBe(ref.out.length);
    let m = 0;
    for (let k = 0; k < got.length; k++) m = Math.max(m, Math.abs(got[k] - ref.out[k]) / tolerance(k));
    return m;
  };
  return { wasm: worst(await filterGradOn('wasm', c, x, dy, dyShape)), cpu: worst(await filterGradOn('cpu', c, x, dy, dyShape)) };
}

const describeCase = (c: Case) => `x [${c.x}] filter [${c.filter}] strides [${c.strides}] ${c.pad}`;

/** Small images the zoo builds models for: no pooling below 2 pixels, one pool below 4 (zoo.ts). */
const TINY_IMAGES: Array<[number, number, number]> = [
  [1, 1, 1],
  [2, 3, 1],
  [3, 3, 1],
  [5, 7, 3],
];

/** Every conv layer of a zoo model for one image shape, as the forward pass sees it. */
function zooConvs(model: tf.LayersModel, batch: number): Case[] {
  const out: Case[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const cfg = layer.getConfig() as { kernelSize: Pair; strides: Pair; padding: string; filters: number; dilationRate: Pair; dataFormat: string };
    expect(cfg.dilationRate).toEqual([1, 1]);
    expect(cfg.dataFormat).toBe('channelsLast');
    const [, h, w, ci] = layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape;
    if (cfg.padding !== 'same' && cfg.padding !== 'valid') throw new Error(`zoo uses padding ${cfg.padding}`);
    out.push({ x: [batch, h!, w!, ci!], filter: [cfg.kernelSize[0], cfg.kernelSize[1], ci!, cfg.filters], strides: cfg.strides, pad: cfg.padding });
  }
  return out;
}

beforeAll(async () => {
  const info = await startWasm();
  expect(info.filterGrad).toBe('replacement');
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('equals a float64 reference and the CPU backend on every conv layer of the model zoo', async () => {
    const shapes = [...new Set(DATASET_NAMES.map((d) => JSON.stringify(DATASET_CATALOGUE[d].imageShape)))].map((s) => JSON.parse(s) as [number, number, number]);
    let cases = 0;
    let seed = 1;
    for (const model of MODEL_NAMES)
      for (const inputShape of [...shapes, ...TINY_IMAGES]) {
        await tf.setBackend('cpu');
        const m = buildModel(model, { inputShape, numClasses: 10, seed: 1 });
        // The page trains at b = 32 by default; 1 and 3 are the smallest and an odd one.
        const convs = [1, 3, 32].flatMap((b) => zooConvs(m, b));
        m.dispose();
        if (model !== 'mlp') expect(convs.length).toBeGreaterThan(0);
        for (const c of convs) {
          const { wasm, cpu } = await check(c, seed++);
          expect(wasm, `${model} on ${inputShape}: ${describeCase(c)}`).toBeLessThanOrEqual(1);
          expect(cpu, `cpu, ${model} on ${inputShape}: ${describeCase(c)}`).toBeLessThanOrEqual(1);
          cases++;
        }
      }
    expect(cases).toBeGreaterThanOrEqual(2 * 5 * 3 * 2);
  });

  it('equals the reference for strides 1 to 3, same and valid, odd sizes and several batch sizes', async () => {
    const strides: Pair[] = [[1, 1], [2, 2], [3, 3], [1, 2], [2, 3]];
    const filters: Pair[] = [[1, 1], [2, 2], [3, 3], [5, 3]];
    const images: Pair[] = [[1, 1], [5, 7], [8, 8], [9, 13]];
    const batches = [1, 2, 5];
    const channels: Pair[] = [[1, 4], [3, 2]];
    let k = 0;
    let cases = 0;
    for (const s of strides)
      for (const pad of ['same', 'valid'] as const)
        for (const [fh, fw] of filters)
          for (const [h, w] of images) {
            if (pad === 'valid' && (fh > h || fw > w)) continue; // no output
            const [ci, co] = channels[k % channels.length];
            const c: Case = { x: [batches[k % batches.length], h, w, ci], filter: [fh, fw, ci, co], strides: s, pad };
            k++;
            const { wasm, cpu } = await check(c, 1000 + k);
            expect(wasm, describeCase(c)).toBeLessThanOrEqual(1);
            expect(cpu, `cpu: ${describeCase(c)}`).toBeLessThanOrEqual(1);
            cases++;
          }
    expect(cases).toBeGreaterThan(100);
  });

  it('trains through tf.grad on wasm as on the CPU: a conv layer with stride 2 and valid padding', async () => {
    // The public path: tf.conv2d's gradient asks for Conv2DBackpropFilter with the forward's attributes.
    const rng = createRng(7);
    const x = filled(4 * 9 * 11 * 2, rng);
    const f = filled(3 * 3 * 2 * 5, rng);
    const grads: Float32Array[] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const xt = tf.tensor4d(x, [4, 9, 11, 2]);
      const ft = tf.tensor4d(f, [3, 3, 2, 5]);
      const g = tf.grad((filter: tf.Tensor) => tf.conv2d(xt, filter as tf.Tensor4D, 2, 'valid').square().sum())(ft);
      grads.push((await g.data()) as Float32Array);
      tf.dispose([xt, ft, g]);
    }
    let scale = 0;
    for (const v of grads[1]) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < grads[1].length; i++) expect(Math.abs(grads[0][i] - grads[1][i])).toBeLessThanOrEqual(1e-5 * scale);
  });

  it('frees every intermediate it makes', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.randomUniform([3, 9, 9, 2], -1, 1, 'float32', 1);
    const dy = tf.randomUniform([3, 4, 4, 3], -1, 1, 'float32', 2);
    const tensors = tf.memory().numTensors;
    const dataIds = backend.numDataIds();
    const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] } as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(dw.shape).toEqual([3, 3, 2, 3]);
    // Only the result is new.
    expect(tf.memory().numTensors).toBe(tensors + 1);
    expect(backend.numDataIds()).toBe(dataIds + 1);
    tf.dispose([x, dy, dw]);
  });

  it('refuses what it has not proven, naming the shapes and the value to change', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 8, 8, 3]);
    const dy = tf.zeros([2, 8, 8, 4]);
    const run = (attrs: Record<string, unknown>, dyT: tf.Tensor = dy) => () =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyT }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4], ...attrs } as unknown as tf.NamedAttrMap);
    const where = /Conv2DBackpropFilter on wasm \(x \[2, 8, 8, 3\], dy \[2, 8, 8, 4\], filter \[3, 3, 3, 4\]\)/;
    expect(run({ dataFormat: 'NCHW' })).toThrow(where);
    expect(run({ dataFormat: 'NCHW' })).toThrow(/dataFormat 'NCHW' is not supported \(use 'NHWC'/);
    expect(run({ pad: 1 })).toThrow(/pad 1 is not supported \(use 'same' or 'valid'\)/);
    expect(run({ pad: [[0, 0], [1, 1], [1, 1], [0, 0]] })).toThrow(/pad \[\[0,0\],\[1,1\],\[1,1\],\[0,0\]\] is not supported/);
    const stride = MAX_PROVEN_STRIDE + 1;
    const dyStrided = tf.zeros([2, 2, 2, 4]);
    expect(run({ strides: stride }, dyStrided)).toThrow(new RegExp(`strides \\[${stride}, ${stride}\\] are not supported \\(each must be a whole number from 1 to ${MAX_PROVEN_STRIDE}\\)`));
    expect(run({}, dyStrided)).toThrow(/dy should be \[2, 8, 8, 4\] for this x and filter/);
    expect(run({ filterShape: [3, 3, 2, 4] })).toThrow(/the filter has 2 input channels but x has 3/);
    // Every refusal points at a way out.
    expect(run({ dataFormat: 'NCHW' })).toThrow(/\?backend=cpu/);
    tf.dispose([x, dy, dyStrided]);
  });

  it('plans the crop where a strided valid conv never read the last rows, and the padding otherwise', () => {
    // 7 rows, 3 taps, stride 2, valid: outputs at rows 0, 2, 4 read rows 0..6 → keep all 7.
    // 8 rows: outputs 0, 2, 4 (the 4th would need row 8) read rows 0..6 → the 8th is cropped.
    const attrs = (h: number) => planFilterGrad([1, h, h, 1], [1, Math.floor((h - 3) / 2) + 1, Math.floor((h - 3) / 2) + 1, 1], {
      strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 1, 1],
    });
    expect(attrs(7)).toMatchObject({ keepRows: 7, padBottom: 0, padTop: 0 });
    expect(attrs(8)).toMatchObject({ keepRows: 7, padBottom: 0 });
    // 'same' on a 1×1 image with a 3×3 filter: one pixel of padding all round.
    expect(planFilterGrad([1, 1, 1, 1], [1, 1, 1, 2], { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 2] })).toMatchObject({
      padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, keepRows: 1, keepCols: 1,
    });
  });
});
