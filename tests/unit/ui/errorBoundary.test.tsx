// @vitest-environment jsdom
// A render exception in one chart shows that chart's error message in its place; the controls
// and the other charts keep working. An exception elsewhere on the page shows the page-level
// message instead of a blank page.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineStatus } from '../../../src/contract/protocol';
import { defaultSettings } from '../../../src/contract/settings';
import { App } from '../../../src/ui/App';
import { ChartWidthContext } from '../../../src/ui/charts/common';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker } from '../../support/uiFakes';

/** Which component throws on its next render. */
const explode = { tau: false, statusBar: false };

vi.mock('../../../src/ui/charts/TauChart', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/ui/charts/TauChart')>();
  return {
    ...original,
    TauChart: (props: Parameters<typeof original.TauChart>[0]) => {
      if (explode.tau) throw new Error('the τ chart exploded');
      return <original.TauChart {...props} />;
    },
  };
});

vi.mock('../../../src/ui/StatusBar', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/ui/StatusBar')>();
  return {
    ...original,
    StatusBar: (props: Parameters<typeof original.StatusBar>[0]) => {
      if (explode.statusBar) throw new Error('the status bar exploded');
      return <original.StatusBar {...props} />;
    },
  };
});

function readyStatus(): EngineStatus {
  return {
    state: 'ready',
    backend: { name: 'webgpu', adapter: 'test', fallbackReasons: [] },
    dataset: { name: 'mnist', trainCount: 100, testCount: 20, imageShape: [28, 28, 1], classNames: ['a', 'b'], flippedCount: 0 },
    model: { name: 'cnn-tiny', parameters: 10 },
    settings: defaultSettings(),
    costs: { scoreMs: null, stepMs: null, measuredTauThreshold: null },
    tauThresholdInForce: 2,
    tensors: 1,
    bytes: 1,
    runs: {},
  };
}

const page = new TestHost();
let worker: FakeWorker;

beforeEach(() => {
  worker = freshWorker();
  explode.tau = false;
  explode.statusBar = false;
  // React reports each caught error on the console; the test asserts what the page shows.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  page.cleanup();
  vi.restoreAllMocks();
});

function renderApp(): HTMLDivElement {
  return page.render(
    <ChartWidthContext.Provider value={500}>
      <App workerFactory={() => worker} initialQuery="" syncAddressBar={false} />
    </ChartWidthContext.Provider>,
  );
}

describe('error boundaries', () => {
  it('a chart that throws shows its message in its place; controls and other charts still work', () => {
    const el = renderApp();
    worker.emit({ type: 'status', status: readyStatus() });
    explode.tau = true;
    worker.emit({ type: 'status', status: { ...readyStatus(), tauThresholdInForce: 3 } });

    const boundary = byId(el, 'error-boundary');
    expect(boundary).not.toBeNull();
    expect(boundary!.textContent).toContain('τ chart');
    expect(boundary!.textContent).toContain('the τ chart exploded');
    expect(byId(el, 'chart-tau')).toBeNull();
    expect(byId(el, 'chart-loss')).not.toBeNull();
    expect(byId(el, 'chart-accuracy')).not.toBeNull();

    // The controls still send commands.
    worker.sent.length = 0;
    act(() => byId(el, 'start-button')!.click());
    expect(worker.sent.map((c) => c.type)).toContain('start');
    act(() => byId(el, 'mode-uniform')!.click());
    expect(worker.sent).toContainEqual({ type: 'update', change: { mode: 'uniform' } });

    // Once the cause is gone, "Try again" brings the chart back.
    explode.tau = false;
    act(() => byId(el, 'error-boundary-retry')!.click());
    expect(byId(el, 'error-boundary')).toBeNull();
    expect(byId(el, 'chart-tau')).not.toBeNull();
  });

  it('an exception outside the charts shows the page-level message, not a blank page', () => {
    explode.statusBar = true;
    const el = renderApp();
    const boundary = byId(el, 'error-boundary');
    expect(boundary).not.toBeNull();
    expect(boundary!.textContent).toContain('the status bar exploded');
    expect(el.textContent!.trim().length).toBeGreaterThan(0);
    expect(el.querySelector('[data-testid="reload-page"]')).not.toBeNull();
    explode.statusBar = false;
    act(() => byId(el, 'error-boundary-retry')!.click());
    expect(byId(el, 'error-boundary')).toBeNull();
    expect(byId(el, 'start-button')).not.toBeNull();
  });
});
