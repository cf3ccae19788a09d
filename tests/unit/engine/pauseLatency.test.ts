// Pause is acknowledged within about a second whatever the link (issue 22, finding 1): the
// evaluations and variance-lab probes that run between blocks go in pieces of about a block's
// time (offClockWork.ts), with commands in between. Before, a round ran them whole: on this
// machine's CPU backend Pause waited 6.4 s (link 1), 33 s (link 2) and 43.6 s (link 3). The
// links are the issue's, parsed as the page parses them, on tfjs's CPU backend (the slowest).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/page/engine';
import type { EngineEvent, EvalPoint } from '../../../src/contract/protocol';
import { parseSettingsFromQuery } from '../../../src/ui/urlState';
import { waitUntil } from '../../support/engineHarness';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A piece is estimated at 200 ms on the CPU (one backward pass through cnn-small ~0.5 s); 2 s
 * leaves room for a loaded 2-core machine and is still a fraction of the 6-44 s it replaces.
 */
const ACK_MS = 2000;

interface Case {
  query: string;
  /** When to press Pause: the work it must not wait for is in progress then. */
  pauseWhen: 'evaluating' | 'probing';
}

const LINKS: Case[] = [
  // 8,000 samples evaluated (6,000 + the test subset) at every step of each run.
  { query: 'dataset=synthetic-shapes&trainCap=0&evalSize=6000&evalInterval=1&batchSize=1&backend=cpu', pauseWhen: 'evaluating' },
  { query: 'dataset=synthetic-shapes&trainCap=0&evalSize=500&evalInterval=1&batchSize=1&model=cnn-small&backend=cpu', pauseWhen: 'evaluating' },
  // A probe of 64 single-sample backward passes through cnn-small after every step.
  { query: 'dataset=synthetic-shapes&model=cnn-small&batchSize=22&varianceLabInterval=1&evalInterval=10000&evalSize=64&compare=false&backend=cpu', pauseWhen: 'probing' },
];

/** Runs `send` from a timer due in `ms`; returns when it was due (the timer itself may fire later). */
function sendAt(ms: number, send: () => void): Promise<number> {
  const due = performance.now() + ms;
  setTimeout(send, ms);
  return Promise.resolve(due);
}

describe('Pause while the engine evaluates or probes (CPU backend)', () => {
  for (const { query, pauseWhen } of LINKS) {
    it(`is acknowledged within ${ACK_MS / 1000} s (the evaluation queued before it still arrives; Reset is as prompt): ?${query}`, async () => {
      const { settings, notices } = parseSettingsFromQuery(query);
      expect(notices).toEqual([]);
      const events: { at: number; event: EngineEvent }[] = [];
      const engine = new Engine((event) => events.push({ at: performance.now(), event }), { backendOrder: ['cpu'] });
      try {
        await engine.handle({ type: 'init', settings });
        expect(events.filter((e) => e.event.type === 'error')).toEqual([]);
        await engine.handle({ type: 'start' });
        const step = (): number => engine.getStatus().runs.importance?.step ?? 0;
        // Evaluating: the initial evaluation starts at once (1 s in, it is well under way: it
        // took 3-16 s). Probing: the probe follows the first step, before any other work.
        if (pauseWhen === 'probing') await waitUntil(() => step() >= 1, 120_000, 'the first step');
        // The pause as a message arrives: a timer due at a set time, which fires only when the
        // engine lets the event loop in (on the CPU backend a tf op and a read never do).
        const pauseDue = await sendAt(pauseWhen === 'evaluating' ? 1000 : 20, () => void engine.handle({ type: 'pause' }));
        await waitUntil(() => events.some((e) => e.at >= pauseDue && e.event.type === 'status' && e.event.status.state === 'paused'), 120_000, 'paused');
        const ack = events.find((e) => e.at >= pauseDue && e.event.type === 'status' && e.event.status.state === 'paused')!;
        const stepAtPause = step();
        if (pauseWhen === 'evaluating') {
          // What was queued before the pause is finished after it (a piece per turn), then the loop stops.
          await engine.whenIdle();
          expect(step(), 'no training after the pause').toBe(stepAtPause);
          const evals = events.flatMap((e) => (e.event.type === 'metrics' ? (e.event.runs.importance?.evals ?? []) : [])) as EvalPoint[];
          expect(evals.map((p) => p.step)).toContain(stepAtPause);
        } else {
          // The probe goes on after the pause (~35 s here); Reset gets in between its pieces too and drops it.
          const resetDue = await sendAt(20, () => void engine.handle({ type: 'reset' }));
          await waitUntil(() => events.some((e) => e.at >= resetDue && e.event.type === 'raceEnded'), 120_000, 'reset');
          const reset = events.find((e) => e.at >= resetDue && e.event.type === 'raceEnded')!;
          console.log(`reset acknowledged after ${(reset.at - resetDue).toFixed(0)} ms (?${query})`);
          expect(reset.at - resetDue).toBeLessThan(ACK_MS);
          await engine.whenIdle();
          expect(step()).toBe(0);
        }
        expect(events.filter((e) => e.event.type === 'error')).toEqual([]);
        console.log(`pause acknowledged after ${(ack.at - pauseDue).toFixed(0)} ms (?${query})`);
        expect(ack.at - pauseDue).toBeLessThan(ACK_MS);
      } finally {
        await engine.dispose();
      }
    }, 240_000);
  }
});
