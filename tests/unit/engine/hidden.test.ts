// A hidden page (docs/method.md §7): training pauses unless trainWhenHidden, resumes with a
// notice when the page is shown, and a block the page was hidden during never puts the
// hidden (possibly frozen) time on a run's clock.
import { afterEach, describe, expect, it } from 'vitest';
import { hiddenBetween } from '../../../src/engine/core/hiddenTime';
import { PageVisibility } from '../../../src/engine/page/visibility';
import { fakeClockTrainers } from '../../support/fakeClock';
import { harness, tinySettings, waitUntil, type Harness } from '../../support/engineHarness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});


const clocks = (h: Harness) => ({ importance: h.status().runs.importance!.clockMs, uniform: h.status().runs.uniform!.clockMs });

async function stepTimes(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.engine.handle({ type: 'step' });
}

describe('page visibility marks', () => {
  it('counts hidden spells and their time', () => {
    let t = 0;
    const v = new PageVisibility(() => t);
    const a = v.mark();
    t = 5;
    expect(hiddenBetween(a, v.mark())).toBeNull();
    v.set(true);
    t = 65;
    v.set(true); // a repeat changes nothing
    expect(v.mark()).toEqual({ hidden: true, times: 1, hiddenMs: 60 });
    v.set(false);
    t = 70;
    expect(hiddenBetween(a, v.mark())).toBe(60);
    // Hidden at the start of an interval that saw no change: the hidden time so far within it.
    v.set(true);
    const b = v.mark();
    t = 80;
    expect(hiddenBetween(b, v.mark())).toBe(10);
  });
});

describe('engine: clocks across a hidden page (fake clock)', () => {
  it('a block spanning 60 s of hidden page adds only the run’s estimate to its clock, marked', async () => {
    const { clock, createTrainer } = fakeClockTrainers({ importance: 10, uniform: 7 });
    h = harness({ now: () => clock.t, createTrainer });
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await stepTimes(h, 5);
    expect(clocks(h)).toEqual({ importance: 50, uniform: 35 });
    // The page is hidden in the middle of the importance run's block and frozen for 60 s.
    clock.during = () => {
      void h!.engine.handle({ type: 'visibility', hidden: true });
      clock.t += 60_000;
      void h!.engine.handle({ type: 'visibility', hidden: false });
    };
    await stepTimes(h, 1);
    expect(h.of('error')).toEqual([]);
    // The estimate: 10 ms per step (the run's recent pace); the uniform run's block was not hidden.
    expect(clocks(h)).toEqual({ importance: 60, uniform: 42 });
    await stepTimes(h, 1);
    expect(clocks(h)).toEqual({ importance: 70, uniform: 49 });
    const points = h.steps('importance');
    expect(points.map((p) => p.clockMs)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(points.map((p) => p.clockEstimated ?? false)).toEqual([false, false, false, false, false, true, false]);
    expect(h.steps('uniform').some((p) => p.clockEstimated)).toBe(false);
  });

  it('before any estimate exists, a hidden block is charged its time less the hidden time', async () => {
    const { clock, createTrainer } = fakeClockTrainers({ importance: 10, uniform: 7 });
    h = harness({ now: () => clock.t, createTrainer });
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    clock.during = () => {
      void h!.engine.handle({ type: 'visibility', hidden: true });
      clock.t += 60_000;
      void h!.engine.handle({ type: 'visibility', hidden: false });
    };
    await stepTimes(h, 1);
    expect(clocks(h).importance).toBe(10);
  });

  it('blocks run while hidden (trainWhenHidden) are charged at most the pace measured while visible', async () => {
    const { clock, createTrainer } = fakeClockTrainers({ importance: 10, uniform: 7 });
    h = harness({ now: () => clock.t, createTrainer });
    await h.engine.handle({ type: 'init', settings: tinySettings({ trainWhenHidden: true }) });
    await stepTimes(h, 3);
    await h.engine.handle({ type: 'visibility', hidden: true });
    clock.msPerStep.importance = 25; // a throttled (or frozen) background: slower than measured
    await stepTimes(h, 2);
    expect(clocks(h).importance).toBe(30 + 2 * 10);
    clock.msPerStep.importance = 4; // faster than the estimate: the measured time stands
    await stepTimes(h, 1);
    expect(clocks(h).importance).toBe(50 + 4);
    await h.engine.handle({ type: 'visibility', hidden: false });
    // Visible again: measured as before, and the estimate was not skewed by the hidden blocks.
    clock.msPerStep.importance = 10;
    await stepTimes(h, 1);
    expect(clocks(h).importance).toBe(64);
    expect(h.steps('importance').map((p) => p.clockEstimated ?? false)).toEqual([false, false, false, true, true, true, false]);
  });
});

describe('engine: pause while hidden', () => {
  const paused = (h: Harness) => h.status().state === 'paused';
  const steps = (h: Harness) => h.status().runs.importance?.step ?? 0;

  it('hiding the page pauses at once; showing it resumes, with a notice', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await h.engine.handle({ type: 'start' });
    await waitUntil(() => steps(h!) >= 2, 60_000, 'two steps');
    void h.engine.handle({ type: 'visibility', hidden: true });
    // Acknowledged at once (a status event), before the round in flight ends.
    expect(paused(h)).toBe(true);
    expect(h.of('status').at(-1)!.status.state).toBe('paused');
    await h.engine.whenIdle();
    const stopped = steps(h);
    await new Promise((r) => setTimeout(r, 100));
    expect(steps(h)).toBe(stopped);
    expect(h.of('notice').filter((n) => n.message.includes('hidden'))).toEqual([]);

    void h.engine.handle({ type: 'visibility', hidden: false });
    await waitUntil(() => steps(h!) > stopped + 1, 60_000, 'training after the page is shown');
    expect(h.status().state).toBe('running');
    const notices = h.of('notice').filter((n) => n.message.includes('hidden'));
    expect(notices).toHaveLength(1);
    expect(notices[0].message).toBe(
      'Training paused while the page was hidden and goes on now (set “Train while the page is hidden” to keep it going in the background).',
    );
    await h.engine.handle({ type: 'pause' });
  });

  it('with trainWhenHidden, training goes on while hidden and showing the page says nothing', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ trainWhenHidden: true }) });
    await h.engine.handle({ type: 'start' });
    await waitUntil(() => steps(h!) >= 1, 60_000, 'a step');
    await h.engine.handle({ type: 'visibility', hidden: true });
    const atHide = steps(h);
    await waitUntil(() => steps(h!) > atHide + 2, 60_000, 'steps while hidden');
    expect(h.status().state).toBe('running');
    await h.engine.handle({ type: 'visibility', hidden: false });
    await h.engine.handle({ type: 'pause' });
    expect(h.of('notice').filter((n) => n.message.includes('hidden'))).toEqual([]);
  });

  it('a pause the user asked for is kept when the page is shown; a start asked for while hidden waits for it', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await h.engine.handle({ type: 'start' });
    void h.engine.handle({ type: 'visibility', hidden: true });
    await h.engine.handle({ type: 'pause' });
    await h.engine.handle({ type: 'visibility', hidden: false });
    await h.engine.whenIdle();
    expect(h.status().state).toBe('paused');

    await h.engine.handle({ type: 'visibility', hidden: true });
    await h.engine.handle({ type: 'start' });
    expect(h.status().state).toBe('paused');
    void h.engine.handle({ type: 'visibility', hidden: false });
    await waitUntil(() => h!.status().state === 'running', 60_000, 'running once shown');
    await h.engine.handle({ type: 'pause' });
  });
});
