// The engine on tfjs's WebGPU backend in Node (Dawn via the `webgpu` package, SwiftShader on
// machines without a GPU). The Vulkan loader is found through LD_LIBRARY_PATH, which must be
// set before a process starts, so the engine runs in a child process with that environment.
import { describe, expect, it } from 'vitest';
import { HOW_TO_GET_AN_ADAPTER, spawnWithWebgpu } from '../../support/nodeWebgpu';

describe('engine on the WebGPU backend (Node, Dawn)', () => {
  it('trains both runs, switches mode, keeps tensors flat, and recovers from a lost device', async () => {
    const child = await spawnWithWebgpu('tests/support/engineWebgpuChild.ts', [], 110_000);
    const line = child.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) throw new Error(`the WebGPU child printed no result (exit ${child.code}).\nstderr:\n${child.stderr.slice(-4000)}`);
    const out = JSON.parse(line) as Record<string, never> & { ok: boolean; reason?: string };
    if (!out.ok) {
      // No silent skip: say why and how to get an adapter.
      throw new Error(`WebGPU in Node is not available: ${out.reason}\n${out.reason?.includes('apt-get') ? '' : HOW_TO_GET_AN_ADAPTER}`);
    }
    expect(out.initErrors).toEqual([]);
    expect(out.backend).toMatchObject({ name: 'webgpu' });
    expect((out.backend as { adapter: string }).adapter.length).toBeGreaterThan(0);
    expect(out.firstLossesImportance).toHaveLength(2);
    expect(out.firstLossesImportance).toEqual(out.firstLossesUniform);
    expect(out.steps).toEqual({ importance: 6, uniform: 6 });
    expect(out.importanceActive).toEqual([false, false, true, true, true, true]);
    expect(out.evalSteps).toEqual([0, 2, 4, 6]);
    expect(out.evalFinite).toBe(true);
    expect(out.tensorGrowth).toBe(0);
    expect(out.warmup).toEqual(['Compiling GPU kernels…', 'GPU kernels ready']);
    const lost = out.lostErrors as unknown as { fatal: boolean; message: string }[];
    expect(lost).toHaveLength(1);
    expect(lost[0].fatal).toBe(true);
    expect(lost[0].message).toMatch(/device lost/i);
    expect(out.recovered).toMatchObject({ backend: 'webgpu', step: 1, newDevice: true, errors: [], state: 'paused' });
  }, 120_000);
});
