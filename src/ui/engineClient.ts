// The UI's only door to the training engine: a typed wrapper around the Web Worker, and the
// React hook that turns its events into state. The engine owns every tensor; the UI sends
// EngineCommand messages and renders what EngineEvent messages say.
import { useCallback, useEffect, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { EngineCommand, EngineEvent, EngineStatus } from '../engine/protocol';
import { needsRestart, type Settings } from '../engine/settings';
import { MetricsStore, type MetricsSnapshot } from './metricsStore';

/** What the client needs of a Worker; tests pass a fake. */
export interface WorkerLike {
  postMessage(message: EngineCommand): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror?: ((event: MessageEvent) => void) | null;
}

export type WorkerFactory = () => WorkerLike;

export function createEngineWorker(): WorkerLike {
  return new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'engine' });
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['status', 'progress', 'metrics', 'notice', 'finished', 'error', 'prediction', 'firstLayer', 'modelFiles']);

/** The hands-on views' events (src/ui/handsOn/): they go to listeners, not to the page's state. */
const HANDS_ON_EVENTS: ReadonlySet<EngineEvent['type']> = new Set(['prediction', 'firstLayer', 'modelFiles']);

/** A structural check of a message from the worker; anything else is ignored. */
export function isEngineEvent(data: unknown): data is EngineEvent {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { type?: unknown }).type === 'string' &&
    EVENT_TYPES.has((data as { type: string }).type)
  );
}

export type EngineListener = (event: EngineEvent) => void;

export class EngineClient {
  private worker: WorkerLike;
  private listeners = new Set<EngineListener>();
  private closed = false;

  constructor(factory: WorkerFactory = createEngineWorker) {
    this.worker = factory();
    this.worker.onmessage = (e: MessageEvent) => {
      if (isEngineEvent(e.data)) this.emit(e.data);
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      const where = e.filename ? ` (${e.filename}${e.lineno ? `:${e.lineno}` : ''})` : '';
      this.emit({
        type: 'error',
        fatal: true,
        message: `The training engine stopped: ${e.message || 'the worker script failed to load'}${where}`,
      });
    };
    this.worker.onmessageerror = () => {
      this.emit({ type: 'error', fatal: false, message: 'A message from the training engine could not be read.' });
    };
  }

  send(command: EngineCommand): void {
    if (!this.closed) this.worker.postMessage(command);
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    this.listeners.clear();
  }

  private emit(event: EngineEvent): void {
    for (const l of this.listeners) l(event);
  }
}

/**
 * Tells `report` whether the page is hidden: now, on every visibility change, and when the
 * browser freezes a hidden page (and resumes it). The engine pauses training while the page
 * is hidden unless trainWhenHidden, and never charges a hidden block's wall time to a run's
 * clock. Returns the function that stops watching.
 */
export function watchPageVisibility(report: (hidden: boolean) => void): () => void {
  if (typeof document === 'undefined') return () => undefined;
  const doc = document;
  let last: boolean | null = null;
  const tell = (hidden: boolean) => {
    if (hidden === last) return;
    last = hidden;
    report(hidden);
  };
  const onChange = () => tell(doc.visibilityState === 'hidden');
  // Page Lifecycle: a frozen page runs no script (its worker neither) until 'resume'.
  const onFreeze = () => tell(true);
  if (doc.visibilityState === 'hidden') tell(true);
  doc.addEventListener('visibilitychange', onChange);
  doc.addEventListener('freeze', onFreeze);
  doc.addEventListener('resume', onChange);
  return () => {
    doc.removeEventListener('visibilitychange', onChange);
    doc.removeEventListener('freeze', onFreeze);
    doc.removeEventListener('resume', onChange);
  };
}

// ---- React state ------------------------------------------------------------------------

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

type Action = { kind: 'event'; event: Exclude<EngineEvent, { type: 'metrics' }> } | { kind: 'dismiss'; id: number } | { kind: 'reinit' };

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

