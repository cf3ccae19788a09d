// What the engine is doing: backend and adapter, steps per second, tensors, dataset loading,
// shader warm-up; and plain banners for errors, fallbacks, engine notices and link notices.
// Every message is rendered as text (React escapes it): never as HTML, and without Unicode
// format characters (noticeText.ts), so none can reorder or hide part of it.
import type { ReactNode } from 'react';
import type { EngineStatus, RunId } from '../contract/protocol';
import type { Banner, EngineView, ProgressInfo } from './engineView';
import { RUN_COLORS, RUN_LABELS } from './charts/common';
import { noticeText } from './noticeText';

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function BackendBadge({ status }: { status: EngineStatus | null }) {
  const b = status?.backend ?? null;
  const fallback = b !== null && b.fallbackReasons.length > 0;
  const text = b ? b.name : status ? 'selecting backend…' : 'starting engine…';
  return (
    <span
      className={`badge backend ${b ? (fallback ? 'warn' : 'ok') : 'pending'}`}
      data-testid="backend-badge"
      title={b ? `Backend ${b.name}${b.adapter ? `, adapter: ${b.adapter}` : ''}${b.choice ? `; ${b.choice}` : ''}` : undefined}
    >
      <span className="dot" aria-hidden="true" />
      {text}
      {b?.adapter ? <span className="adapter"> · {b.adapter}</span> : null}
      {b?.choice ? (
        <span className="adapter" data-testid="backend-choice">
          {' '}
          · {b.choice}
        </span>
      ) : null}
    </span>
  );
}

export function DatasetProgress({ progress, state }: { progress: ProgressInfo | null; state: string | null }) {
  if (!progress && state !== 'loading') return null;
  if (progress?.done && state !== 'loading') return null;
  const loaded = progress?.loaded ?? 0;
  const total = progress?.total ?? 0;
  const pct = total > 0 ? Math.min(100, Math.round((100 * loaded) / total)) : null;
  return (
    <div className="progress" data-testid="dataset-progress">
      <div className="progress-text">
        <span>{progress?.message || 'Loading the dataset…'}</span>
        <span className="progress-nums">
          {total > 0 ? `${formatBytes(loaded)} of ${formatBytes(total)} · ${pct}%` : loaded > 0 ? formatBytes(loaded) : ''}
        </span>
      </div>
      <div
        className={`progress-track ${pct === null ? 'indeterminate' : ''}`}
        role="progressbar"
        aria-label="Dataset loading"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
      >
        <div className="progress-fill" style={{ width: pct === null ? undefined : `${pct}%` }} />
      </div>
    </div>
  );
}

export interface StatusBarProps {
  view: EngineView;
  /** Step counts from the latest metrics, when newer than the status. */
  steps: Record<RunId, number>;
}

const STATE_TEXT: Record<string, string> = {
  idle: 'Idle',
  loading: 'Loading',
  ready: 'Ready',
  running: 'Training',
  paused: 'Paused',
  error: 'Error',
};

export function StatusBar({ view, steps }: StatusBarProps) {
  const status = view.status;
  const state = status?.state ?? null;
  const runs: RunId[] = status && !status.settings.compare ? ['importance'] : ['importance', 'uniform'];
  const warm = view.progress.warmup;
  return (
    <div className="status-bar" aria-live="polite">
      <div className="status-row">
        <span className={`state state-${state ?? 'none'}`}>{state ? STATE_TEXT[state] ?? state : 'Starting'}</span>
        {runs.map((id) => (
          <span key={id} className="run-stat">
            <span className="swatch" style={{ background: RUN_COLORS[id] }} aria-hidden="true" />
            <span className="run-name">{RUN_LABELS[id]}</span>
            <span className="stat">
              step <strong data-testid={`run-step-${id}`}>{steps[id]}</strong>
            </span>
            <span className="stat">
              {(status?.runs[id]?.stepsPerSecond ?? 0).toFixed(1)} <span className="unit">steps/s</span>
            </span>
            {status?.runs[id]?.readsPerStep != null ? (
              <span
                className="stat muted"
                data-testid={`run-reads-${id}`}
                title="Device reads the loop awaited per step (one per block of steps, one per evaluation): each is a stall of the GPU queue"
              >
                {status.runs[id]!.readsPerStep!.toFixed(2)} <span className="unit">reads/step</span>
              </span>
            ) : null}
          </span>
        ))}
        {status ? (
          <span className="stat muted" title="Live tfjs tensors in the worker (stable = no leak)">
            <span data-testid="tensor-count">{status.tensors}</span> tensors · {formatBytes(status.bytes)}
          </span>
        ) : null}
        {status?.dataset ? (
          <span className="stat muted">
            {status.dataset.name}: {status.dataset.trainCount.toLocaleString('en')} train ·{' '}
            {status.dataset.testCount.toLocaleString('en')} test
          </span>
        ) : null}
        {status?.model ? (
          <span className="stat muted">
            {status.model.name}: {status.model.parameters.toLocaleString('en')} parameters
          </span>
        ) : null}
      </div>
      {runs.map((id) =>
        status?.runs[id]?.haltedReason ? (
          <div key={`halt-${id}`} className="banner warn">
            {RUN_LABELS[id]} run stopped: {status.runs[id]?.haltedReason}
          </div>
        ) : null,
      )}
      <DatasetProgress progress={view.progress.dataset} state={state} />
      {warm && !warm.done ? (
        <div className="banner info" data-testid="warmup-notice">
          {warm.message || 'Compiling GPU shaders: the first steps are slow, later ones are fast.'}
        </div>
      ) : null}
    </div>
  );
}

