// What the page shows of the engine: its last status, the progress of long work (loading,
// kernel warm-up) and the notices and errors it sent, as banners. A pure reducer over the
// engine's events (engineSession.ts applies it).
import type { EngineEvent, EngineStatus } from '../contract/protocol';

export interface ProgressInfo {
  loaded: number;
  total: number;
  message: string;
  done: boolean;
}

export interface Banner {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  fatal?: boolean;
}

export interface EngineView {
  status: EngineStatus | null;
  /** Events received from the engine, to tell "not started" from "silent". */
  eventCount: number;
  progress: { dataset: ProgressInfo | null; warmup: ProgressInfo | null };
  notices: Banner[];
  errors: Banner[];
}

export type EngineViewAction = { kind: 'event'; event: Exclude<EngineEvent, { type: 'metrics' }> } | { kind: 'dismiss'; id: number } | { kind: 'reinit' };

const MAX_BANNERS = 4;
let bannerIds = 0;

export const initialEngineView = (): EngineView => ({
  status: null,
  eventCount: 0,
  progress: { dataset: null, warmup: null },
  notices: [],
  errors: [],
});

const pushBanner = (list: Banner[], banner: Banner): Banner[] => {
  // The same message again replaces the old one instead of stacking.
  const rest = list.filter((b) => b.message !== banner.message);
  return [...rest, banner].slice(-MAX_BANNERS);
};

export function engineViewReducer(view: EngineView, action: EngineViewAction): EngineView {
  switch (action.kind) {
    case 'dismiss':
      return {
        ...view,
        notices: view.notices.filter((b) => b.id !== action.id),
        errors: view.errors.filter((b) => b.id !== action.id),
      };
    case 'reinit':
      return { ...initialEngineView(), notices: view.notices };
    case 'event': {
      const ev = action.event;
      const base = { ...view, eventCount: view.eventCount + 1 };
      switch (ev.type) {
        case 'status': {
          const progress = { ...view.progress };
          // Once the engine is past loading, loading progress is history.
          if (ev.status.state !== 'loading' && progress.dataset && !progress.dataset.done) {
            progress.dataset = { ...progress.dataset, done: true };
          }
          if (ev.status.state === 'running' && progress.warmup && !progress.warmup.done) {
            progress.warmup = { ...progress.warmup, done: true };
          }
          return { ...base, status: ev.status, progress };
        }
        case 'progress': {
          const done = ev.total > 0 && ev.loaded >= ev.total;
          const info: ProgressInfo = { loaded: ev.loaded, total: ev.total, message: ev.message, done };
          return { ...base, progress: { ...view.progress, [ev.task]: info } };
        }
        case 'notice':
          return { ...base, notices: pushBanner(view.notices, { id: ++bannerIds, level: ev.level, message: ev.message }) };
        case 'finished':
          return { ...base, notices: pushBanner(view.notices, { id: ++bannerIds, level: 'info', message: ev.message }) };
        case 'raceEnded':
          return base;
        case 'error':
          return {
            ...base,
            errors: pushBanner(view.errors, { id: ++bannerIds, level: 'error', message: ev.message, fatal: ev.fatal }),
          };
      }
    }
  }
  return view;
}
