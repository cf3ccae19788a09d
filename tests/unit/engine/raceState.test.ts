// The engine owns the race's state machine; the page only reads it. A restart is decided once,
// here, and announced with 'raceEnded' between the old race's last points and the new race's
// first; a Start that comes while the data loads waits for the load (status.startPending),
// Pause cancels it, and a load that fails drops it without a second error.
import { afterEach, describe, expect, it } from 'vitest';
import type { PreparedDataset } from '../../../src/data';
import type { EngineEvent } from '../../../src/contract/protocol';
import { harness, runFor, tinyLoader, tinySettings, waitUntil, type Harness } from '../../support/engineHarness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});

/** The event types from the first 'raceEnded' on, metrics and status only, deduplicated in a row. */
function around(events: readonly EngineEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const run = e.type === 'metrics' ? e.runs.importance : undefined;
    const label = e.type === 'metrics' ? `metrics@${Math.min(...[...(run?.steps ?? []), ...(run?.evals ?? [])].map((p) => p.step))}` : e.type;
    if (['metrics', 'raceEnded'].includes(e.type) && out.at(-1) !== label) out.push(label);
  }
  return out;
}

describe('the engine decides restarts and says so', () => {
  it("Reset and a restarting change each send 'raceEnded' after the old race's last points, before the new race's", async () => {
    h = harness({ metricsIntervalMs: 0 });
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await runFor(h, 10);
    h.clear();
    await h.engine.handle({ type: 'reset' });
    expect(h.of('raceEnded')).toEqual([{ type: 'raceEnded', reason: 'reset' }]);
    await h.engine.handle({ type: 'step' });
    // The first point after 'raceEnded' is the new race's initial evaluation (step 0).
    expect(around(h.events)).toEqual(['raceEnded', 'metrics@0']);

    await runFor(h, 5);
    h.clear();
    await h.engine.handle({ type: 'update', change: { seed: 8 } });
    expect(h.of('raceEnded')).toEqual([{ type: 'raceEnded', reason: 'restart' }]);
    expect(h.of('notice').at(-1)?.message).toContain('Restarted both runs from step 0: seed changed');
    expect(h.status().runs.importance?.step).toBe(0);
  });

  it("a live change, a change to the same value and a refused restart send no 'raceEnded' and keep the race", async () => {
    // The new data of a trainCap of 32 fails to load (as a corrupt file would).
    const loader = tinyLoader()!;
    h = harness({ loadData: (s, p) => (s.trainCap === 32 ? Promise.reject(new Error('tiny-train.bin.gz: checksum mismatch')) : loader(s, p)) });
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await runFor(h, 10);
    const step = h.status().runs.importance!.step;
    h.clear();
    await h.engine.handle({ type: 'update', change: { learningRate: 0.02 } });
    await h.engine.handle({ type: 'update', change: { seed: tinySettings().seed, model: 'mlp' } });
    // Refused while building the new runs: the race stays as it was.
    await h.engine.handle({ type: 'update', change: { trainCap: 32, evalSize: 32, presampleFactor: 5 } });
    expect(h.of('error').map((e) => e.message)).toEqual(['tiny-train.bin.gz: checksum mismatch']);
    expect(h.of('raceEnded')).toEqual([]);
    expect(h.status().runs.importance!.step).toBe(step);
    expect(h.status().settings.trainCap).toBe(tinySettings().trainCap);
  });
});

describe('a Start during a load', () => {
  /** A loader that waits until released (or fails when released with an error). */
  function heldLoader(): { load: NonNullable<Parameters<typeof harness>[0]>['loadData']; release: (error?: Error) => void } {
    let release: (error?: Error) => void = () => undefined;
    const gate = new Promise<Error | undefined>((resolve) => (release = resolve));
    const inner = tinyLoader()!;
    return {
      release: (error) => release(error),
      load: async (s, onProgress): Promise<PreparedDataset> => {
        const error = await gate;
        if (error) throw error;
        return inner(s, onProgress);
      },
    };
  }

  it('waits for it (the status says so at once) and starts the race once ready', async () => {
    const held = heldLoader();
    h = harness({ loadData: held.load });
    const init = h.engine.handle({ type: 'init', settings: tinySettings() });
    const start = h.engine.handle({ type: 'start' });
    const said = h.of('status').at(-1)?.status;
    held.release();
    expect(said).toMatchObject({ startPending: true });
    expect(said?.state).not.toBe('running');
    await init;
    await start;
    expect(h.status()).toMatchObject({ state: 'running', startPending: false });
    await waitUntil(() => (h!.status().runs.importance?.step ?? 0) > 0, 30_000, 'a step');
    await h.engine.handle({ type: 'pause' });
    expect(h.of('error')).toEqual([]);
  });

  it('is cancelled by Pause', async () => {
    const held = heldLoader();
    h = harness({ loadData: held.load });
    const init = h.engine.handle({ type: 'init', settings: tinySettings() });
    void h.engine.handle({ type: 'start' });
    const pending = h.status().startPending;
    void h.engine.handle({ type: 'pause' });
    const afterPause = h.status().startPending;
    held.release();
    expect([pending, afterPause]).toEqual([true, false]);
    await init;
    await h.engine.whenIdle();
    expect(h.status()).toMatchObject({ state: 'ready', startPending: false });
    expect(h.status().runs.importance?.step).toBe(0);
  });

  it('is dropped when the load fails, with the load’s error only', async () => {
    const held = heldLoader();
    h = harness({ loadData: held.load });
    void h.engine.handle({ type: 'init', settings: tinySettings() });
    void h.engine.handle({ type: 'start' });
    held.release(new Error('mnist-train-images.bin.gz: truncated'));
    await h.engine.whenIdle();
    expect(h.status()).toMatchObject({ state: 'idle', startPending: false });
    expect(h.of('error').map((e) => e.message)).toEqual(['mnist-train-images.bin.gz: truncated']);
  });
});
