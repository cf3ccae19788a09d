import { describe, expect, it } from 'vitest';
import type { StepReport } from '../../../src/is/types';
import { SHARE_WINDOW_STEPS, SnapshotTracker, TOP_SAMPLES, histogram } from '../../../src/engine/page/snapshot';

function report(indices: number[], scores: number[], importanceActive: boolean, presample?: number[]): StepReport {
  const weights = scores.map((s) => 1 / (s + 1));
  return {
    step: 0,
    mode: importanceActive ? 'importance' : 'uniform',
    sampler: 'presample',
    importanceActive,
    batchLoss: 1,
    tauRaw: 1,
    tauSmoothed: 1,
    tauThreshold: 2,
    indices: Int32Array.from(indices),
    weights: Float32Array.from(weights),
    scores: Float32Array.from(scores),
    presampleScores: Float32Array.from(presample ?? scores),
    presampleSummary: { count: 0, min: 0, max: 0, mean: 0, std: 0 },
    scoreMs: 0,
    trainMs: 0,
  };
}

const N = 40;
const data = {
  numClasses: 4,
  labels: Uint8Array.from({ length: N }, (_, i) => i % 4),
  images: Uint8Array.from({ length: N * 4 }, (_, i) => Math.floor(i / 4)),
  pixelsPerSample: 4,
  flippedMask: Uint8Array.from({ length: N }, (_, i) => (i < 10 ? 1 : 0)),
  flippedCount: 10,
};

describe('sampler snapshot', () => {
  it('histograms cover all finite values', () => {
    const h = histogram([0, 1, 2, 3, 4, NaN], 4);
    expect(h.edges).toEqual([0, 1, 2, 3, 4]);
    expect(h.counts).toEqual([1, 1, 1, 2]);
    expect(histogram([5, 5]).counts.reduce((a, b) => a + b)).toBe(2);
    expect(histogram([])).toEqual({ edges: [], counts: [] });
  });

  it('class share, noisy share, top samples with pixel copies, uniform picks', () => {
    const t = new SnapshotTracker(data);
    expect(t.take()).toBeNull();
    t.record(report([0, 1, 2, 3], [0.1, 0.2, 0.3, 0.4], false));
    t.record(report([12, 12, 13, 20], [0.9, 0.9, 0.5, 0.05], true, [0.9, 0.5, 0.05, 0.3, 0.2, 0.1]));
    const s = t.take()!;
    // labels of 0,1,2,3,12,12,13,20 are 0,1,2,3,0,0,1,0
    expect(s.classShare).toEqual([4 / 8, 2 / 8, 1 / 8, 1 / 8]);
    expect(s.noisyShare).toBeCloseTo(4 / 8);
    expect(s.topSamples.map((x) => x.index)).toEqual([12, 13, 3, 2, 1, 0, 20]);
    expect(s.topSamples[0]).toMatchObject({ index: 12, label: 0, noisy: false });
    expect(Array.from(s.topSamples[0].pixels)).toEqual([12, 12, 12, 12]);
    expect(s.topSamples[0].pixels.buffer).not.toBe(data.images.buffer);
    expect(s.uniformPicks.map((x) => x.index)).toEqual([0, 1, 2, 3]);
    expect(s.scoreHistogram.counts.reduce((a, b) => a + b)).toBe(6);
    expect(s.weightHistogram.counts.reduce((a, b) => a + b)).toBe(4);
    expect(t.take()).toBeNull(); // nothing new
  });

  it('keeps a bounded window and top list', () => {
    const t = new SnapshotTracker({ ...data, flippedCount: 0 });
    for (let k = 0; k < SHARE_WINDOW_STEPS + 30; k++) t.record(report([k % N, (k + 1) % N], [k, k + 0.5], true));
    const s = t.take()!;
    expect(s.noisyShare).toBeNull();
    expect(s.classShare.reduce((a, b) => a + b)).toBeCloseTo(1);
    expect(s.topSamples.length).toBe(TOP_SAMPLES);
  });
});
