// @vitest-environment jsdom
// The budget's progress bars (src/ui/BudgetProgress.tsx): one per run with its share used and
// what is left, from the engine's status; nothing when no budget is set.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStatus, RunStatus } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { BudgetProgress, budgetLeftText } from '../../../src/ui/BudgetProgress';
import { TestHost, byId } from '../../support/reactHost';
import { engineStatus } from '../../support/uiFakes';

const host = new TestHost();
afterEach(() => host.cleanup());

const runStatus = (change: Partial<RunStatus>): RunStatus => ({
  step: 100,
  samplesSeen: 800,
  clockMs: 0,
  stepsPerSecond: 50,
  haltedReason: null,
  ...change,
});

function status(settings: Partial<Settings>, runs: EngineStatus['runs']): EngineStatus {
  return engineStatus({ state: 'running', backend: { name: 'cpu', adapter: '', fallbackReasons: [] }, settings: { ...defaultSettings(), ...settings }, runs });
}

const bars = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>('[role="progressbar"]')];

describe('BudgetProgress', () => {
  it('shows a bar per run with the share used and the seconds left', () => {
    const el = host.render(
      <BudgetProgress
        status={status({ budgetUnit: 'seconds', budget: 60 }, {
          importance: runStatus({ clockMs: 45_000, budgetProgress: 0.75, budgetDone: false }),
          uniform: runStatus({ clockMs: 61_000, budgetProgress: 1, budgetDone: true }),
        })}
      />,
    );
    expect(byId(el, 'budget-progress')).not.toBeNull();
    expect(bars(el).map((b) => b.getAttribute('aria-valuenow'))).toEqual(['75', '100']);
    expect(byId(el, 'budget-progress-importance')!.getAttribute('aria-valuetext')).toBe('75%, 15 s left');
    expect(byId(el, 'budget-left-importance')!.textContent).toBe('75% · 15 s left');
    expect(byId(el, 'budget-left-uniform')!.textContent).toBe('100% · done');
    expect(byId(el, 'budget-progress')!.textContent).toContain('each run trains for 60 s of its own clock');
  });

  it('shows epochs left, and only the importance run without a uniform one', () => {
    const el = host.render(
      <BudgetProgress
        status={status({ budgetUnit: 'epochs', budget: 2, compare: false }, { importance: runStatus({ budgetProgress: 0.4, budgetDone: false }) })}
      />,
    );
    expect(bars(el)).toHaveLength(1);
    expect(bars(el)[0].getAttribute('aria-valuenow')).toBe('40');
    expect(byId(el, 'budget-left-importance')!.textContent).toBe('40% · 1.20 epochs left');
  });

  it('renders nothing when the budget is off or not yet reported', () => {
    const runs = { importance: runStatus({}), uniform: runStatus({}) };
    expect(host.render(<BudgetProgress status={status({ budgetUnit: 'off' }, runs)} />).innerHTML).toBe('');
    // Set, but the engine has no runs yet (before init): nothing to show.
    expect(host.render(<BudgetProgress status={status({ budgetUnit: 'seconds' }, {})} />).innerHTML).toBe('');
    expect(host.render(<BudgetProgress status={null} />).innerHTML).toBe('');
  });

  it('writes what is left in words', () => {
    const seconds = { budgetUnit: 'seconds', budget: 300 } as const;
    expect(budgetLeftText(seconds, runStatus({ budgetProgress: 0.5 }))).toBe('2 min 30 s left');
    expect(budgetLeftText(seconds, runStatus({ budgetProgress: 0.99 }))).toBe('3.0 s left');
    expect(budgetLeftText(seconds, runStatus({ budgetProgress: 0.2, haltedReason: 'loss became NaN at step 3' }))).toBe('halted');
    expect(budgetLeftText({ budgetUnit: 'epochs', budget: 1.5 }, runStatus({ budgetProgress: 1 / 3 }))).toBe('1.00 epoch left');
  });
});
