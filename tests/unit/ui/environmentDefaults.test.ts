// The default model fits the machine: a CNN where a hardware GPU trains it, the MLP elsewhere.
import { describe, expect, it } from 'vitest';
import { hasHardwareWebgpu, leavesModelOpen, withMachineDefaults } from '../../../src/ui/environmentDefaults';
import { defaultSettings } from '../../../src/engine/settings';

const gpuWith = (adapter: unknown): GPU => ({ requestAdapter: async () => adapter }) as unknown as GPU;

describe('machine defaults', () => {
  it('a hardware adapter counts, a software fallback, none or a failure does not', async () => {
    expect(await hasHardwareWebgpu(gpuWith({ info: { isFallbackAdapter: false } }))).toBe(true);
    expect(await hasHardwareWebgpu(gpuWith({ info: { isFallbackAdapter: true } }))).toBe(false);
    expect(await hasHardwareWebgpu(gpuWith({ isFallbackAdapter: true }))).toBe(false);
    expect(await hasHardwareWebgpu(gpuWith(null))).toBe(false);
    expect(await hasHardwareWebgpu(undefined)).toBe(false);
    const failing = { requestAdapter: async () => Promise.reject(new Error('no')) } as unknown as GPU;
    expect(await hasHardwareWebgpu(failing)).toBe(false);
  });

  it('only a link that leaves the model out gets the machine default, and only with a GPU', () => {
    expect(defaultSettings().model).toBe('mlp');
    expect(leavesModelOpen('?seed=3')).toBe(true);
    expect(leavesModelOpen('?model=mlp&seed=3')).toBe(false);
    expect(withMachineDefaults('?seed=3', true)).toBe('?seed=3&model=cnn-tiny');
    expect(withMachineDefaults('', true)).toBe('?model=cnn-tiny');
    expect(withMachineDefaults('?seed=3', false)).toBe('?seed=3');
    expect(withMachineDefaults('?model=mlp', true)).toBe('?model=mlp');
  });
});

describe('share link', () => {
  it('pins the backend in force when the settings say auto, and leaves a forced one', async () => {
    const { pinBackend } = await import('../../../src/ui/share');
    const auto = { ...defaultSettings(), backend: 'auto' as const };
    expect(pinBackend(auto, 'webgl').backend).toBe('webgl');
    expect(pinBackend(auto, 'cpu').backend).toBe('cpu');
    expect(pinBackend(auto, null)).toBe(auto);
    // WASM trains now and can be forced (?backend=wasm): a link made on it pins it.
    expect(pinBackend(auto, 'wasm').backend).toBe('wasm');
    expect(pinBackend(auto, 'tpu')).toBe(auto);
    const forced = { ...defaultSettings(), backend: 'webgpu' as const };
    expect(pinBackend(forced, 'cpu')).toBe(forced);
  });
});
