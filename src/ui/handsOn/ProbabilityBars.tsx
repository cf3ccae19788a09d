// Both runs' class probabilities for one picture, side by side: a row per class, a bar per
// run, the most likely class of each run marked. The probabilities and steps are also on the
// element as data attributes (the browser tests read them).
import type { ProbePrediction, RunId } from '../../contract/protocol';
import { RUN_COLORS, RUN_LABELS } from '../charts/common';

export interface ProbabilityBarsProps {
  prediction: ProbePrediction | null;
  classNames: readonly string[];
  runs: readonly RunId[];
  /** The true class, when the picture is a test image. */
  trueLabel?: number | null;
}

const percent = (p: number) => (p >= 0.995 ? '100' : p < 0.005 ? '0' : (100 * p).toFixed(p < 0.1 ? 1 : 0));

function argMax(values: readonly number[]): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}

export function ProbabilityBars({ prediction, classNames, runs, trueLabel = null }: ProbabilityBarsProps) {
  const answers = runs.map((id) => ({ id, answer: prediction?.runs[id] ?? null }));
  const data: Record<`data-${string}`, string> = {};
  for (const { id, answer } of answers) {
    if (!answer) continue;
    data[`data-probs-${id}`] = answer.probabilities.join(',');
    data[`data-step-${id}`] = String(answer.step);
  }
  const best = new Map(answers.map(({ id, answer }) => [id, answer ? argMax(answer.probabilities) : -1]));
  return (
    <div className="prob-bars" data-testid="probabilities" data-state={prediction ? 'shown' : 'waiting'} {...data}>
      <div className="prob-legend" aria-hidden="true">
        {answers.map(({ id, answer }) => (
          <span key={id} className="prob-run">
            <span className="swatch" style={{ background: RUN_COLORS[id] }} />
            {RUN_LABELS[id]}
            <span className="muted">{answer ? ` · step ${answer.step.toLocaleString('en')}` : ' · waiting'}</span>
          </span>
        ))}
      </div>
      <ol className="prob-rows" aria-label="Class probabilities of each run">
        {classNames.map((name, k) => (
          <li key={k} className={`prob-row${trueLabel === k ? ' true-class' : ''}`}>
            <span className="prob-class" title={trueLabel === k ? 'the true class' : undefined}>
              {name}
            </span>
            <span className="prob-pair">
              {answers.map(({ id, answer }) => {
                const p = answer?.probabilities[k] ?? 0;
                return (
                  <span
                    key={id}
                    className={`prob-cell${best.get(id) === k ? ' top' : ''}`}
                    aria-label={answer ? `${RUN_LABELS[id]}: ${percent(p)} % ${name}` : undefined}
                  >
                    <span className="prob-track">
                      <span className="prob-fill" style={{ width: `${(100 * p).toFixed(1)}%`, background: RUN_COLORS[id] }} />
                    </span>
                    <span className="prob-value">{answer ? `${percent(p)}%` : '–'}</span>
                  </span>
                );
              })}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
