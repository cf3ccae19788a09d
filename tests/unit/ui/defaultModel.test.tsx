// @vitest-environment jsdom
// The page's default model without a hardware GPU (src/ui/environmentDefaults.ts, App.tsx): it
// starts from the MLP and, where the link left the model open and the backend to auto, moves to
// the tiny CNN once the engine's status says the tiny CNN's measured step is fast enough; it
// says why either way, and never overrides a link that names the model or forces a backend.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackendInfo, EngineStatus } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { App } from '../../../src/ui/App';
import { tinyCnnStart } from '../../../src/ui/environmentDefaults';
import { ChartWidthContext } from '../../../src/ui/charts/common';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker, engineStatus } from '../../support/uiFakes';

const page = new TestHost();
let worker: FakeWorker;
beforeEach(() => {
  worker = freshWorker();
});
afterEach(() => page.cleanup());

function statusOn(backend: BackendInfo, settings: Settings): EngineStatus {
  return engineStatus({ backend, settings });
}

const wasm = (cnnMs: number | null): BackendInfo => ({
  name: 'wasm',
  adapter: 'SIMD · 1 thread',
  fallbackReasons: [],
  choice: 'fastest measured for mlp at b = 32: wasm 6 ms',
  probe: { batchSize: 32, stepMs: { mlp: 6, 'cnn-tiny': cnnMs } },
});

function open(query: string): HTMLDivElement {
  return page.render(
    <ChartWidthContext.Provider value={500}>
      <App workerFactory={() => worker} initialQuery={query} syncAddressBar={false} />
    </ChartWidthContext.Provider>,
  );
}

const updates = () => worker.sent.filter((c) => c.type === 'update');

describe('the default model, measured', () => {
  it('moves to the tiny CNN when its step is fast enough, once, and says why', () => {
    const el = open('');
    expect(worker.sent[0]).toMatchObject({ type: 'init', settings: { model: 'mlp' } });
    expect(byId(el, 'model-notice')).toBeNull();
    worker.emit({ type: 'status', status: statusOn(wasm(21), defaultSettings()) });
    // With the paper's method preset, which the benchmark measured paying on the tiny CNN.
    expect(updates()).toEqual([{ type: 'update', change: tinyCnnStart('') }]);
    expect(updates()[0].change).toMatchObject({ model: 'cnn-tiny', sampler: 'presample', tauThresholdMode: 'measured' });
    expect(byId(el, 'model-notice')!.textContent).toContain('Starting from the tiny CNN: a step of the tiny CNN took 21 ms on WASM');
    expect((byId(el, 'setting-model') as HTMLSelectElement).value).toBe('cnn-tiny');
    // Later statuses (the race rebuilt for the tiny CNN) change nothing.
    worker.emit({ type: 'status', status: statusOn(wasm(21), { ...defaultSettings(), model: 'cnn-tiny' }) });
    expect(updates()).toHaveLength(1);
  });

  it('stays on the MLP when the step is too slow, and says why', () => {
    const el = open('?seed=2');
    worker.emit({ type: 'status', status: statusOn(wasm(36), { ...defaultSettings(), seed: 2 }) });
    expect(updates()).toEqual([]);
    expect(byId(el, 'model-notice')!.textContent).toMatch(/^Starting from the MLP: a step of the tiny CNN took 36 ms .*under 10/);
  });

  it('never overrides a link that names the model or forces a backend', () => {
    for (const query of ['?model=mlp', '?backend=wasm']) {
      const el = open(query);
      worker.emit({ type: 'status', status: statusOn(wasm(5), defaultSettings()) });
      expect(updates(), query).toEqual([]);
      expect(byId(el, 'model-notice'), query).toBeNull();
      page.cleanup();
      worker = freshWorker();
    }
  });
});
