// The own-clock budget (settings budgetUnit, budget; src/engine/page/clockBudget.ts): each run stops
// once it has used the budget, an epochs budget at exactly the step that reaches it and a
// seconds budget at the first block end at or past it; the race then pauses, says so once with
// a 'finished' event, and refuses Start and Step with a notice until the budget is raised or
// the race is reset.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, RunId } from '../../../src/contract/protocol';
import { epochSamples } from '../../../src/engine/page/clockBudget';
import { SETTINGS_SCHEMA, checkSettingValue, checkSettings, defaultSettings } from '../../../src/contract/settings';
import { PANEL_KEYS } from '../../../src/ui/Controls';
import { parseSettingsFromQuery, serializeSettings } from '../../../src/ui/urlState';
import { fakeClockTrainers } from '../../support/fakeClock';
import { harness, tinySettings, waitUntil, type Harness } from '../../support/engineHarness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});

/** The tiny dataset of the harness: 400 training samples; tinySettings trains b = 8. */
const N = 400;
const B = 8;


const run = (h: Harness, id: RunId) => h.status().runs[id]!;
const notices = (h: Harness) => h.of('notice').map((n) => n.message);

/** Starts and waits until the race has finished `count` times in all, and the loop has stopped. */
async function startUntilFinished(h: Harness, count: number): Promise<void> {
  await h.engine.handle({ type: 'start' });
  await waitUntil(() => h.of('finished').length >= count || h.of('error').length > 0, 60_000, `finished event ${count}`);
  await h.engine.whenIdle();
  expect(h.of('error')).toEqual([]);
}

/** The trainLoss of a run's last evaluation, as the 'finished' message writes it. */
const lossText = (h: Harness, id: RunId): string => String(Number(h.evals(id).at(-1)!.trainLoss.toPrecision(3)));

describe('the budget settings', () => {
  it('are off by default, live, in the Run panel, and survive the share link', () => {
    expect(defaultSettings()).toMatchObject({ budgetUnit: 'off', budget: 60 });
    expect(SETTINGS_SCHEMA.budgetUnit.live && SETTINGS_SCHEMA.budget.live).toBe(true);
    expect(PANEL_KEYS).toEqual(expect.arrayContaining(['budgetUnit', 'budget']));
    for (const change of [
      { budgetUnit: 'epochs', budget: 2.5 },
      { budgetUnit: 'seconds', budget: 0.01 },
      { budgetUnit: 'off', budget: 100000 },
    ] as const) {
      const settings = { ...defaultSettings(), ...change };
      expect(checkSettings(settings)).toEqual([]);
      const parsed = parseSettingsFromQuery(serializeSettings(settings));
      expect(parsed.notices).toEqual([]);
      expect(parsed.settings).toEqual(settings);
    }
  });

  it('refuse a bad unit or amount with an error that names the setting', async () => {
    expect(checkSettings({ ...defaultSettings(), budgetUnit: 'minutes' as 'seconds' })).toEqual(['Budget must be one of off, seconds, epochs']);
    expect(checkSettingValue('budget', -5)).toBe('Budget amount must be between 0.01 and 100000');
    expect(checkSettingValue('budget', 0)).toBe('Budget amount must be between 0.01 and 100000');
    expect(checkSettingValue('budget', Number.NaN)).toBe('Budget amount must be a finite number');
    // A link with bad values: a notice per key, and the defaults.
    const parsed = parseSettingsFromQuery('budgetUnit=minutes&budget=-3');
    expect(parsed.settings).toMatchObject({ budgetUnit: 'off', budget: 60 });
    expect(parsed.notices).toHaveLength(2);
    expect(parsed.notices[0]).toMatch(/^Setting "budgetUnit" \(Budget\): ignored "minutes" because budget must be one of off, seconds, epochs/);
    expect(parsed.notices[1]).toMatch(/^Setting "budget" \(Budget amount\): ignored "-3" because budget amount must be between 0\.01 and 100000/);
    // The engine refuses them on init and on update, naming the setting.
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ budget: -1 }) });
    expect(h.of('error').map((e) => e.message)).toEqual(['Invalid settings: Budget amount must be between 0.01 and 100000']);
    await h.engine.handle({ type: 'init', settings: tinySettings() });
    await h.engine.handle({ type: 'update', change: { budgetUnit: 'hours' as 'seconds' } });
    expect(h.of('error').at(-1)!.message).toBe('Invalid settings: Budget must be one of off, seconds, epochs');
    expect(h.status().settings.budgetUnit).toBe('off');
  });

  it('epochSamples forgives the rounding of epochs × N', () => {
    expect(epochSamples(0.3, 10)).toBe(3); // 0.3 · 10 = 3.0000000000000004 in floats
    expect(epochSamples(1.3, 400)).toBe(520);
    expect(epochSamples(0.01, 333)).toBe(4); // 3.33 → 4
  });
});

