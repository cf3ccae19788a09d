// A stand-in for the engine's worker in the page tests: it records the commands the page
// posts and lets a test deliver engine events to the page synchronously, inside act().
import { act } from 'react';
import type { EngineCommand, EngineEvent, EngineStatus } from '../../src/contract/protocol';
import { defaultSettings } from '../../src/contract/settings';
import type { WorkerLike } from '../../src/ui/engineClient';

export class FakeWorker implements WorkerLike {
  /** Every command posted, as the structured copy a real worker would receive. */
  sent: EngineCommand[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;

  postMessage(message: EngineCommand): void {
    this.sent.push(structuredClone(message));
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Delivers `event` to the page as the worker's message. */
  emit(event: EngineEvent): void {
    act(() => this.onmessage?.(new MessageEvent('message', { data: event })));
  }

  /** The types of the commands posted so far, in order. */
  types(): string[] {
    return this.sent.map((c) => c.type);
  }
}

/**
 * For a page test's beforeEach: a new fake worker, and the address bar back at '/' (the page
 * writes its settings there, so one test's URL would otherwise be the next test's start).
 */
export function freshWorker(): FakeWorker {
  window.history.replaceState(null, '', '/');
  return new FakeWorker();
}

/**
 * An engine status as the worker sends one: ready, WebGPU, the default settings, no data, no
 * model and nothing measured; `change` replaces any field (each test states what it relies on).
 */
export function engineStatus(change: Partial<EngineStatus> = {}): EngineStatus {
  return {
    state: 'ready',
    backend: { name: 'webgpu', adapter: 'test', fallbackReasons: [] },
    dataset: null,
    model: null,
    settings: defaultSettings(),
    costs: { scoreMs: null, stepMs: null, measuredTauThreshold: null },
    tauThresholdInForce: 2,
    tensors: 0,
    bytes: 0,
    runs: {},
    ...change,
  };
}

