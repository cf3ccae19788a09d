// The default model fits the machine: the tiny CNN where a hardware GPU trains it or where the
// engine measured its step fast enough, the MLP elsewhere, saying why.
import { describe, expect, it } from 'vitest';
import {
  MIN_STEPS_PER_SECOND_PER_RUN,
  PAGE_STEP_FACTOR,
  PAGE_STEP_FIXED_MS,
  awaitsMeasuredModel,
  hasHardwareWebgpu,
  judgeTinyCnn,
  leavesModelOpen,
  tinyCnnStart,
  withMachineDefaults,
} from '../../../src/ui/environmentDefaults';
import { PRESETS, matchingPreset, presetSettings } from '../../../src/ui/presetTable';
import { parseSettingsFromQuery } from '../../../src/ui/urlState';
import type { BackendInfo } from '../../../src/contract/protocol';
import { defaultSettings } from '../../../src/contract/settings';

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
    // The tiny CNN comes with the paper's method preset, where the link names none of its settings.
    const papers = PRESETS.find((p) => p.name === 'papers-method')!;
    const bare = parseSettingsFromQuery(withMachineDefaults('', true));
    expect(bare.notices).toEqual([]);
    expect(bare.settings).toEqual(presetSettings(papers));
    expect(matchingPreset(bare.settings)?.name).toBe('papers-method');
    expect(parseSettingsFromQuery(withMachineDefaults('?seed=3', true)).settings).toEqual({ ...presetSettings(papers), seed: 3 });
    // A link that names one of the experiment's settings gets the model alone.
    expect(withMachineDefaults('?sampler=table&seed=3', true)).toBe('?sampler=table&seed=3&model=cnn-tiny');
    expect(tinyCnnStart('?learningRate=0.01')).toEqual({ model: 'cnn-tiny' });
    expect(tinyCnnStart('')).toEqual({ ...papers.settings, model: 'cnn-tiny' });
    expect(withMachineDefaults('?seed=3', false)).toBe('?seed=3');
    expect(withMachineDefaults('?model=mlp', true)).toBe('?model=mlp');
  });

  it('without a hardware GPU an open model waits for the engine to measure, unless the backend is forced', () => {
    expect(awaitsMeasuredModel('', false)).toBe(true);
    expect(awaitsMeasuredModel('?seed=3&backend=auto', false)).toBe(true);
    expect(awaitsMeasuredModel('?backend=wasm', false)).toBe(false);
    expect(awaitsMeasuredModel('?model=mlp', false)).toBe(false);
    expect(awaitsMeasuredModel('', true)).toBe(false);
  });
});

describe('the tiny CNN by default where its measured step is fast enough', () => {
  const settings = { batchSize: 32, evalSize: 1000 };
  const wasm = (stepMs: Record<string, number | null>, batchSize = 32): BackendInfo => ({
    name: 'wasm',
    adapter: 'SIMD · 1 thread (2 logical cores: one thread is faster)',
    fallbackReasons: [],
    probe: { batchSize, stepMs },
  });
  // The largest probe that still gives MIN_STEPS_PER_SECOND_PER_RUN on the page: 1000 / (2 · (a·ms + c)) ≥ 10.
  const limit = (1000 / (2 * MIN_STEPS_PER_SECOND_PER_RUN) - PAGE_STEP_FIXED_MS) / PAGE_STEP_FACTOR;

  it('keeps the tiny CNN at or under the limit and says what was measured', () => {
    expect(limit).toBeCloseTo(26.7, 1);
    const v = judgeTinyCnn(wasm({ mlp: 6, 'cnn-tiny': 21 }), settings)!;
    expect(v.model).toBe('cnn-tiny');
    expect(v.message).toBe(
      'Starting from the tiny CNN: a step of the tiny CNN took 21 ms on WASM (SIMD · 1 thread (2 logical cores: one thread is faster)) at b = 32, about 12 steps/s for each run. Choose the MLP in Model for faster steps, or a preset for another experiment.',
    );
    expect(judgeTinyCnn(wasm({ 'cnn-tiny': Math.floor(limit) }), settings)!.model).toBe('cnn-tiny');
  });

  it('falls back to the MLP over the limit, when the step failed, or on the CPU backend, saying why', () => {
    const slow = judgeTinyCnn(wasm({ mlp: 6, 'cnn-tiny': 36 }), settings)!;
    expect(slow.model).toBe('mlp');
    expect(slow.message).toMatch(/^Starting from the MLP: a step of the tiny CNN took 36 ms on WASM .* about 7\.8 steps\/s for each run \(under 10\)\./);
    expect(judgeTinyCnn(wasm({ 'cnn-tiny': Math.ceil(limit) }), settings)!.model).toBe('mlp');
    expect(judgeTinyCnn(wasm({ 'cnn-tiny': null }), settings)).toEqual({
      model: 'mlp',
      message: 'Starting from the MLP: a step of the tiny CNN did not complete in time on WASM (SIMD · 1 thread (2 logical cores: one thread is faster)).',
    });
    const cpu: BackendInfo = { name: 'cpu', adapter: 'JavaScript (CPU)', fallbackReasons: [], probe: { batchSize: 32, stepMs: { mlp: 60 } } };
    expect(judgeTinyCnn(cpu, settings)?.message).toMatch(/^Starting from the MLP: training runs on the CPU backend here/);
  });

  it('a slow first chart point alone also keeps the MLP', () => {
    // b = 4 and a 10,000-image evaluation subset: 18 steps/s per run, but the first evaluation (12,000 images) takes ~12 s.
    const v = judgeTinyCnn(wasm({ 'cnn-tiny': 12 }, 4), { batchSize: 4, evalSize: 10_000 })!;
    expect(v.model).toBe('mlp');
    expect(v.message).toMatch(/but the first chart point would take \d+ s/);
  });

  it('waits while nothing (or another batch size) was measured', () => {
    expect(judgeTinyCnn(null, settings)).toBeNull();
    expect(judgeTinyCnn({ name: 'wasm', adapter: '', fallbackReasons: [] }, settings)).toBeNull();
    expect(judgeTinyCnn(wasm({ mlp: 6 }), settings)).toBeNull();
    expect(judgeTinyCnn(wasm({ 'cnn-tiny': 10 }, 64), settings)).toBeNull();
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
