/// <reference lib="webworker" />
// The Web Worker shell around the engine: messages in → engine.handle; engine events out →
// postMessage, transferring the sample pixel buffers instead of copying them. Everything
// else lives in engine.ts, which runs in Node under the tests.
//
// The UI creates it with
//   new Worker(new URL('../engine/page/worker.ts', import.meta.url), { type: 'module' })  (src/ui/engineClient.ts)
// The page's copies of the WebAssembly binaries, for the wasm backend (Node loads the package's own).
import '../backend/wasmAssets';
import { checkCommand } from '../../contract/commandCheck';
import { Engine } from './engine';
import type { EngineEvent } from '../../contract/protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** The pixel buffers of a metrics event (each a copy owned by the event). */
export function transferables(event: EngineEvent): Transferable[] {
  if (event.type !== 'metrics') return [];
  const out: Transferable[] = [];
  for (const run of Object.values(event.runs)) {
    const snap = run?.snapshot;
    if (!snap) continue;
    for (const s of [...snap.topSamples, ...snap.uniformPicks]) {
      if (s.pixels.buffer instanceof ArrayBuffer && !out.includes(s.pixels.buffer)) out.push(s.pixels.buffer);
    }
  }
  return out;
}

/**
 * The data/ folder when the page did not say (init.dataBaseUrl): in `vite` dev the public
 * folder is served at the root; in a build the worker sits in assets/, next to data/'s parent.
 */
function guessDataBaseUrl(): string {
  // A run-time URL (the built worker's folder, assets/), not a source file for Vite to resolve.
  return import.meta.env.DEV ? new URL('/data/', scope.location.href).href : new URL(/* @vite-ignore */ '../data/', import.meta.url).href;
}

const engine = new Engine(
  (event) => {
    try {
      scope.postMessage(event, transferables(event));
    } catch (e) {
      scope.postMessage({ type: 'error', fatal: false, message: `could not send a ${event.type} message: ${(e as Error).message}` } satisfies EngineEvent);
    }
  },
  // An init's dataBaseUrl must lie on the worker's (the page's) origin (dataOrigin.ts).
  { dataBaseUrl: guessDataBaseUrl(), pageUrl: scope.location.href },
);

// A message is whatever the page posted: only a well-formed command reaches the engine; any
// other gets an 'error' event that says what is wrong with it (not a TypeError from deep inside).
scope.onmessage = (e: MessageEvent<unknown>) => {
  const command = checkCommand(e.data);
  if (typeof command === 'string') {
    scope.postMessage({ type: 'error', fatal: false, message: `Ignored a malformed command: ${command}` } satisfies EngineEvent);
    return;
  }
  void engine.handle(command);
};

// Anything that escapes the engine still reaches the UI as an error with its message.
scope.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
  e.preventDefault();
  const reason = e.reason as unknown;
  scope.postMessage({ type: 'error', fatal: false, message: reason instanceof Error ? reason.message : String(reason) } satisfies EngineEvent);
});
