// The controls and the series helpers the evaluation charts (loss, accuracy, loss ratio) share:
// the x-axis picker, the log-scale checkbox, an evaluation series and a loss axis' ticks.
import { useId } from 'react';
import type { EvalPoint } from '../../contract/protocol';
import { X_AXIS_LABELS, logTicks, niceTicks, xValue, type AxisTicks, type XAxisKind, type XY } from './common';

/** (x, y) of each evaluation where `pick` gives a finite value (and a positive one when `positiveOnly`: a log axis). */
export function evalSeries(evals: readonly EvalPoint[], xAxis: XAxisKind, pick: (p: EvalPoint) => number, positiveOnly: boolean): XY[] {
  const out: XY[] = [];
  for (const p of evals) {
    const y = pick(p);
    if (!Number.isFinite(y) || (positiveOnly && y <= 0)) continue;
    out.push({ x: xValue(xAxis, p), y });
  }
  return out;
}

/** y ticks of a loss axis: 1-2-5 steps on a log axis, about `count` from 0 on a linear one. */
export const lossYTicks =
  (log: boolean, count: number) =>
  (e: { yMin: number; yMax: number }): AxisTicks =>
    log ? logTicks(e.yMin, e.yMax) : niceTicks(0, e.yMax, count);

export function XAxisPicker({ value, onChange }: { value: XAxisKind; onChange?: (x: XAxisKind) => void }) {
  const id = useId();
  return (
    <span className="tool">
      <label htmlFor={id}>x</label>
      <select id={id} value={value} onChange={(e) => onChange?.(e.target.value as XAxisKind)} data-testid="loss-x-axis">
        {(Object.keys(X_AXIS_LABELS) as XAxisKind[]).map((k) => (
          <option key={k} value={k}>
            {X_AXIS_LABELS[k]}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The "log" checkbox of a loss axis. */
export function LogScaleToggle(props: { checked: boolean; onChange?: (log: boolean) => void; testId: string }) {
  const id = useId();
  return (
    <span className="tool">
      <input id={id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange?.(e.target.checked)} data-testid={props.testId} />
      <label htmlFor={id}>log</label>
    </span>
  );
}
