// The loop on the WebGPU backend (Node, Dawn; SwiftShader where there is no GPU), where work
// is queued and a read waits for everything before it: the CPU backend would hide both
// properties checked here. Two identical runs (both uniform, same weights, same draws) race
// in blocks with evaluations in between.
import { describe, expect, it } from 'vitest';
import { HOW_TO_GET_AN_ADAPTER, spawnWithWebgpu } from '../../support/nodeWebgpu';

interface Out {
  ok: boolean;
  reason?: string;
  errors: string[];
  steps: { importance: number; uniform: number };
  ratio: number;
  readsPerStep: { importance: number; uniform: number };
}

describe('the loop on WebGPU (Node, Dawn)', () => {
  it('awaits one read per block and per evaluation, and identical runs get the same own-clock time per step', async () => {
    // Small images and batches keep it to about a minute on SwiftShader.
    const [steps, evalInterval, blockSteps, size, batchSize] = [64, 16, 4, 12, 16];
    const args = [steps, evalInterval, blockSteps, size, batchSize].map(String);
    const child = await spawnWithWebgpu('tests/support/clockFairnessChild.ts', args, 280_000);
    const line = child.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) throw new Error(`the WebGPU child printed no result (exit ${child.code}).\nstderr:\n${child.stderr.slice(-4000)}`);
    const out = JSON.parse(line) as Out;
    if (!out.ok) throw new Error(`WebGPU in Node is not available: ${out.reason}\n${HOW_TO_GET_AN_ADAPTER}`);
    expect(out.errors).toEqual([]);
    const n = out.steps.importance;
    expect(out.steps.uniform).toBe(n);
    expect(n % blockSteps).toBe(0);
    // Exactly one awaited read per block and one per evaluation (the importance run also made
    // the shared step-0 evaluation): 1/4 + 1/16 per step here, far from a read per step.
    expect(out.readsPerStep.uniform).toBeCloseTo((n / blockSteps + Math.floor(n / evalInterval)) / n, 10);
    expect(out.readsPerStep.importance).toBeCloseTo((n / blockSteps + Math.floor(n / evalInterval) + 1) / n, 10);
    // Identical work, identical clocks. The margin is wide (SwiftShader runs the "GPU" on the
    // same two loaded cores as everything else, and 16 blocks per run is a small sample), but
    // far inside the 1.5-1.7× the browser showed before the clocks were made fair.
    expect(out.ratio).toBeGreaterThan(0.8);
    expect(out.ratio).toBeLessThan(1.25);
  }, 300_000);
});
