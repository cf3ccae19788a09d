// The filter gradient of a 2-D convolution (Conv2DBackpropFilter) for tfjs's WebAssembly
// backend, which ships without it in 4.22 (tensorflow/tfjs#8474: training any conv layer on
// wasm throws "Kernel 'Conv2DBackpropFilter' not registered"). Built from kernels the wasm
// backend has (Transpose, Slice, Conv2D), so it runs on XNNPACK like the forward pass.
//
// The maths. A forward conv with stride (sh, sw) and top/left padding (pt, pl) computes
//   y[n, i, j, co] = Σ_{r, s, ci} x[n, i·sh + r − pt, j·sw + s − pl, ci] · w[r, s, ci, co]
// (x read as 0 outside the image), so the filter gradient is the correlation
//   dw[r, s, ci, co] = Σ_{n, i, j} x[n, r + i·sh − pt, s + j·sw − pl, ci] · dy[n, i, j, co].
// Renaming ci → batch, (r, s) → output pixel, n → input channel and (i, j) → filter tap, that
// is a forward conv2d, stride 1, dilation (sh, sw), of
//   X' = xᵀ  [Ci, H, W, N]   (x with batch and channels swapped)
// with the "filter"
//   F' = dyᵀ [OH, OW, N, Co] (dy with batch moved to the channel axis),
// on X' padded by pt rows on top and pl columns on the left. The taps reach rows
// r + i·sh ≤ (fh − 1) + (OH − 1)·sh, so X' needs exactly fh + (OH − 1)·sh padded rows: the
// bottom is padded up to that, or cropped where the forward pass never read the last rows
// ('valid' with a stride that leaves some over). A 'valid' conv of that exact extent gives
// [Ci, fh, fw, Co], transposed to the filter's [fh, fw, Ci, Co].
//
// What it accepts is what tests/unit/engine/wasmConv2dBackpropFilter.test.ts checks against
// the CPU backend and a float64 reference: NHWC, float32, padding 'same' or 'valid', strides
// 1 to MAX_PROVEN_STRIDE per axis (the gradient of a dilated conv2d is refused by tfjs itself).
// Anything else throws an error naming the shape and what is unsupported: never a wrong
// gradient.
//
// Tensor ownership: the kernel owns every intermediate (the transposes, the crop, the conv's
// output) and frees each with backend.disposeData before it returns; the engine owns what it
// returns. It reads no data back to JavaScript.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The largest stride per axis the tests prove. */
export const MAX_PROVEN_STRIDE = 3;

type Pair = [number, number];

/** The geometry of one filter gradient, from the forward conv's shapes and attributes. */
export interface FilterGradPlan {
  /** The forward conv's input, filter and output shapes (NHWC, filter HWIO). */
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  dyShape: [number, number, number, number];
  strides: Pair;
  /** Padding of x's top and left, as the forward pass used it. */
  padTop: number;
  padLeft: number;
  /** Rows and columns of x to keep (x's own, or fewer where the forward pass never read the last ones). */
  keepRows: number;
  keepCols: number;
  /** Padding to add below and to the right of the kept part (≥ 0). */
  padBottom: number;
  padRight: number;
}