describe('an epochs budget', () => {
  it('stops both runs at exactly the step that reaches it, finishes once, and refuses Start and Step after', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ budgetUnit: 'epochs', budget: 1.3, blockSteps: 8 }) });
    expect(run(h, 'importance')).toMatchObject({ step: 0, budgetProgress: 0, budgetDone: false });
    await startUntilFinished(h, 1);

    // ⌈1.3 · 400 / 8⌉ = 65 steps: the last block (61..65) cut short from 8 steps to 5.
    const expected = Math.ceil(epochSamples(1.3, N) / B);
    expect(expected).toBe(65);
    for (const id of ['importance', 'uniform'] as const) {
      expect(run(h, id)).toMatchObject({ step: 65, samplesSeen: 520, budgetProgress: 1, budgetDone: true });
      expect(h.steps(id).map((p) => p.step)).toEqual(Array.from({ length: 65 }, (_, i) => i + 1));
      // The evaluations on multiples of evalInterval, and a final one at the last step.
      expect(h.evals(id).map((e) => e.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 65]);
    }
    expect(h.status().state).toBe('paused');
    const finished = h.of('finished');
    expect(finished).toHaveLength(1);
    expect(finished[0].message).toBe(
      `Budget of 1.3 epochs reached: importance ${lossText(h, 'importance')}, uniform ${lossText(h, 'uniform')} training loss.`,
    );
    // 'finished' comes after the final points and the paused status, so the page has the race's end point.
    const at = h.events.indexOf(finished[0]);
    expect(h.events.findLastIndex((e) => e.type === 'metrics')).toBeLessThan(at);
    const statusBefore = h.events.slice(0, at).findLast((e) => e.type === 'status') as Extract<EngineEvent, { type: 'status' }>;
    expect(statusBefore.status.state).toBe('paused');
    expect(statusBefore.status.runs.uniform).toMatchObject({ step: 65, budgetDone: true });

    // Start and Step: refused with a notice that says what to do; no step, no second 'finished'.
    const before = h.events.length;
    await h.engine.handle({ type: 'start' });
    await h.engine.handle({ type: 'step' });
    await h.engine.whenIdle();
    const refusals = h.events.slice(before).filter((e) => e.type === 'notice');
    expect(refusals.map((n) => (n as { message: string }).message)).toEqual([
      'Cannot start: every run has used its budget of 1.3 epochs. Raise the budget (Run settings) or Reset to train again.',
      'Cannot step: every run has used its budget of 1.3 epochs. Raise the budget (Run settings) or Reset to train again.',
    ]);
    expect(h.events.slice(before).every((e) => e.type !== 'metrics' && e.type !== 'finished')).toBe(true);
    expect(run(h, 'importance').step).toBe(65);
    expect(h.status().state).toBe('paused');
  });

  it('a raised budget lets the race go on to the new end; a lowered one ends it at once', async () => {
    h = harness();
    await h.engine.handle({ type: 'init', settings: tinySettings({ budgetUnit: 'epochs', budget: 1.3 }) });
    await startUntilFinished(h, 1);

    await h.engine.handle({ type: 'update', change: { budget: 2 } });
    expect(h.of('finished')).toHaveLength(1);
    expect(run(h, 'uniform')).toMatchObject({ step: 65, budgetDone: false, budgetProgress: 520 / 800 });
    await startUntilFinished(h, 2);
    for (const id of ['importance', 'uniform'] as const) {
      expect(run(h, id)).toMatchObject({ step: 100, samplesSeen: 800, budgetDone: true });
      // Every step once, no gap and no repeat across the two budgets.
      expect(h.steps(id).map((p) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(h.evals(id).map((e) => e.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 65, 70, 80, 90, 100]);
    }
    expect(h.of('finished')[1].message).toMatch(/^Budget of 2 epochs reached: importance [\d.e-]+, uniform [\d.e-]+ training loss\.$/);

    // Raised again, three steps by hand, then lowered below what the runs have used: over at
    // once, with a final evaluation at step 103.
    await h.engine.handle({ type: 'update', change: { budget: 3 } });
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    expect(h.of('finished')).toHaveLength(2);
    expect(run(h, 'importance').step).toBe(103);
    await h.engine.handle({ type: 'update', change: { budget: 2 } });
    await h.engine.whenIdle();
    expect(h.of('finished')).toHaveLength(3);
    expect(h.of('finished')[2].message).toMatch(/^Budget of 2 epochs reached:/);
    for (const id of ['importance', 'uniform'] as const) {
      expect(run(h, id)).toMatchObject({ step: 103, budgetDone: true, budgetProgress: 1 });
      expect(h.evals(id).at(-1)!.step).toBe(103);
    }
    expect(h.status().state).toBe('paused');

    // Off: the race trains on with no budget in the status.
    await h.engine.handle({ type: 'update', change: { budgetUnit: 'off' } });
    expect(run(h, 'importance').budgetProgress).toBeUndefined();
    expect(run(h, 'importance').budgetDone).toBeUndefined();
    await h.engine.handle({ type: 'step' });
    expect(run(h, 'importance').step).toBe(104);
  });

  it('with only the importance run, stepping by hand into the budget finishes the race', async () => {
    h = harness();
    // 0.05 epochs of 400 samples = 20 samples: the third step of 8 reaches them.
    await h.engine.handle({ type: 'init', settings: tinySettings({ compare: false, budgetUnit: 'epochs', budget: 0.05 }) });
    for (let i = 0; i < 2; i++) await h.engine.handle({ type: 'step' });
    expect(h.of('finished')).toHaveLength(0);
    expect(run(h, 'importance')).toMatchObject({ step: 2, budgetProgress: 16 / 20, budgetDone: false });
    await h.engine.handle({ type: 'step' });
    expect(h.status().runs.uniform).toBeUndefined();
    expect(run(h, 'importance')).toMatchObject({ step: 3, samplesSeen: 24, budgetDone: true });
    expect(h.of('finished').map((f) => f.message)).toEqual([`Budget of 0.05 epochs reached: importance ${lossText(h, 'importance')} training loss.`]);
    expect(h.evals('importance').map((e) => e.step)).toEqual([0, 3]);
    expect(h.status().state).toBe('paused');
    await h.engine.handle({ type: 'step' });
    expect(notices(h).at(-1)).toBe('Cannot step: the run has used its budget of 0.05 epochs. Raise the budget (Run settings) or Reset to train again.');
    expect(run(h, 'importance').step).toBe(3);
  });
});

