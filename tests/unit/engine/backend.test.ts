import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeAdapter, selectBackend } from '../../../src/engine/backend';

describe('backend selection', () => {
  it('falls back to the CPU in Node, with a reason for each better backend', async () => {
    const { info, deviceLost } = await selectBackend();
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(deviceLost).toBeNull();
    expect(info.fallbackReasons).toHaveLength(3);
    expect(info.fallbackReasons[0]).toMatch(/navigator\.gpu missing \(WebGPU needs Chrome\/Edge.*secure context/);
    expect(info.fallbackReasons[1]).toMatch(/WebGL/);
    expect(info.fallbackReasons[2]).toMatch(/WASM skipped: .*cannot train CNNs/);
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
