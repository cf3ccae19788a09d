// Starting the wasm backend (src/engine/backend/wasm.ts): in Node with no paths, once, with
// the filter-gradient kernel registered; the thread rule ('auto' trains on one thread below
// four logical cores, where threads were measured slower) and its refusals.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MIN_CORES_FOR_THREADS, blobWorkersAllowed, describeWasm, planThreads, startWasm } from '../../../src/engine/backend/wasm';

describe('startWasm', () => {
  it('starts in Node with no paths, registers the filter gradient, reports SIMD and one thread with why', async () => {
    // Importing the module registered nothing: the package loads on the first start.
    expect(tf.findBackendFactory('wasm')).toBeFalsy();
    const info = await startWasm();
    expect(tf.getBackend()).toBe('wasm');
    expect(info).toEqual({ simd: true, threads: false, threadCount: 1, singleThreadReason: 'tfjs runs wasm single-threaded in Node', filterGrad: 'replacement' });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    // Once: a second call makes wasm active again and reports the same.
    await tf.setBackend('cpu');
    expect(await startWasm({ threads: 'off' })).toBe(info);
    expect(tf.getBackend()).toBe('wasm');
  });

  it("'auto' runs one thread below MIN_CORES_FOR_THREADS logical cores and leaves larger machines to tfjs", () => {
    expect(MIN_CORES_FOR_THREADS).toBe(4);
    expect(planThreads('auto', 2)).toEqual({ threads: 'off', fewCores: true });
    expect(planThreads(undefined, 3)).toEqual({ threads: 'off', fewCores: true });
    expect(planThreads('auto', 4)).toEqual({ threads: 'auto', fewCores: false });
    expect(planThreads('auto', null)).toEqual({ threads: 'auto', fewCores: false });
    // What is asked explicitly is kept.
    expect(planThreads(2, 2)).toEqual({ threads: 2, fewCores: false });
    expect(planThreads('off', 16)).toEqual({ threads: 'off', fewCores: false });
    expect(() => planThreads(0, 8)).toThrow("wasm threads must be a whole number ≥ 1, 'auto' or 'off', got 0");
    expect(() => planThreads(1.5, 8)).toThrow(/got 1\.5/);
  });

  it('finds no blob: workers where there is no Worker (Node): the threads would have none', async () => {
    // In the browser a Content-Security-Policy without blob: in worker-src blocks them, and the
    // threaded backend would wait for its threads forever (checked by hand in Chromium: the
    // badge then says "1 thread (the Content-Security-Policy forbids blob: workers)").
    expect(typeof (globalThis as { Worker?: unknown }).Worker).toBe('undefined');
    expect(await blobWorkersAllowed(100)).toBe(false);
  });

  it('describes what runs for the backend badge', () => {
    expect(describeWasm({ simd: true, threadCount: 2, singleThreadReason: null })).toBe('SIMD · 2 threads');
    expect(describeWasm({ simd: true, threadCount: 1, singleThreadReason: 'page not cross-origin isolated' })).toBe('SIMD · 1 thread (page not cross-origin isolated)');
    expect(describeWasm({ simd: false, threadCount: 1, singleThreadReason: 'no WebAssembly SIMD here' })).toBe('no SIMD · 1 thread (no WebAssembly SIMD here)');
  });
});