export interface BannersProps {
  view: EngineView;
  /** Why the page starts from this model (the tiny CNN or the MLP), where the machine chose it. */
  modelNotice?: string | null;
  onDismissModelNotice?: () => void;
  urlNotices: string[];
  onDismissUrlNotices: () => void;
  onDismiss: (id: number) => void;
  onRestartEngine: () => void;
}

function BannerItem({ banner, onDismiss, children }: { banner: Banner; onDismiss: (id: number) => void; children?: ReactNode }) {
  return (
    <li className={`banner ${banner.level === 'error' ? 'error' : banner.level === 'warning' ? 'warn' : 'info'}`}>
      <span className="banner-text">{noticeText(banner.message)}</span>
      {children}
      <button type="button" className="banner-close" onClick={() => onDismiss(banner.id)} aria-label="Dismiss">
        ×
      </button>
    </li>
  );
}

export function Banners({ view, modelNotice, onDismissModelNotice, urlNotices, onDismissUrlNotices, onDismiss, onRestartEngine }: BannersProps) {
  const backend = view.status?.backend;
  const fallback = backend && backend.fallbackReasons.length > 0 ? backend : null;
  // The engine also announces a fallback as a notice; the fallback banner already says it.
  const notices = fallback
    ? view.notices.filter((n) => !n.message.toLowerCase().startsWith(`training on ${fallback.name.toLowerCase()}:`))
    : view.notices;
  return (
    <div className="banners">
      {view.errors.length > 0 ? (
        <ul className="banner-list" data-testid="error-banner" role="alert">
          {view.errors.map((e) => (
            <BannerItem key={e.id} banner={e} onDismiss={onDismiss}>
              {e.fatal ? (
                <button type="button" className="banner-action" onClick={onRestartEngine}>
                  Restart engine
                </button>
              ) : null}
            </BannerItem>
          ))}
        </ul>
      ) : null}
      {fallback ? (
        <div className="banner warn" data-testid="fallback-banner" role="status">
          <span className="banner-text">
            Training on <strong>{fallback.name}</strong> instead of WebGPU: {noticeText(fallback.fallbackReasons.join('; '))}.
            {fallback.name === 'cpu' ? ' Expect slow steps; try Chrome or Edge with WebGPU.' : ''}
          </span>
        </div>
      ) : null}
      {modelNotice ? (
        <div className="banner info" data-testid="model-notice" role="status">
          <span className="banner-text">{noticeText(modelNotice)}</span>
          <button type="button" className="banner-close" onClick={onDismissModelNotice} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
      {urlNotices.length > 0 ? (
        <div className="banner warn" data-testid="url-notice" role="status">
          <div className="banner-text">
            <strong>Some settings in the link were ignored:</strong>
            <ul>
              {urlNotices.map((n, i) => (
                <li key={i}>{noticeText(n)}</li>
              ))}
            </ul>
          </div>
          <button type="button" className="banner-close" onClick={onDismissUrlNotices} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
      {notices.length > 0 ? (
        <ul className="banner-list" data-testid="engine-notice">
          {notices.map((n) => (
            <BannerItem key={n.id} banner={n} onDismiss={onDismiss} />
          ))}
        </ul>
      ) : null}
    </div>
  );
}
