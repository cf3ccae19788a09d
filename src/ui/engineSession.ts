// The page's hold on one engine worker: it posts the page's commands, keeps what the engine
// last said (the view: status, progress, banners; engineView.ts) and the charted points
// (MetricsStore), and follows what the engine decides. The engine alone decides a restart and
// whether a Start waits for a load: the page reads them from 'raceEnded' and the status's
// `startPending`, it keeps no copy of the engine's state machine. What is the page's own: the
// settings it wants (sent with init, and followed after the engine refused a change).
// Plain TypeScript, no React: useEngine.ts subscribes to it.
import type { EngineCommand, EngineEvent, EngineStatus } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { EngineClient, dataBaseUrl, watchPageVisibility, type EngineListener, type WorkerFactory } from './engineClient';
import { engineViewReducer, initialEngineView, type EngineView, type EngineViewAction } from './engineView';
import type { MetricsSnapshot, MetricsStore } from './metricsStore';

/**
 * Why the race on the page ended: Reset, a setting that restarts both runs, a new init (both
 * 'restart'), or the own-clock budget running out ('budget'). Called before the charts are
 * cleared, with the race's history, the settings it ran with and the last status.
 */
export type RaceEndListener = (ended: {
  reason: 'reset' | 'restart' | 'budget';
  metrics: MetricsSnapshot;
  settings: Settings;
  status: EngineStatus | null;
}) => void;

export interface SessionHandlers {
  /** The engine kept or fitted other settings than the page asked for (after an error, or a notice that says so). */
  onSettingsReverted?: (engineSettings: Settings) => void;
  /** A race ended, before its charts are cleared (the page keeps it in the history). */
  onRaceEnd?: RaceEndListener;
}

/** The hands-on views' events (src/ui/handsOn/): they go to listeners, not to the page's view. */
const HANDS_ON_EVENTS: ReadonlySet<EngineEvent['type']> = new Set(['prediction', 'firstLayer', 'modelFiles']);

export function sameSettings(a: Settings, b: Settings): boolean {
  return (Object.keys(a) as (keyof Settings)[]).every((k) => a[k] === b[k]) && Object.keys(a).length === Object.keys(b).length;
}

export class EngineSession {
  /** The page's callbacks (useEngine keeps them current). */
  private handlers: SessionHandlers = {};
  private client: EngineClient | null = null;
  private stopWatching: (() => void) | null = null;
  private view: EngineView = initialEngineView();
  private readonly listeners = new Set<() => void>();
  /** Listeners of every engine event (this worker's and any later one's), e.g. the hands-on panels. */
  private readonly eventListeners = new Set<EngineListener>();
  /** The settings the page wants: an init sends them. */
  private wanted: Settings;
  /** An error (or a notice of fitted settings) came: the next status (after any loading) says which settings are in force. */
  private confirmSettings = false;

  constructor(
    settings: Settings,
    private readonly store: MetricsStore,
    private readonly factory?: WorkerFactory,
  ) {
    this.wanted = settings;
  }

  /** Starts the worker and initialises it with the wanted settings (again after close). */
  open(): void {
    if (this.client) return;
    const client = new EngineClient(this.factory);
    this.client = client;
    this.store.clear();
    client.subscribe((event) => this.onEvent(event));
    this.init(this.wanted);
    this.stopWatching = watchPageVisibility((hidden) => client.send({ type: 'visibility', hidden }));
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = null;
    this.client?.terminate();
    this.client = null;
  }

  /** Tears the worker down and starts a fresh one with the wanted settings (after a fatal error). */
  restart = (): void => {
    this.close();
    this.apply({ kind: 'reinit' });
    this.open();
  };

  setHandlers(handlers: SessionHandlers): void {
    this.handlers = handlers;
  }

  /** The settings the page wants now (for the next init). */
  want(settings: Settings): void {
    this.wanted = settings;
  }

  send = (command: EngineCommand): void => {
    const client = this.client;
    if (!client) return;
    const idle = this.view.status?.state === 'idle';
    switch (command.type) {
      case 'init':
        return this.init(command.settings);
      case 'update':
        this.wanted = { ...this.wanted, ...command.change };
        // No models (the last load failed): a settings change is a new attempt.
        if (idle) return this.init(this.wanted);
        break;
      case 'start':
        // No models: load them first; the engine starts once they are (it holds the Start).
        if (idle) this.init(this.wanted);
        break;
    }
    client.send(command);
  };

  dismiss = (id: number): void => this.apply({ kind: 'dismiss', id });

  getView = (): EngineView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Every event of the engine to `listener`; returns the unsubscribe. */
  listen = (listener: EngineListener): (() => void) => {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  };

  private init(settings: Settings): void {
    this.wanted = settings;
    this.client?.send({ type: 'init', settings, dataBaseUrl: dataBaseUrl() });
  }

  private onEvent(event: EngineEvent): void {
    for (const l of this.eventListeners) l(event);
    if (HANDS_ON_EVENTS.has(event.type)) return;
    switch (event.type) {
      case 'metrics':
        this.store.append(event);
        return;
      case 'raceEnded':
        // The old race's last points came before this, the new race's come after it.
        this.endRace(event.reason);
        this.store.clear();
        break;
      case 'finished':
        this.endRace('budget');
        break;
      case 'error':
        this.confirmSettings = true;
        break;
      case 'notice':
        // The engine fitted settings to the data: the next status says which are in force.
        if (event.adjusted?.length) this.confirmSettings = true;
        break;
      case 'status':
        this.followKeptSettings(event.status);
        break;
    }
    this.apply({ kind: 'event', event });
  }

  /** Hands the race on the charts to the page, if it took any step. */
  private endRace(reason: 'reset' | 'restart' | 'budget'): void {
    const metrics = this.store.getSnapshot();
    if (!Object.values(metrics.runs).some((r) => r.steps.length > 0 || r.evals.length > 0)) return;
    const status = this.view.status;
    this.handlers.onRaceEnd?.({ reason, metrics, settings: status?.settings ?? this.wanted, status });
  }

  /**
   * After an error, or a notice of settings the engine fitted to the data: with models in place
   * (not idle), the engine's settings are the ones in force.
   */
  private followKeptSettings(status: EngineStatus): void {
    if (!this.confirmSettings || status.state === 'loading') return;
    this.confirmSettings = false;
    if (status.state === 'idle' || sameSettings(status.settings, this.wanted)) return;
    this.wanted = { ...status.settings };
    this.handlers.onSettingsReverted?.(this.wanted);
  }

  private apply(action: EngineViewAction): void {
    this.view = engineViewReducer(this.view, action);
    for (const l of this.listeners) l();
  }
}
