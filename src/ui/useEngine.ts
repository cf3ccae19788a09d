// The React side of the engine: one EngineSession for the page's life (engineSession.ts), its
// view and the charted points as React state. Everything the engine decides (restarts, a Start
// waiting for a load) comes from its events through the session; nothing here shadows it.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { EngineCommand } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import type { EngineListener, WorkerFactory } from './engineClient';
import { EngineSession, type RaceEndListener } from './engineSession';
import type { EngineView } from './engineView';
import { MetricsStore, type MetricsSnapshot } from './metricsStore';

export interface UseEngine {
  view: EngineView;
  metrics: MetricsSnapshot;
  store: MetricsStore;
  send: (command: EngineCommand) => void;
  /** A Start pressed while the engine is loading, which it starts once ready (the engine says so). */
  startPending: boolean;
  dismiss: (id: number) => void;
  /** Tears the worker down and starts a fresh one with the current settings (after a fatal error). */
  restartEngine: () => void;
  /** Every event of the engine (this worker's and any later one's) to `listener`; returns the unsubscribe. */
  listen: (listener: EngineListener) => () => void;
}

/**
 * Starts the engine worker with the settings of the first render and keeps its state. Later
 * `settings` are remembered for re-initialisation (after a failed load, or a new worker); live
 * changes go to the engine as 'update' commands. `factory` is for tests.
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
  const [session] = useState(() => new EngineSession(settings, store, factory));

  useEffect(() => {
    session.setHandlers({ onSettingsReverted, onRaceEnd });
  }, [session, onSettingsReverted, onRaceEnd]);

  useEffect(() => {
    session.want(settings);
  }, [session, settings]);

  useEffect(() => {
    session.open();
    return () => session.close();
  }, [session]);

  const view = useSyncExternalStore(session.subscribe, session.getView, session.getView);
  const metrics = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return {
    view,
    metrics,
    store,
    send: session.send,
    startPending: view.status?.startPending ?? false,
    dismiss: session.dismiss,
    restartEngine: session.restart,
    listen: session.listen,
  };
}
