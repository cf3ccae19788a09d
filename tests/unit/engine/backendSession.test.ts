// The engine's choice of backend where there is no hardware GPU (src/engine/backend/session.ts):
// WASM and WebGL are timed, the CPU only as the last resort; a forced backend is kept. Node has
// WASM and the CPU (no WebGL, no WebGPU), which is enough to check the rules; the browser
// scenarios check the choice on the page.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendSession } from '../../../src/engine/backend/session';
import type { EngineEvent } from '../../../src/contract/protocol';

type Notice = Extract<EngineEvent, { type: 'notice' }>;
const spec = { model: 'mlp' as const, inputShape: [8, 8, 1] as [number, number, number], numClasses: 4, batchSize: 8 };

function session(order: ConstructorParameters<typeof BackendSession>[0]) {
  const notices: Notice[] = [];
  const s = new BackendSession(order, (n) => notices.push(n), () => undefined);
  return { s, notices };
}

describe('backend session', () => {
  it('auto: times WASM and keeps it, leaving the CPU untimed and saying so', async () => {
    const { s, notices } = session(['webgl', 'wasm', 'cpu']);
    await s.ensure('auto');
    expect(s.name).toBe('wasm'); // WebGL is missing in Node
    await s.choose(spec);
    expect(s.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(s.info?.choice).toMatch(/^fastest measured for mlp at b = 8: wasm \d+ ms, webgl unavailable, cpu not timed \(the last resort: wasm or webgl ran the step\)$/);
    expect(notices.at(-1)?.message).toMatch(/^Training on WASM, the fastest measured for mlp at b = 8: .*\. It runs on SIMD · 1 thread \(tfjs runs wasm single-threaded in Node\)\.$/);
    // The tiny CNN is timed on the winner too: the page may start from it (src/ui/environmentDefaults.ts).
    expect(s.info?.probe?.batchSize).toBe(8);
    expect(s.info?.probe?.stepMs.mlp).toBeGreaterThan(0);
    expect(s.info?.probe?.stepMs['cnn-tiny']).toBeGreaterThan(0);
    // Once per model and shapes.
    expect(await s.choose(spec)).toBe(false);
  });

  it('auto: times the CPU when neither WASM nor WebGL completed a step, and trains there', async () => {
    const { s } = session(['webgl', 'cpu']);
    await s.ensure('auto');
    expect(s.name).toBe('cpu');
    await s.choose(spec);
    expect(s.name).toBe('cpu');
    expect(s.info?.choice).toMatch(/^fastest measured for mlp at b = 8: webgl unavailable, cpu \d+ ms$/);
    // A CNN step on the CPU takes seconds: not timed.
    expect(Object.keys(s.info?.probe?.stepMs ?? {})).toEqual(['mlp']);
  });

  it('a forced backend is not measured against others', async () => {
    const { s } = session(['webgpu', 'webgl', 'wasm', 'cpu']);
    await s.ensure('cpu');
    expect(s.name).toBe('cpu');
    expect(await s.choose(spec)).toBe(false);
    await s.ensure('wasm');
    expect(s.name).toBe('wasm');
    expect(s.info?.adapter).toBe('SIMD · 1 thread (tfjs runs wasm single-threaded in Node)');
    expect(await s.choose(spec)).toBe(false);
    expect(s.info?.choice).toBeUndefined();
  });
});