function pairOf(v: number | Pair): Pair {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function shape4(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks the attributes against what is proven and works out the padding and crop. Throws
 * an error that names the shapes and the unsupported value.
 */
export function planFilterGrad(
  xShape: readonly number[],
  dyShape: readonly number[],
  attrs: tf.Conv2DBackpropFilterAttrs,
): FilterGradPlan {
  const where = `Conv2DBackpropFilter on wasm (x ${shape4(xShape)}, dy ${shape4(dyShape)}, filter ${shape4(attrs.filterShape ?? [])})`;
  const refuse = (what: string): never => {
    throw new Error(`${where}: ${what}. This replacement kernel (tensorflow/tfjs#8474) is proven only for NHWC, float32, pad 'same' or 'valid', strides 1..${MAX_PROVEN_STRIDE}; train this layer on the cpu or webgl backend (?backend=cpu).`);
  };
  if (attrs.dataFormat !== 'NHWC') refuse(`dataFormat '${attrs.dataFormat}' is not supported (use 'NHWC', channelsLast)`);
  if (attrs.pad !== 'same' && attrs.pad !== 'valid') refuse(`pad ${JSON.stringify(attrs.pad)} is not supported (use 'same' or 'valid')`);
  if (xShape.length !== 4 || dyShape.length !== 4) refuse('x and dy must be rank 4');
  const fs = attrs.filterShape;
  if (!Array.isArray(fs) || fs.length !== 4 || fs.some((d) => !Number.isInteger(d) || d < 1)) refuse('filterShape must be 4 positive integers');
  const strides = pairOf(attrs.strides);
  if (strides.some((s) => !Number.isInteger(s) || s < 1 || s > MAX_PROVEN_STRIDE)) {
    refuse(`strides [${strides.join(', ')}] are not supported (each must be a whole number from 1 to ${MAX_PROVEN_STRIDE})`);
  }
  const [n, h, w, ci] = xShape as [number, number, number, number];
  const [fh, fw, fci, co] = fs;
  // The forward pass's geometry, as every tfjs backend computes it.
  const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], [fh, fw, fci, co], strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  if (fci !== ci) refuse(`the filter has ${fci} input channels but x has ${ci}`);
  if (dyShape[0] !== n || dyShape[1] !== info.outHeight || dyShape[2] !== info.outWidth || dyShape[3] !== co) {
    refuse(`dy should be ${shape4([n, info.outHeight, info.outWidth, co])} for this x and filter`);
  }
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  // Padded extent the taps reach: fh + (OH − 1)·sh rows, fw + (OW − 1)·sw columns.
  const needRows = fh + (info.outHeight - 1) * strides[0];
  const needCols = fw + (info.outWidth - 1) * strides[1];
  const keepRows = Math.min(h, needRows - padTop);
  const keepCols = Math.min(w, needCols - padLeft);
  return {
    xShape: [n, h, w, ci],
    filterShape: [fh, fw, ci, co],
    dyShape: [n, info.outHeight, info.outWidth, co],
    strides,
    padTop,
    padLeft,
    keepRows,
    keepCols,
    padBottom: needRows - padTop - keepRows,
    padRight: needCols - padLeft - keepCols,
  };
}

type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }) => tf.TensorInfo;

/** A kernel of the wasm backend by name (registered when the package is imported). */
function wasmKernel(name: string): KernelFn {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`the wasm backend has no ${name} kernel: import @tensorflow/tfjs-backend-wasm before registering Conv2DBackpropFilter`);
  return config.kernelFunc as unknown as KernelFn;
}

function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter on wasm: x and dy must be float32, got ${x.dtype} and ${dy.dtype}`);
  }
  const plan = planFilterGrad(x.shape, dy.shape, attrs);
  const transpose = wasmKernel(tf.Transpose);
  const slice = wasmKernel(tf.Slice);
  const conv2d = wasmKernel(tf.Conv2D);
  const [n, h, w, ci] = plan.xShape;
  const owned: tf.TensorInfo[] = [];
  try {
    // x cropped to the rows and columns the forward pass read.
    let xUsed: tf.TensorInfo = x;
    if (plan.keepRows < h || plan.keepCols < w) {
      xUsed = slice({ inputs: { x }, backend, attrs: { begin: [0, 0, 0, 0], size: [n, plan.keepRows, plan.keepCols, ci] } });
      owned.push(xUsed);
    }
    const xT = transpose({ inputs: { x: xUsed }, backend, attrs: { perm: [3, 1, 2, 0] } }); // [Ci, H', W', N]
    owned.push(xT);
    const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [OH, OW, N, Co]
    owned.push(dyT);
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [plan.padTop, plan.padBottom],
      [plan.padLeft, plan.padRight],
      [0, 0],
    ];
    const grad = conv2d({
      inputs: { x: xT, filter: dyT },
      backend,
      attrs: { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: plan.strides, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
    }); // [Ci, fh, fw, Co]
    owned.push(grad);
    return transpose({ inputs: { x: grad }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [fh, fw, Ci, Co]
  } finally {
    for (const t of owned) backend.disposeData(t.dataId);
  }
}

/**
 * Registers the kernel for the wasm backend, unless one is registered already (a later
 * tfjs-backend-wasm that ships its own keeps it). Returns true when this one is in force.
 */
export function registerWasmConv2dBackpropFilter(): boolean {
  const existing = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
  if (existing) return existing.kernelFunc === (conv2dBackpropFilterWasm as unknown as tf.KernelFunc);
  tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc });
  return true;
}
