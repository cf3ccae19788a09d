// "Repeat with seeds 1..k": the field, the button, and where the repeat stands.
import { useId, useState } from 'react';
import { MAX_REPEAT_SEEDS } from './repeat';
import type { RepeatRunner } from './useRepeat';

export function RepeatControl({ runner, budgetOn }: { runner: RepeatRunner; budgetOn: boolean }) {
  const id = useId();
  const [k, setK] = useState('3');
  const [error, setError] = useState<string | null>(null);
  const { plan } = runner;
  return (
    <div className="repeat" data-testid="repeat">
      {plan ? (
        <>
          <span role="status" data-testid="repeat-status">
            Repeat: seed {plan.seeds[plan.index]} ({plan.index + 1} of {plan.seeds.length})
          </span>
          <button type="button" className="link-button" onClick={runner.cancel}>
            Stop repeating
          </button>
        </>
      ) : (
        <>
          <label htmlFor={id}>Repeat with seeds 1 to</label>
          <input id={id} type="number" min={1} max={MAX_REPEAT_SEEDS} value={k} onChange={(e) => setK(e.target.value)} data-testid="repeat-seeds" />
          <button
            type="button"
            onClick={() => setError(runner.start(Number(k)))}
            title={budgetOn ? 'Run the same race once per seed, each to its budget' : 'Set a budget first: a repeat needs an end'}
            data-testid="repeat-start"
          >
            Repeat
          </button>
        </>
      )}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
