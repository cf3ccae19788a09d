// How much of the own-clock budget (settings budgetUnit, budget) each run has used: a bar per
// run and what is left, from the engine's status (RunStatus.budgetProgress, budgetDone). Nothing
// when no budget is set. The engine stops each run at its budget (src/engine/page/clockBudget.ts).
import type { EngineStatus, RunId, RunStatus } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { RUN_COLORS, RUN_LABELS } from './charts/common';

/** What is left of a run's budget, in words: "42 s left", "1 min 05 s left", "0.35 epochs left", "done". */
export function budgetLeftText(settings: Pick<Settings, 'budgetUnit' | 'budget'>, run: RunStatus): string {
  if (run.haltedReason) return 'halted';
  if (run.budgetDone) return 'done';
  const left = Math.max(0, settings.budget * (1 - (run.budgetProgress ?? 0)));
  if (settings.budgetUnit === 'epochs') return `${left.toFixed(2)} epoch${left.toFixed(2) === '1.00' ? '' : 's'} left`;
  if (left < 60) return `${left.toFixed(left < 10 ? 1 : 0)} s left`;
  const whole = Math.round(left);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s left`;
}

export function BudgetProgress({ status }: { status: EngineStatus | null }) {
  const settings = status?.settings;
  if (!status || !settings || settings.budgetUnit === 'off') return null;
  const ids: RunId[] = settings.compare ? ['importance', 'uniform'] : ['importance'];
  const shown = ids.filter((id) => status.runs[id]?.budgetProgress !== undefined);
  if (!shown.length) return null;
  const what = settings.budgetUnit === 'seconds' ? `${settings.budget} s of its own clock` : `${settings.budget} epoch${settings.budget === 1 ? '' : 's'}`;
  return (
    <div className="progress budget-progress" data-testid="budget-progress">
      <div className="progress-text">
        <span>Budget: each run trains for {what}</span>
      </div>
      {shown.map((id) => {
        const run = status.runs[id]!;
        const pct = Math.round(100 * Math.min(1, Math.max(0, run.budgetProgress ?? 0)));
        const left = budgetLeftText(settings, run);
        return (
          <div key={id} className="budget-run">
            <div className="progress-text">
              <span>{RUN_LABELS[id]}</span>
              <span className="progress-nums" data-testid={`budget-left-${id}`}>
                {pct}% · {left}
              </span>
            </div>
            <div
              className="progress-track"
              role="progressbar"
              aria-label={`${RUN_LABELS[id]} run: budget used`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
              aria-valuetext={`${pct}%, ${left}`}
              data-testid={`budget-progress-${id}`}
            >
              <div className="progress-fill" style={{ width: `${pct}%`, background: RUN_COLORS[id] }} />
            </div>
          </div>
        );
      })}
    </div>
  );
}
