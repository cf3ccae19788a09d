import { describe, expect, it } from 'vitest';
import { harness, runFor, tinySettings } from '../../support/engineHarness';

describe('engine message rate', () => {
  it('batches metrics: at most one message per 250 ms of (fake) clock, none lost', async () => {
    let t = 0;
    // Every clock read advances 2 ms: a round (two steps) costs a few reads, so one
    // message per step would be far more than one per 250 ms.
    const now = (): number => (t += 2);
    const h = harness({ now });
    await h.engine.handle({ type: 'init', settings: tinySettings({ batchSize: 4, evalInterval: 50 }) });
    const t0 = t;
    await runFor(h, 200);
    const elapsed = t - t0;
    const s = h.status();
    const steps = s.runs.importance!.step;
    expect(steps).toBeGreaterThanOrEqual(200);

    const metrics = h.of('metrics');
    // Forced flushes happen on state changes (start, pause) and when the loop ends, with the
    // points of an evaluation queued before the pause and finished after it: allow three.
    expect(metrics.length).toBeLessThanOrEqual(Math.floor(elapsed / 250) + 3);
    expect(metrics.length).toBeGreaterThan(1);
    expect(metrics.length).toBeLessThan(steps / 5);
    // Consecutive messages are ≥ 250 fake ms apart: the clock is read once per flush, so
    // compare via the step clocks they carry instead: every point arrives exactly once.
    expect(h.steps('importance').map((p) => p.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(h.steps('uniform')).toHaveLength(steps);
    expect(h.evals('importance').map((e) => e.step)).toEqual([0, ...Array.from({ length: Math.floor(steps / 50) }, (_, i) => 50 * (i + 1))]);
    // Every metrics message with steps carries a sampler snapshot per run that stepped.
    const stepped = metrics.filter((m) => (m.runs.importance?.steps.length ?? 0) > 0);
    expect(stepped.length).toBeGreaterThan(1);
    expect(stepped.every((m) => m.runs.importance?.snapshot != null)).toBe(true);

    // Status: periodic (≤ 1 per fake second) plus state changes.
    const statuses = h.of('status');
    expect(statuses.length).toBeLessThanOrEqual(Math.floor(elapsed / 1000) + 6);
    await h.engine.dispose();
  });

  it('with a real clock, a fast run sends a few messages per second, not one per step', async () => {
    const h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ batchSize: 4, evalInterval: 1000 }) });
    const t0 = performance.now();
    await runFor(h, 150);
    const seconds = (performance.now() - t0) / 1000;
    const steps = h.status().runs.importance!.step;
    const metrics = h.of('metrics').length;
    expect(metrics).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
    expect(metrics).toBeLessThan(steps);
    await h.engine.dispose();
  });
});
