// "Who is ahead", live, beside the loss chart: the speed-up to the uniform run's current loss
// and the loss ratio at equal own-clock time (the maths is in readout.ts). Recomputed only
// when a run's evaluations change; the data-* attributes carry the numbers for the browser tests.
import { memo, useMemo } from 'react';
import type { EvalPoint } from '../engine/protocol';
import {
  computeReadout,
  describeLossRatio,
  describeSpeedUp,
  formatFactor,
  formatPercent,
  type Leader,
  type Measure,
} from './readout';

export interface ReadoutProps {
  importanceEvals: readonly EvalPoint[];
  uniformEvals: readonly EvalPoint[];
  /** False when no uniform run is trained (the "Compare with uniform" setting): no race to read. */
  compare: boolean;
}

/** An own-clock duration for a sentence: 850 ms, 12.3 s, 95 s. */
export function formatClock(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${s >= 100 ? s.toFixed(0) : s.toFixed(1)} s`;
}

/** Full precision for the test hooks; '' while there is no number. */
const attr = (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '' : String(x));

function Item(props: {
  testId: string;
  label: string;
  measure: Measure<unknown>;
  value: string;
  sentence: string;
  leader: Leader | null;
}) {
  const { testId, label, measure, value, sentence, leader } = props;
  const ready = measure.value !== null;
  return (
    <div className={`readout-item ${leader ? `lead-${leader}` : ''}`} data-testid={testId} data-leader={leader ?? ''}>
      <div className="readout-label">{label}</div>
      <div className="readout-value">{ready ? value : 'not yet'}</div>
      <div className="readout-note">{ready ? sentence : measure.whyNot}</div>
    </div>
  );
}

export const Readout = memo(function Readout({ importanceEvals, uniformEvals, compare }: ReadoutProps) {
  const readout = useMemo(() => computeReadout(importanceEvals, uniformEvals), [importanceEvals, uniformEvals]);
  if (!compare) {
    return (
      <section className="card readout" data-testid="readout" data-state="off" aria-label="Who is ahead">
        <h3>Who is ahead</h3>
        <p className="readout-note">“Compare with uniform” is off: there is no uniform run to race.</p>
      </section>
    );
  }
  const speed = readout.speedUp.value;
  const ratio = readout.lossRatio.value;
  const ready = speed !== null || ratio !== null;
  return (
    <section
      className="card readout"
      data-testid="readout"
      aria-label="Who is ahead"
      data-state={ready ? 'ready' : 'waiting'}
      data-speedup={attr(speed && speed.timeFraction > 0 ? 1 / speed.timeFraction : null)}
      data-time-percent={attr(speed ? speed.timeFraction * 100 : null)}
      data-loss-ratio={attr(ratio?.ratio)}
      data-leader={ratio?.leader ?? ''}
    >
      <h3>Who is ahead</h3>
      <div className="readout-items" aria-live="polite">
        <Item
          testId="readout-speedup"
          label="Time to reach uniform’s current loss"
          measure={readout.speedUp}
          value={speed ? `${speed.atMost ? '≤ ' : ''}${formatPercent(speed.timeFraction)}` : ''}
          sentence={
            speed
              ? `${describeSpeedUp(speed)} (uniform: loss ${speed.targetLoss.toPrecision(3)} after ${formatClock(speed.uniformMs)}).`
              : ''
          }
          leader={speed?.leader ?? null}
        />
        <Item
          testId="readout-loss-ratio"
          label="Loss ratio at equal time"
          measure={readout.lossRatio}
          value={ratio ? formatFactor(ratio.ratio) : ''}
          sentence={
            ratio
              ? `${describeLossRatio(ratio)} (at ${formatClock(ratio.atMs)} of own clock: uniform ${ratio.uniformLoss.toPrecision(3)}, importance ${ratio.importanceLoss.toPrecision(3)}).`
              : ''
          }
          leader={ratio?.leader ?? null}
        />
      </div>
      <p className="readout-how">
        Both read the training loss on the same fixed images against each run’s own clock, between evaluations along
        a straight line on the log scale. The first says how much of the uniform run’s time importance sampling needed
        to get as low; the second divides uniform’s loss by importance’s at the same time: above 1× importance is
        ahead.
      </p>
    </section>
  );
});
