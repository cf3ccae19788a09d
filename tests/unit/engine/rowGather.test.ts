// The row-copy GatherV2 (src/engine/backend/rowGather.ts) on the wasm and CPU backends, against
// a plain reference gather, on the shapes and dtypes the app gathers (images [N, H, W, C],
// one-hot labels [N, C], index vectors), on the cases it leaves to the backends' own kernels,
// and on indices out of range.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerRowGather, isRowGather } from '../../../src/engine/backend/rowGather';
import { startWasm } from '../../../src/engine/backend/wasm';
import { createRng } from '../../../src/is';

beforeAll(async () => {
  await startWasm({ threads: 'off' });
  registerRowGather('cpu');
});

/** x[indices] along `axis`, element by element from the definition. */
function reference(values: number[], shape: number[], indices: number[], axis: number): number[] {
  const outer = shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const i of indices) for (let j = 0; j < inner; j++) out.push(values[(o * shape[axis] + i) * inner + j]);
  return out;
}

const cases: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool'; indexShape: number[]; axis?: number }[] = [
  { name: 'a batch of 28×28 images', shape: [50, 28, 28, 1], dtype: 'float32', indexShape: [64] },
  { name: 'one-hot labels', shape: [50, 10], dtype: 'float32', indexShape: [7] },
  { name: 'int32 indices of a presample (1-D)', shape: [97], dtype: 'int32', indexShape: [33] },
  { name: 'bool rows', shape: [12, 3], dtype: 'bool', indexShape: [5] },
  { name: 'a 2-D index tensor', shape: [20, 4, 3], dtype: 'float32', indexShape: [3, 4] },
  { name: 'no indices', shape: [9, 5], dtype: 'float32', indexShape: [0] },
  { name: 'axis 1 (the backend\'s own kernel)', shape: [6, 8, 2], dtype: 'float32', indexShape: [5], axis: 1 },
  { name: 'axis −1 (the backend\'s own kernel)', shape: [6, 8], dtype: 'int32', indexShape: [4], axis: -1 },
];

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`GatherV2 on ${backend} as row copies`, () => {
    const rng = createRng(backend === 'wasm' ? 9 : 10);
    for (const c of cases) {
      it(`equals the reference: ${c.name}`, async () => {
        await tf.setBackend(backend);
        const axis = (c.axis ?? 0) < 0 ? c.shape.length + (c.axis ?? 0) : (c.axis ?? 0);
        const size = c.shape.reduce((a, d) => a * d, 1);
        const values = Array.from({ length: size }, () => (c.dtype === 'bool' ? (rng.next() < 0.5 ? 1 : 0) : c.dtype === 'int32' ? rng.int(1000) - 500 : Math.fround(rng.next() * 2 - 1)));
        const count = c.indexShape.reduce((a, d) => a * d, 1);
        // With repetitions and both ends of the range.
        const indices = Array.from({ length: count }, (_, k) => (k === 0 ? 0 : k === 1 ? c.shape[axis] - 1 : rng.int(c.shape[axis])));
        const x = tf.tensor(values, c.shape, c.dtype);
        const i = tf.tensor(indices, c.indexShape, 'int32');
        const g = tf.gather(x, i, c.axis ?? 0);
        expect(g.shape).toEqual([...c.shape.slice(0, axis), ...c.indexShape, ...c.shape.slice(axis + 1)]);
        expect(Array.from(await g.data())).toEqual(reference(values, c.shape, indices, axis));
        tf.dispose([x, i, g]);
      });
    }

    it('throws on an index outside the rows, naming it, and leaks no tensor (the backend\'s own kernel did not)', async () => {
      await tf.setBackend(backend);
      const x = tf.ones([5, 3]);
      const before = tf.memory().numTensors;
      const i = tf.tensor1d([1, 5], 'int32');
      expect(() => tf.gather(x, i)).toThrow(new RegExp(`GatherV2 on ${backend}: index 5 \\(position 1\\) is outside \\[0, 4\\]`));
      i.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}

it('takes over exactly the row gathers: axis 0, no batch dims, int32 indices, numeric or bool x', () => {
  expect(isRowGather({ shape: [4, 3], dtype: 'float32' }, { dtype: 'int32' }, 0, 0)).toBe(true);
  expect(isRowGather({ shape: [4, 3], dtype: 'float32' }, { dtype: 'int32' }, -2, 0)).toBe(true);
  expect(isRowGather({ shape: [4, 3], dtype: 'float32' }, { dtype: 'int32' }, 1, 0)).toBe(false);
  expect(isRowGather({ shape: [4, 3], dtype: 'float32' }, { dtype: 'int32' }, 1, 1)).toBe(false);
  expect(isRowGather({ shape: [4, 3], dtype: 'string' }, { dtype: 'int32' }, 0, 0)).toBe(false);
  expect(isRowGather({ shape: [4, 3], dtype: 'float32' }, { dtype: 'float32' }, 0, 0)).toBe(false);
  expect(registerRowGather('wasm')).toBe(true); // idempotent
});
