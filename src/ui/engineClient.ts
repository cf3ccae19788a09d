// The UI's only door to the training engine: a typed wrapper around the Web Worker (started by
// URL, so the engine and tfjs are a bundle of their own), and what the page tells it of its
// visibility. The engine owns every tensor; the UI sends EngineCommand messages and renders what
// EngineEvent messages say (engineSession.ts keeps them, useEngine.ts hands them to React).
import type { EngineCommand, EngineEvent } from '../contract/protocol';

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
  return new Worker(new URL('../engine/page/worker.ts', import.meta.url), { type: 'module', name: 'engine' });
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['status', 'progress', 'metrics', 'notice', 'finished', 'raceEnded', 'error', 'prediction', 'firstLayer', 'modelFiles']);

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

/** Where the app's data/ folder is, resolved against the page (works under any sub-path). */
export function dataBaseUrl(): string | undefined {
  try {
    return typeof document !== 'undefined' ? new URL('data/', document.baseURI).href : undefined;
  } catch {
    return undefined;
  }
}
