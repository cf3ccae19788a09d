// @vitest-environment jsdom
// The page tells the engine when it is hidden or frozen and shown again; the engine (here the
// real one, on the CPU, behind a worker-shaped shim) pauses while hidden and resumes when
// shown, with a notice the page shows.
import * as tf from '@tensorflow/tfjs';
import { act } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../src/contract/commandCheck';
import { Engine } from '../../../src/engine/page/engine';
import type { EngineCommand, EngineEvent } from '../../../src/contract/protocol';
import type { Settings } from '../../../src/contract/settings';
import { watchPageVisibility, type WorkerLike } from '../../../src/ui/engineClient';
import { useEngine, type UseEngine } from '../../../src/ui/useEngine';
import { tinyLoader, tinySettings, waitUntil } from '../../support/engineHarness';
import { TestHost } from '../../support/reactHost';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let visibility: DocumentVisibilityState = 'visible';
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });

function setVisibility(state: DocumentVisibilityState): void {
  visibility = state;
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** A worker that records what the page posts. */
class RecordingWorker implements WorkerLike {
  sent: EngineCommand[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: EngineCommand): void {
    this.sent.push(structuredClone(message));
  }
  terminate(): void {}
}

/** The worker shell in-process: commands checked and handled by a real engine, events posted back. */
class EngineWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly engine = new Engine((event: EngineEvent) => this.post(event), { backendOrder: ['cpu'], loadData: tinyLoader() });
  postMessage(message: EngineCommand): void {
    const command = checkCommand(structuredClone(message));
    if (typeof command === 'string') throw new Error(command);
    void this.engine.handle(command);
  }
  terminate(): void {
    void this.engine.dispose();
  }
  private post(event: EngineEvent): void {
    // Like postMessage: delivered later, as a copy.
    const data = structuredClone(event);
    setTimeout(() => act(() => this.onmessage?.(new MessageEvent('message', { data }))), 0);
  }
}

const page = new TestHost();
afterEach(() => {
  page.cleanup();
  visibility = 'visible';
});

/** Mounts a component that runs useEngine and exposes what it returns. */
function mount(settings: Settings, worker: WorkerLike): { current: () => UseEngine } {
  let latest: UseEngine | null = null;
  function Probe() {
    latest = useEngine(settings, () => worker);
    return null;
  }
  page.render(<Probe />);
  return { current: () => latest! };
}

describe('page visibility', () => {
  it('is reported to the worker when hidden, frozen and shown again, each change once', () => {
    const worker = new RecordingWorker();
    mount(tinySettings(), worker);
    const visibilityCommands = () => worker.sent.filter((c) => c.type === 'visibility');
    expect(visibilityCommands()).toEqual([]);
    setVisibility('hidden');
    act(() => {
      document.dispatchEvent(new Event('freeze'));
    });
    visibility = 'visible';
    act(() => {
      document.dispatchEvent(new Event('resume'));
    });
    setVisibility('visible');
    expect(visibilityCommands()).toEqual([
      { type: 'visibility', hidden: true },
      { type: 'visibility', hidden: false },
    ]);
  });

  it('a page that starts hidden says so right after init; nothing is reported once unmounted', () => {
    visibility = 'hidden';
    const worker = new RecordingWorker();
    mount(tinySettings(), worker);
    expect(worker.sent.map((c) => c.type)).toEqual(['init', 'visibility']);
    page.unmount();
    setVisibility('visible');
    expect(worker.sent).toHaveLength(2);
  });

  it('watchPageVisibility stops when asked', () => {
    const seen: boolean[] = [];
    const stop = watchPageVisibility((hidden) => seen.push(hidden));
    setVisibility('hidden');
    stop();
    setVisibility('visible');
    expect(seen).toEqual([true]);
  });

  it('hiding the page pauses training and showing it resumes, with a notice on the page', async () => {
    const worker = new EngineWorker();
    const ui = mount(tinySettings(), worker);
    const state = () => ui.current().view.status?.state;
    const steps = () => ui.current().view.status?.runs.importance?.step ?? 0;
    await waitUntil(() => state() === 'ready', 60_000, 'ready');
    act(() => ui.current().send({ type: 'start' }));
    await waitUntil(() => state() === 'running' && steps() >= 2, 60_000, 'training');

    setVisibility('hidden');
    await waitUntil(() => state() === 'paused', 10_000, 'paused after hiding');
    await worker.engine.whenIdle();
    const stopped = worker.engine.getStatus().runs.importance!.step;
    await new Promise((r) => setTimeout(r, 100));
    expect(worker.engine.getStatus().runs.importance!.step).toBe(stopped);

    setVisibility('visible');
    await waitUntil(() => state() === 'running', 10_000, 'running after showing');
    const notices = ui.current().view.notices.map((n) => n.message);
    expect(notices.filter((m) => m.startsWith('Training paused while the page was hidden'))).toHaveLength(1);
    act(() => ui.current().send({ type: 'pause' }));
    await waitUntil(() => state() === 'paused', 10_000, 'paused');
    await worker.engine.whenIdle();
  });
});
