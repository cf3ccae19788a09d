// Row gathers (GatherV2 along axis 0) as plain copies of contiguous rows, for the two backends
// whose tensors live in memory this code can address: tfjs's WebAssembly backend (the wasm
// heap) and its plain-JavaScript CPU backend (typed arrays). Both backends' own Gather kernels
// walk every element through index arithmetic. Measured in Node on this machine: 21 µs per
// 784-float MNIST row on wasm (4.2 ms for the 192 rows a presample of B = 3b gathers at
// b = 64, a third of an MLP step) and ~49 µs on the CPU backend (9.4 ms); copying the rows
// takes 0.3 ms. Every batch, presample, evaluation chunk and probe gathers rows this way
// (src/is/batchTraining.ts, scores.ts; src/data/device.ts).
//
// Only the case it is proven for is taken over (tests/unit/engine/rowGather.test.ts, against
// the backends' own kernels): axis 0, batchDims 0, float32/int32/bool x, int32 indices. Every
// other gather goes to the backend's own kernel unchanged. An index outside [0, N) throws,
// naming it (wasm's own kernel reads past the tensor instead).
//
// Tensor ownership: the kernel makes one output and returns it to the engine; on wasm it frees
// it itself when it throws. It reads the backend's memory directly: nothing leaves the backend.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The backends whose memory the row copy reads. */
export type RowGatherBackend = 'wasm' | 'cpu';

interface GatherInputs {
  x: tf.TensorInfo;
  indices: tf.TensorInfo;
}
interface GatherAttrs {
  axis: number;
  batchDims: number;
}
interface GatherArgs<B> {
  inputs: GatherInputs;
  backend: B;
  attrs: GatherAttrs;
}
/** What the CPU backend offers a kernel (tfjs-backend-cpu's MathBackendCPU, the parts used here). */
interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

type Typed = Float32Array | Int32Array | Uint8Array;

const originals = new Map<RowGatherBackend, tf.KernelFunc>();

/** True when this gather is one the row copy handles (axis 0, no batch dims, a numeric or bool x, int32 indices). */
export function isRowGather(x: { shape: readonly number[]; dtype: string }, indices: { dtype: string }, axis: number, batchDims: number): boolean {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  return ax === 0 && batchDims === 0 && x.shape.length >= 1 && indices.dtype === 'int32' && ['float32', 'int32', 'bool'].includes(x.dtype);
}

/** Copies rows idx[k] of src into dst; returns the first bad position, or −1. */
function copyRows(src: Typed, dst: Typed, idx: Int32Array, rows: number, rowSize: number): number {
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (!(i >= 0 && i < rows)) return k;
    dst.set(src.subarray(i * rowSize, (i + 1) * rowSize), k * rowSize);
  }
  return -1;
}

function outOfRange(x: tf.TensorInfo, idx: Int32Array, k: number, backend: string): Error {
  return new Error(`GatherV2 on ${backend}: index ${idx[k]} (position ${k}) is outside [0, ${x.shape[0] - 1}] of a tensor of shape [${x.shape.join(', ')}]`);
}

function delegate(name: RowGatherBackend, args: unknown): tf.TensorInfo {
  const original = originals.get(name);
  if (!original) throw new Error(`internal: the ${name} GatherV2 replacement ran before it was registered`);
  return original(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

function gatherRowsWasm(args: GatherArgs<BackendWasm>): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  if (!isRowGather(x, indices, attrs.axis, attrs.batchDims)) return delegate('wasm', args);
  const rowSize = sizeOf(x.shape.slice(1));
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  if (sizeOf(indices.shape) === 0 || rowSize === 0) return out;
  // Views taken after makeOutput: allocating may grow the heap, which detaches older views.
  const idx = backend.typedArrayFromHeap(indices) as Int32Array;
  const bad = copyRows(backend.typedArrayFromHeap(x) as Typed, backend.typedArrayFromHeap(out) as Typed, idx, x.shape[0], rowSize);
  if (bad >= 0) {
    const error = outOfRange(x, idx, bad, 'wasm');
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}

function gatherRowsCpu(args: GatherArgs<CpuBackendLike>): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  const src = backend.data.get(x.dataId).values;
  const idx = backend.data.get(indices.dataId).values;
  // Only typed arrays of the dtype's kind; anything else (a string tensor) is the backend's.
  const typed = src instanceof Float32Array || src instanceof Int32Array || src instanceof Uint8Array;
  if (!isRowGather(x, indices, attrs.axis, attrs.batchDims) || !typed || !(idx instanceof Int32Array)) return delegate('cpu', args);
  const rowSize = sizeOf(x.shape.slice(1));
  const count = sizeOf(indices.shape);
  const dst = new (src.constructor as new (n: number) => Typed)(count * rowSize);
  const bad = copyRows(src, dst, idx, x.shape[0], rowSize);
  if (bad >= 0) throw outOfRange(x, idx, bad, 'cpu');
  return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], x.dtype, dst);
}

const KERNELS: Record<RowGatherBackend, tf.KernelFunc> = {
  wasm: gatherRowsWasm as unknown as tf.KernelFunc,
  cpu: gatherRowsCpu as unknown as tf.KernelFunc,
};

/**
 * Puts the row-copy GatherV2 in front of `backend`'s own (once). On wasm, call it after
 * @tensorflow/tfjs-backend-wasm is imported and before the backend starts (its kernels' setup
 * runs then). Returns false when the backend has no GatherV2 to fall back to (nothing changes).
 */
export function registerRowGather(backend: RowGatherBackend): boolean {
  const existing = tf.getKernel(tf.GatherV2, backend);
  if (!existing) return false;
  if (existing.kernelFunc === KERNELS[backend]) return true;
  originals.set(backend, existing.kernelFunc);
  tf.unregisterKernel(tf.GatherV2, backend);
  tf.registerKernel({ kernelName: tf.GatherV2, backendName: backend, kernelFunc: KERNELS[backend], setupFunc: existing.setupFunc, disposeFunc: existing.disposeFunc });
  return true;
}
