import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeAdapter, selectBackend } from '../../../src/engine/backend/select';

describe('backend selection', () => {
  it('trains on WASM in Node (it has no WebGPU or WebGL), with a reason for each better backend and SIMD and threads named', async () => {
    const { info, deviceLost } = await selectBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(deviceLost).toBeNull();
    expect(info.fallbackReasons).toHaveLength(2);
    expect(info.fallbackReasons[0]).toMatch(/navigator\.gpu missing \(WebGPU needs Chrome\/Edge.*secure context/);
    expect(info.fallbackReasons[1]).toMatch(/WebGL/);
    // Node has SIMD and no threads for tfjs-backend-wasm (tensorflow/tfjs#3830).
    expect(info.adapter).toBe('SIMD · 1 thread (tfjs runs wasm single-threaded in Node)');
    // It trains a conv layer: the filter gradient is registered with the backend.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('falls back to the CPU when WASM is left out', async () => {
    const { info } = await selectBackend({ order: ['webgpu', 'webgl', 'cpu'] });
    expect(info.name).toBe('cpu');
    expect(info.fallbackReasons).toHaveLength(2);
  });

  it('reports no reasons when the first choice works', async () => {
    const { info } = await selectBackend({ order: ['cpu'] });
    expect(info).toMatchObject({ name: 'cpu', fallbackReasons: [] });
  });

  it('reports a missing adapter', async () => {
    const g = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: async () => null } }, configurable: true, writable: true });
    try {
      const { info } = await selectBackend({ order: ['webgpu', 'cpu'] });
      expect(info.name).toBe('cpu');
      expect(info.fallbackReasons[0]).toMatch(/^no WebGPU adapter/);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete g.navigator;
    }
  });

  it('describes adapters, fallback flag included', () => {
    expect(describeAdapter({ info: { description: 'SwiftShader driver 5.0.0', vendor: 'google', isFallbackAdapter: true } as never })).toEqual({
      description: 'SwiftShader driver 5.0.0 (google, fallback adapter)',
      isFallbackAdapter: true,
    });
    expect(describeAdapter({ info: { description: '', vendor: 'nvidia', architecture: 'hopper' } as never }).description).toBe('nvidia hopper');
    expect(describeAdapter({ isFallbackAdapter: true }).isFallbackAdapter).toBe(true);
  });
});