export function engineViewReducer(view: EngineView, action: Action): EngineView {
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

export interface UseEngine {
  view: EngineView;
  metrics: MetricsSnapshot;
  store: MetricsStore;
  send: (command: EngineCommand) => void;
  /** A Start pressed while the engine is still loading, sent once it is ready. */
  startPending: boolean;
  dismiss: (id: number) => void;
  /** Tears the worker down and starts a fresh one with the current settings (after a fatal error). */
  restartEngine: () => void;
  /** Every event of the engine (this worker's and any later one's) to `listener`; returns the unsubscribe. */
  listen: (listener: EngineListener) => () => void;
}

const READY_STATES: ReadonlySet<string> = new Set(['ready', 'paused', 'running']);

/** Where the app's data/ folder is, resolved against the page (works under any sub-path). */
export function dataBaseUrl(): string | undefined {
  try {
    return typeof document !== 'undefined' ? new URL('data/', document.baseURI).href : undefined;
  } catch {
    return undefined;
  }
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return (Object.keys(a) as (keyof Settings)[]).every((k) => a[k] === b[k]) && Object.keys(a).length === Object.keys(b).length;
}

/**
 * Why the race on the page ended: Reset, a setting that restarts both runs, a new init, or
 * the own-clock budget running out ('finished'). Called before the charts are cleared, with
 * the race's history, the settings it ran with and the last status.
 */
export type RaceEndListener = (ended: {
  reason: 'reset' | 'restart' | 'budget';
  metrics: MetricsSnapshot;
  settings: Settings;
  status: EngineStatus | null;
}) => void;

/** True when every run in the status is back at step 0 (after init, reset or a restart). */
const atStepZero = (status: EngineStatus) => Object.values(status.runs).every((r) => !r || r.step === 0);

/**
 * Starts the engine worker with the settings of the first render and keeps its state.
 * Later `settings` are remembered for re-initialisation (after a failed load, or a new
 * worker); live changes go to the engine as 'update' commands. `factory` is for tests.
 */
export function useEngine(
  settings: Settings,
  factory?: WorkerFactory,
  /** Called when the engine refused a change and kept other settings (reported after an error). */
  onSettingsReverted?: (engineSettings: Settings) => void,
  /** Called when a race ends, before its charts are cleared (the page keeps it in the history). */
  onRaceEnd?: RaceEndListener,
): UseEngine {
  const [store] = useState(() => new MetricsStore());
  const [view, dispatch] = useReducer(engineViewReducer, undefined, initialEngineView);
  const [generation, setGeneration] = useState(0);
  const [startPending, setStartPending] = useState(false);
  const clientRef = useRef<EngineClient | null>(null);
  const settingsRef = useRef(settings);
  const factoryRef = useRef(factory);
  const stateRef = useRef<string | null>(null);
  const pendingRef = useRef(false);
  /** Set by reset/init/restarting updates: clear the charts when the engine reports step 0. */
  const clearOnZeroRef = useRef(false);
  /** After an error, the next status says which settings the engine really kept. */
  const checkSettingsRef = useRef(false);
  const revertRef = useRef(onSettingsReverted);
  const raceEndRef = useRef(onRaceEnd);
  const lastStatusRef = useRef<EngineStatus | null>(null);
  const [listeners] = useState(() => new Set<EngineListener>());

  useEffect(() => {
    revertRef.current = onSettingsReverted;
  }, [onSettingsReverted]);

  useEffect(() => {
    raceEndRef.current = onRaceEnd;
  }, [onRaceEnd]);

  /** Hands the race on the charts to the listener, if it took any step. */
  const endRace = useCallback(
    (reason: 'reset' | 'restart' | 'budget', settings: Settings) => {
      const metrics = store.getSnapshot();
      const any = Object.values(metrics.runs).some((r) => r.steps.length > 0 || r.evals.length > 0);
      if (any) raceEndRef.current?.({ reason, metrics, settings, status: lastStatusRef.current });
    },
    [store],
  );

  useEffect(() => {
    settingsRef.current = settings;
  }, [settings]);

  useEffect(() => {
    const client = new EngineClient(factoryRef.current);
    clientRef.current = client;
    stateRef.current = null;
    pendingRef.current = false;
    clearOnZeroRef.current = false;
    store.clear();
    client.subscribe((event) => {
      for (const l of listeners) l(event);
      if (HANDS_ON_EVENTS.has(event.type)) return;
      if (event.type === 'metrics') {
        store.append(event);
        return;
      }
      if (event.type === 'error') checkSettingsRef.current = true;
      if (event.type === 'finished') endRace('budget', settingsRef.current);
      if (event.type === 'status') {
        lastStatusRef.current = event.status;
        const state = event.status.state;
        stateRef.current = state;
        if (checkSettingsRef.current && state !== 'loading') {
          checkSettingsRef.current = false;
          // With models in place (not idle), the engine's settings are the ones in force.
          if (state !== 'idle' && !sameSettings(event.status.settings, settingsRef.current)) {
            settingsRef.current = { ...event.status.settings };
            revertRef.current?.(settingsRef.current);
          }
        }
        if (clearOnZeroRef.current && READY_STATES.has(state) && atStepZero(event.status)) {
          // Points of the old runs flushed on the way out must not linger.
          clearOnZeroRef.current = false;
          store.clear();
        }
        if (pendingRef.current && state !== 'loading') {
          pendingRef.current = false;
          setStartPending(false);
          if (state === 'ready' || state === 'paused' || state === 'error') client.send({ type: 'start' });
        }
      }
      dispatch({ kind: 'event', event });
    });
    client.send({ type: 'init', settings: settingsRef.current, dataBaseUrl: dataBaseUrl() });
    const stopWatching = watchPageVisibility((hidden) => client.send({ type: 'visibility', hidden }));
    return () => {
      stopWatching();
      client.terminate();
      if (clientRef.current === client) clientRef.current = null;
    };
  }, [store, generation, endRace, listeners]);

  const send = useCallback(
    (command: EngineCommand) => {
      const client = clientRef.current;
      if (!client) return;
      const state = stateRef.current;
      const init = (s: Settings) => {
        endRace('restart', settingsRef.current);
        settingsRef.current = s;
        store.clear();
        clearOnZeroRef.current = true;
        client.send({ type: 'init', settings: s, dataBaseUrl: dataBaseUrl() });
      };
      switch (command.type) {
        case 'start':
          if (state === 'running') return;
          if (state === 'ready' || state === 'paused' || state === 'error') break;
          // Not ready yet (or a failed load left no models): start once it is.
          pendingRef.current = true;
          setStartPending(true);
          if (state === 'idle') init(settingsRef.current);
          return;
        case 'pause':
          if (pendingRef.current) {
            pendingRef.current = false;
            setStartPending(false);
          }
          break;
        case 'init':
          init(command.settings);
          return;
        case 'reset':
          endRace('reset', settingsRef.current);
          store.clear();
          clearOnZeroRef.current = true;
          break;
        case 'update': {
          const before = settingsRef.current;
          const next = { ...before, ...command.change };
          settingsRef.current = next;
          if (state === 'idle') {
            // No models (the last load failed): a settings change is a new attempt.
            init(next);
            return;
          }
          if (needsRestart(command.change)) {
            endRace('restart', before);
            store.clear();
            clearOnZeroRef.current = true;
          }
          break;
        }
      }
      client.send(command);
    },
    [store, endRace],
  );

  const dismiss = useCallback((id: number) => dispatch({ kind: 'dismiss', id }), []);

  const restartEngine = useCallback(() => {
    dispatch({ kind: 'reinit' });
    pendingRef.current = false;
    setStartPending(false);
    setGeneration((g) => g + 1);
  }, []);

  const listen = useCallback(
    (listener: EngineListener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    [listeners],
  );

  const metrics = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return { view, metrics, store, send, startPending, dismiss, restartEngine, listen };
}
