// The run history: earlier races kept in this browser, newest first. Tick a race to draw it
// on the loss, accuracy and τ charts; open its link to run it again; remove one or all; set
// how many are kept. Unreadable entries are named in a notice, never drawn.
import { useId, useState } from 'react';
import type { Settings } from '../../contract/settings';
import { noticeText } from '../noticeText';
import { shareLink } from '../share';
import type { RunHistory } from './useRunHistory';
import type { HistoryRecord } from './record';

const lastLoss = (r: HistoryRecord, run: 'importance' | 'uniform'): string => {
  const evals = r.runs[run]?.evals;
  const last = evals?.length ? evals[evals.length - 1].trainLoss : NaN;
  return Number.isFinite(last) ? last.toPrecision(3) : '—';
};

const when = (t: number): string => {
  const d = new Date(t);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
};

/** "mnist · mlp · table · seed 2": what the race was, in a line. */
export function recordSummary(s: Settings): string {
  return `${s.dataset} · ${s.model} · ${s.mode === 'uniform' ? 'uniform only' : `${s.sampler} (${s.mode})`} · seed ${s.seed}`;
}

export interface HistoryPanelProps {
  history: RunHistory;
  /** What differs from the live settings, e.g. "seed 2, B/b 5". */
  describe: (record: HistoryRecord) => string;
}

export function HistoryPanel({ history, describe }: HistoryPanelProps) {
  const limitId = useId();
  const [limitText, setLimitText] = useState<string | null>(null);
  const [limitError, setLimitError] = useState<string | null>(null);
  const { records, skipped, problem, error, limit, overlaid, unsaved } = history;

  const applyLimit = (text: string) => {
    const e = history.setLimit(Number(text));
    setLimitError(e);
    if (!e) setLimitText(null);
  };

  return (
    <section className="card history" aria-label="Run history" data-testid="history">
      <div className="history-head">
        <h2>
          Run history <span className="muted">({records.length} of {limit} kept)</span>
        </h2>
        <span className="tool">
          <label htmlFor={limitId}>keep</label>
          <input
            id={limitId}
            type="number"
            min={1}
            value={limitText ?? String(limit)}
            onChange={(e) => setLimitText(e.target.value)}
            onBlur={(e) => applyLimit(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && applyLimit((e.target as HTMLInputElement).value)}
            data-testid="history-limit"
            aria-invalid={limitError ? true : undefined}
          />
        </span>
        <button type="button" onClick={() => void history.clear()} disabled={!records.length && !skipped.length} data-testid="history-clear">
          Clear all
        </button>
      </div>
      {limitError ? <p className="field-error">{limitError}</p> : null}
      {problem ? (
        <p className="notice warning" data-testid="history-problem">
          The history is kept for this visit only ({problem}); it will not survive a reload.
        </p>
      ) : null}
      {error ? (
        <p className="notice warning" data-testid="history-error">
          {noticeText(error)}
        </p>
      ) : null}
      {skipped.length ? (
        <p className="notice warning" data-testid="history-skipped">
          {skipped.length === 1 ? 'One stored entry' : `${skipped.length} stored entries`} could not be read and{' '}
          {skipped.length === 1 ? 'was' : 'were'} skipped ({noticeText(skipped[0].reason)}
          {skipped.length > 1 ? ', …' : ''}).{' '}
          <button type="button" className="link-button" onClick={() => skipped.forEach((s) => void history.remove(s.key))} data-testid="history-drop-skipped">
            Remove {skipped.length === 1 ? 'it' : 'them'}
          </button>
        </p>
      ) : null}
      {!history.loaded ? (
        <p className="muted">Reading the history…</p>
      ) : records.length === 0 ? (
        <p className="muted">
          No earlier races yet. A race is kept here when you press Reset, change a setting that restarts it, its budget
          runs out, or you leave the page.
        </p>
      ) : (
        <ul className="history-list">
          {records.map((r) => {
            const id = `overlay-${r.id}`;
            return (
              <li key={r.id} className="history-item" data-testid="history-item" data-record-id={r.id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={overlaid.has(r.id)}
                  onChange={(e) => history.toggleOverlay(r.id, e.target.checked)}
                  data-testid="history-overlay"
                />
                <label htmlFor={id}>
                  <strong>{describe(r)}</strong>
                  <span className="muted">
                    {' '}
                    {recordSummary(r.settings)} · {when(r.savedAt)}
                    {r.finished ? ' · budget reached' : r.reason === 'reload' ? ' · kept when the page was left' : ''}
                    {unsaved.has(r.id) ? (
                      <span className="field-error" data-testid="history-unsaved">
                        {' '}
                        · not saved (kept on this page only)
                      </span>
                    ) : null}
                  </span>
                  <span className="history-losses">
                    loss: importance {lastLoss(r, 'importance')}
                    {r.runs.uniform ? `, uniform ${lastLoss(r, 'uniform')}` : ''}
                    {r.backend ? ` · ${r.backend}` : ''}
                  </span>
                </label>
                <a href={shareLink(r.settings)} className="link-button" title="Open these settings (a new race)">
                  link
                </a>
                <button type="button" className="link-button" onClick={() => void history.remove(r.id)} aria-label={`Remove ${describe(r)}`}>
                  remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