describe('a seconds budget', () => {
  it("stops each run at the first block end at or past the budget on its own clock, within one block", async () => {
    // Importance 10 ms a step, uniform 7 ms: importance reaches 1 s at step 100 on a block end;
    // uniform trains on alone and passes it in its block 141..148 (980 ms → 1036 ms).
    const { clock, createTrainer } = fakeClockTrainers({ importance: 10, uniform: 7 });
    h = harness({ now: () => clock.t, createTrainer });
    await h.engine.handle({ type: 'init', settings: tinySettings({ budgetUnit: 'seconds', budget: 1, blockSteps: 8 }) });
    await startUntilFinished(h, 1);

    expect(run(h, 'importance')).toMatchObject({ step: 100, clockMs: 1000, budgetDone: true, budgetProgress: 1 });
    expect(run(h, 'uniform')).toMatchObject({ step: 148, budgetDone: true, budgetProgress: 1 });
    expect(run(h, 'uniform').clockMs).toBeCloseTo(1036, 9);
    for (const id of ['importance', 'uniform'] as const) {
      const points = h.steps(id);
      const last = points.at(-1)!;
      expect(last.clockMs).toBeGreaterThanOrEqual(1000);
      // Within one block: where its last block began, the run's clock was under the budget.
      // Blocks of 8 end on multiples of evalInterval 10: 1..8, 9..10, 11..18, 19..20, …
      const lastBlockSteps = last.step % 10 === 0 ? 2 : last.step % 10;
      const before = points.find((p) => p.step === last.step - lastBlockSteps)!;
      expect(before.clockMs).toBeLessThan(1000);
      expect(last.clockMs - before.clockMs).toBeLessThanOrEqual(8 * (id === 'importance' ? 10 : 7) + 1e-9);
    }
    // The uniform run kept its evaluations on multiples of evalInterval alone, and a final one.
    expect(h.evals('uniform').map((e) => e.step).slice(-5)).toEqual([110, 120, 130, 140, 148]);
    expect(h.evals('importance').at(-1)!.step).toBe(100);
    expect(h.of('finished')).toHaveLength(1);
    expect(h.of('finished')[0].message).toBe(
      `Budget of 1 s reached: importance ${lossText(h, 'importance')}, uniform ${lossText(h, 'uniform')} training loss.`,
    );
    expect(h.status().state).toBe('paused');
  });

  it('reset clears it: step 0, nothing used, and Start trains again', async () => {
    const { clock, createTrainer } = fakeClockTrainers({ importance: 10, uniform: 10 });
    h = harness({ now: () => clock.t, createTrainer });
    await h.engine.handle({ type: 'init', settings: tinySettings({ budgetUnit: 'seconds', budget: 0.2 }) });
    await startUntilFinished(h, 1);
    expect(run(h, 'importance')).toMatchObject({ step: 20, clockMs: 200, budgetDone: true });

    await h.engine.handle({ type: 'reset' });
    expect(h.status().state).toBe('ready');
    for (const id of ['importance', 'uniform'] as const) {
      expect(run(h, id)).toMatchObject({ step: 0, clockMs: 0, budgetProgress: 0, budgetDone: false });
    }
    const noticesBefore = h.of('notice').length;
    await startUntilFinished(h, 2);
    expect(h.of('notice')).toHaveLength(noticesBefore);
    expect(run(h, 'uniform')).toMatchObject({ step: 20, clockMs: 200, budgetDone: true });

    // A restart (a setting that rebuilds the runs) clears it too.
    await h.engine.handle({ type: 'update', change: { seed: 8 } });
    expect(run(h, 'importance')).toMatchObject({ step: 0, budgetProgress: 0, budgetDone: false });
    await h.engine.handle({ type: 'step' });
    expect(run(h, 'importance').step).toBe(1);
  });
});
