// Measuring which backend trains fastest (src/engine/backend/probe.ts). Node has only the CPU
// backend (and WebGPU through Dawn in child processes); the choice itself is checked in the
// browser, where the only WebGPU adapter is a software one (tests/browser, scenario 15).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeProbe, fastest, probeBackends } from '../../../src/engine/backend/probe';

describe('backend probe', () => {
  it('times a step of the model on each candidate and reports the ones it cannot use', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const results = await probeBackends(['webgl', 'cpu'], { model: 'mlp', inputShape: [8, 8, 1], numClasses: 4, batchSize: 8 });
    expect(results.map((r) => r.name)).toEqual(['webgl', 'cpu']);
    expect(results[0]).toMatchObject({ ms: null, note: 'unavailable' });
    expect(results[1].ms).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('cpu');
    // Nothing left behind: models, optimizers and batches are freed.
    expect(tf.memory().numTensors).toBe(before);
    expect(fastest(results)?.name).toBe('cpu');
    expect(describeProbe(results)).toMatch(/^webgl unavailable, cpu \d+ ms$/);
  });

  it('times a CNN step on WASM (its filter gradient registered on the way), faster than the CPU', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const results = await probeBackends(['wasm', 'cpu'], { model: 'cnn-tiny', inputShape: [28, 28, 1], numClasses: 10, batchSize: 8 });
    expect(results.map((r) => r.name)).toEqual(['wasm', 'cpu']);
    expect(results[0].ms).toBeGreaterThan(0);
    // Measured 12 ms against 300 ms on a 2-core machine: a 25× gap, far beyond any load's noise.
    expect(results[0].ms! * 3).toBeLessThan(results[1].ms!);
    expect(fastest(results)?.name).toBe('wasm');
    await tf.setBackend('cpu');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('times the step after the first (which compiles), or the fastest of several', async () => {
    await tf.setBackend('cpu');
    const clock = (ticks: number[]) => () => ticks.shift() ?? 0;
    const spec = { model: 'mlp' as const, inputShape: [4, 4, 1] as [number, number, number], numClasses: 3, batchSize: 2 };
    // Steps of 50 (untimed), 30, 10 and 20 ms by the clock the probe is given.
    const ticks = [0, 50, 100, 130, 200, 210, 300, 320];
    expect((await probeBackends(['cpu'], spec, clock([...ticks])))[0].ms).toBe(30);
    expect((await probeBackends(['cpu'], { ...spec, timedSteps: 3 }, clock([...ticks])))[0].ms).toBe(10);
  });

  it('the fastest completed probe wins; none completed, none wins', () => {
    expect(fastest([{ name: 'webgl', ms: 30 }, { name: 'cpu', ms: 12 }, { name: 'webgpu', ms: null }])?.name).toBe('cpu');
    expect(fastest([{ name: 'webgl', ms: 9 }, { name: 'cpu', ms: 12 }])?.name).toBe('webgl');
    expect(fastest([{ name: 'cpu', ms: null, note: 'slower than 4 s' }])).toBeNull();
  });
});
