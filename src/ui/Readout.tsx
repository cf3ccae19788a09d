// "Who is ahead", live, above the loss chart: one decision (race/whoIsAhead.ts), shown as the
// loss ratio at equal own-clock time against its level band and as the share of uniform's time
// importance sampling needs for the same loss. Recomputed only when a run's evaluations change;
// the data-* attributes carry the numbers for the browser tests.
import { memo, useMemo } from 'react';
import type { EvalPoint } from '../contract/protocol';
import {
  describeLossRatio,
  describeSpeedUp,
  formatBand,
  formatFactor,
  leaderText,
  speedUpValue,
} from './race/readoutText';
import { computeReadout, type Leader, type Measure } from './race/whoIsAhead';

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
  const leader = readout.leader;
  return (
    <section
      className="card readout"
      data-testid="readout"
      aria-label="Who is ahead"
      data-state={ratio ? 'ready' : 'waiting'}
      data-speedup={attr(speed ? 1 / speed.timeFraction : null)}
      data-time-percent={attr(speed ? speed.timeFraction * 100 : null)}
      data-loss-ratio={attr(ratio?.ratio)}
      data-band={attr(ratio?.band)}
      data-leader={leader ?? ''}
    >
      <h3>
        Who is ahead
        {leader ? (
          <span className={`readout-leader lead-${leader}`} data-testid="readout-leader">
            {leaderText(leader)}
            {ratio && leader === 'level' ? ` (within ${formatBand(ratio.band)})` : ''}
          </span>
        ) : null}
      </h3>
      <div className="readout-items" aria-live="polite">
        <Item
          testId="readout-loss-ratio"
          label="Loss ratio at equal time"
          measure={readout.lossRatio}
          value={ratio ? `${formatFactor(ratio.ratio)} (${formatBand(ratio.band)})` : ''}
          sentence={
            ratio
              ? `${describeLossRatio(ratio)} (at ${formatClock(ratio.atMs)} of own clock: uniform ${ratio.uniformLoss.toPrecision(3)}, importance ${ratio.importanceLoss.toPrecision(3)}).`
              : ''
          }
          leader={leader}
        />
        <Item
          testId="readout-speedup"
          label="Importance’s time for the same loss, as a share of uniform’s"
          measure={readout.speedUp}
          value={speed ? speedUpValue(speed) : ''}
          sentence={
            speed
              ? `${describeSpeedUp(speed)} (loss ${speed.targetLoss.toPrecision(3)}: importance after ${formatClock(speed.importanceMs)}, uniform after ${formatClock(speed.uniformMs)}).`
              : ''
          }
          leader={speed ? leader : null}
        />
      </div>
      <p className="readout-how">
        Both runs’ training losses are smoothed alike (a straight line on log–log axes through the evaluations of the
        last half of each run’s own-clock time) and compared at the same own-clock time. The band is how far apart two
        identical runs could be by chance, from the scatter of each run’s recent evaluations: inside it the race is
        level. The speed-up is measured both ways: how long importance took to reach uniform’s latest loss, or
        uniform to reach importance’s.
      </p>
    </section>
  );
});
