// @vitest-environment jsdom
// The whole page against a fake worker: the commands it sends, the test ids the browser
// tests rely on, and what it shows for the engine's events.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineStatus, StepPoint } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { App } from '../../../src/ui/App';
import { ChartWidthContext } from '../../../src/ui/charts/common';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker } from '../../support/uiFakes';

function status(state: EngineStatus['state'], settings: Settings, step = 0, extra: Partial<EngineStatus> = {}): EngineStatus {
  return {
    state,
    backend: { name: 'webgpu', adapter: 'SwiftShader (fallback adapter)', fallbackReasons: [] },
    dataset: {
      name: 'mnist',
      trainCount: 5000,
      testCount: 2000,
      imageShape: [28, 28, 1],
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      flippedCount: 0,
    },
    model: { name: 'cnn-tiny', parameters: 1234 },
    settings,
    costs: { scoreMs: null, stepMs: null, measuredTauThreshold: null },
    tauThresholdInForce: 2,
    tensors: 42,
    bytes: 1 << 20,
    runs: {
      importance: { step, samplesSeen: step * 32, clockMs: step * 10, stepsPerSecond: 3, haltedReason: null },
      uniform: { step, samplesSeen: step * 32, clockMs: step * 10, stepsPerSecond: 4, haltedReason: null },
    },
    ...extra,
  };
}

function steps(from: number, to: number, mode: StepPoint['mode'], active: boolean): StepPoint[] {
  const out: StepPoint[] = [];
  for (let s = from + 1; s <= to; s++) {
    out.push({
      step: s,
      samplesSeen: s * 32,
      clockMs: s * 10,
      batchLoss: 1,
      mode,
      importanceActive: active,
      tauRaw: 1.5,
      tauSmoothed: 1.4,
      tauThreshold: 2,
    });
  }
  return out;
}

const page = new TestHost();
let worker: FakeWorker;

beforeEach(() => {
  worker = freshWorker();
});

afterEach(() => page.cleanup());

function renderApp(query = ''): HTMLDivElement {
  return page.render(
    <ChartWidthContext.Provider value={500}>
      {/* Charts follow each event at once here (the page throttles them). */}
      <ChartRefreshContext.Provider value={0}>
        <App workerFactory={() => worker} initialQuery={query} />
      </ChartRefreshContext.Provider>
    </ChartWidthContext.Provider>,
  );
}

function click(el: HTMLElement | null) {
  expect(el).not.toBeNull();
  act(() => el!.click());
}

const REQUIRED_IDS = [
  'backend-badge',
  'start-button',
  'pause-button',
  'step-button',
  'reset-button',
  'share-button',
  'export-json',
  'export-csv',
  'mode-uniform',
  'mode-importance',
  'mode-auto',
  'engine-mode',
  'run-step-importance',
  'run-step-uniform',
  'chart-loss',
  'chart-tau',
  'chart-accuracy',
  'sample-grid',
];

describe('the playground page', () => {
  it('inits the engine with the URL settings and has every stable test id and a label per setting', () => {
    const el = renderApp('?batchSize=16&mode=importance&dataset=fashion-mnist');
    expect(worker.sent[0]).toMatchObject({
      type: 'init',
      settings: { ...defaultSettings(), batchSize: 16, mode: 'importance', dataset: 'fashion-mnist' },
    });
    for (const id of REQUIRED_IDS) expect(byId(el, id), id).not.toBeNull();
    for (const key of Object.keys(defaultSettings())) {
      const input = byId(el, `setting-${key}`);
      expect(input, key).not.toBeNull();
      if (key === 'mode') continue; // the segmented toggle (mode-* buttons)
      expect(input!.id, key).not.toBe('');
      expect(el.querySelector(`label[for="${input!.id}"]`), `label for ${key}`).not.toBeNull();
    }
    expect((byId(el, 'setting-batchSize') as HTMLInputElement).value).toBe('16');
    expect((byId(el, 'setting-dataset') as HTMLSelectElement).value).toBe('fashion-mnist');
    expect(byId(el, 'mode-importance')!.getAttribute('aria-pressed')).toBe('true');
    expect(byId(el, 'mode-auto')!.getAttribute('aria-pressed')).toBe('false');
    expect(byId(el, 'setting-mode')!.getAttribute('data-value')).toBe('importance');
    expect(byId(el, 'url-notice')).toBeNull();
    // The address bar carries the settings.
    expect(new URLSearchParams(window.location.search).get('batchSize')).toBe('16');
  });

  it('shows a URL notice for hostile values and injects nothing', () => {
    const el = renderApp('?dataset=%3Cscript%3Ealert(1)%3C%2Fscript%3E&seed=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&zzz=1');
    const notice = byId(el, 'url-notice');
    expect(notice).not.toBeNull();
    expect(notice!.textContent).toContain('dataset');
    expect(notice!.textContent).toContain('seed');
    expect(notice!.textContent).toContain('zzz');
    expect(el.querySelector('script, img, [onerror]')).toBeNull();
    expect(worker.sent[0]).toMatchObject({ type: 'init', settings: defaultSettings() });
    // The address bar no longer carries the hostile values.
    expect(window.location.search).not.toContain('script');
    expect(window.location.search).not.toContain('zzz');
  });

  it('a Start while loading goes to the engine, which holds it until ready (the page shows what it says); shows steps, backend and engine mode', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({ type: 'status', status: status('loading', s) });
    worker.emit({ type: 'progress', task: 'dataset', loaded: 512 * 1024, total: 1024 * 1024, message: 'Loading mnist' });
    expect(byId(el, 'dataset-progress')!.textContent).toContain('50%');
    click(byId(el, 'start-button'));
    expect(worker.types()).toEqual(['init', 'start']);
    // As the engine answers a Start that waits for the load.
    worker.emit({ type: 'status', status: status('loading', s, 0, { startPending: true }) });
    expect(byId(el, 'start-button')!.hasAttribute('disabled')).toBe(true);
    expect(byId(el, 'start-button')!.textContent).toBe('Starting…');

    worker.emit({ type: 'status', status: status('ready', s) });
    // Beside Start, the hands-on panels ask for their views once there are models (handsOnPanels.test.tsx).
    expect(worker.types().filter((t) => t !== 'probe' && t !== 'watchWeights')).toEqual(['init', 'start']);
    expect(byId(el, 'dataset-progress')).toBeNull();
    expect(byId(el, 'backend-badge')!.textContent).toContain('webgpu');
    expect(byId(el, 'fallback-banner')).toBeNull();

    worker.emit({ type: 'status', status: status('running', s, 3) });
    worker.emit({
      type: 'metrics',
      runs: {
        importance: { steps: steps(0, 12, 'auto', false), evals: [], snapshot: null },
        uniform: { steps: steps(0, 11, 'auto', false), evals: [], snapshot: null },
      },
    });
    expect(byId(el, 'run-step-importance')!.textContent).toBe('12');
    expect(byId(el, 'run-step-uniform')!.textContent).toBe('11');
    expect(byId(el, 'engine-mode')!.textContent).toBe('auto · inactive');
    expect(byId(el, 'chart-tau')!.getAttribute('data-points')).toBe('12');
    expect(byId(el, 'start-button')!.hasAttribute('disabled')).toBe(true);

    click(byId(el, 'pause-button'));
    expect(worker.sent.at(-1)).toEqual({ type: 'pause' });
  });

  it('the mode toggle is live: sends an update, presses the button, and shows what the engine reports', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({ type: 'status', status: status('running', s) });
    click(byId(el, 'mode-importance'));
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { mode: 'importance' } });
    expect(byId(el, 'mode-importance')!.getAttribute('aria-pressed')).toBe('true');
    expect(byId(el, 'mode-auto')!.getAttribute('aria-pressed')).toBe('false');
    expect(new URLSearchParams(window.location.search).get('mode')).toBe('importance');
    worker.emit({
      type: 'metrics',
      runs: { importance: { steps: steps(0, 4, 'importance', true), evals: [], snapshot: null } },
    });
    expect(byId(el, 'engine-mode')!.textContent).toBe('importance · active');
  });

  it('a non-live change is sent as an update; invalid input is refused with a message', () => {
    const el = renderApp();
    worker.emit({ type: 'status', status: status('ready', defaultSettings()) });
    const select = byId(el, 'setting-model') as HTMLSelectElement;
    act(() => {
      select.value = 'mlp';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { model: 'mlp' } });

    const input = byId(el, 'setting-batchSize') as HTMLInputElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    act(() => {
      setValue.call(input, '0');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    act(() => {
      input.focus();
      input.blur();
    });
    expect(worker.sent.filter((c) => c.type === 'update' && 'batchSize' in c.change)).toEqual([]);
    expect(input.value).toBe(String(defaultSettings().batchSize));

    act(() => {
      setValue.call(input, '64');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { batchSize: 64 } });
  });

  it('shows errors and fallbacks as text; after a failed load a new dataset re-inits the engine', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({
      type: 'status',
      status: status('loading', s, 0, {
        backend: { name: 'webgl', adapter: '', fallbackReasons: ['no WebGPU adapter <b>here</b>'] },
      }),
    });
    expect(byId(el, 'fallback-banner')!.textContent).toContain('no WebGPU adapter <b>here</b>');
    expect(byId(el, 'backend-badge')!.textContent).toContain('webgl');
    worker.emit({ type: 'error', fatal: false, message: 'mnist-train-images.bin.gz: checksum mismatch <img src=x>' });
    worker.emit({ type: 'status', status: status('idle', s, 0, { dataset: null, runs: {} }) });
    expect(byId(el, 'error-banner')!.textContent).toContain('mnist-train-images.bin.gz');
    expect(el.querySelector('img, b')).toBeNull();

    const select = byId(el, 'setting-dataset') as HTMLSelectElement;
    act(() => {
      select.value = 'fashion-mnist';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(worker.sent.at(-1)).toMatchObject({ type: 'init', settings: { dataset: 'fashion-mnist' } });
  });

  it('when the engine refuses a change it keeps its settings, and the page follows them', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({ type: 'status', status: status('ready', s) });
    const select = byId(el, 'setting-dataset') as HTMLSelectElement;
    act(() => {
      select.value = 'fashion-mnist';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { dataset: 'fashion-mnist' } });
    expect(new URLSearchParams(window.location.search).get('dataset')).toBe('fashion-mnist');
    worker.emit({ type: 'error', fatal: false, message: 'fashion-mnist-train-images.bin.gz: truncated' });
    worker.emit({ type: 'status', status: status('ready', s) });
    expect((byId(el, 'setting-dataset') as HTMLSelectElement).value).toBe('mnist');
    expect(new URLSearchParams(window.location.search).get('dataset')).toBe('mnist');
    expect(byId(el, 'error-banner')!.textContent).toContain('fashion-mnist-train-images.bin.gz');
  });

  it('reset clears the charts when the engine says the race ended', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({ type: 'status', status: status('running', s, 20) });
    worker.emit({
      type: 'metrics',
      runs: { importance: { steps: steps(0, 20, 'auto', false), evals: [], snapshot: null } },
    });
    expect(byId(el, 'chart-tau')!.getAttribute('data-points')).toBe('20');
    click(byId(el, 'reset-button'));
    expect(worker.sent.at(-1)).toEqual({ type: 'reset' });
    // The engine flushes the old run's last points, says the race ended, then reports step 0.
    worker.emit({
      type: 'metrics',
      runs: { importance: { steps: steps(20, 22, 'auto', false), evals: [], snapshot: null } },
    });
    expect(byId(el, 'chart-tau')!.getAttribute('data-points')).toBe('22');
    worker.emit({ type: 'raceEnded', reason: 'reset' });
    expect(byId(el, 'chart-tau')!.getAttribute('data-points')).toBe('0');
    worker.emit({ type: 'status', status: status('ready', s, 0) });
    expect(byId(el, 'run-step-importance')!.textContent).toBe('0');
  });

  it('settings the engine fitted to the data replace the link’s, in the controls and the address bar', () => {
    const el = renderApp('?dataset=synthetic-shapes&trainCap=0&evalSize=10000');
    const init = worker.sent.find((c) => c.type === 'init');
    const asked = (init as { settings: Settings }).settings;
    expect(asked.evalSize).toBe(10000);
    worker.emit({ type: 'status', status: status('loading', asked) });
    // A notice without `adjusted` changes nothing: the engine's settings are not taken.
    worker.emit({ type: 'notice', level: 'info', message: 'Blocks of 1 step instead of 8.' });
    worker.emit({ type: 'status', status: status('ready', { ...asked, evalSize: 5000 }) });
    expect((byId(el, 'setting-evalSize') as HTMLInputElement).value).toBe('10000');
    const message = 'Setting "evalSize" (Evaluation subset size): lowered from 10000 to 6000, because the training set holds 6000 samples with these settings (dataset, trainCap, imbalance).';
    worker.emit({ type: 'notice', level: 'warning', message, adjusted: ['evalSize'] });
    worker.emit({ type: 'status', status: status('ready', { ...asked, evalSize: 6000 }) });
    expect((byId(el, 'setting-evalSize') as HTMLInputElement).value).toBe('6000');
    expect(new URLSearchParams(window.location.search).get('evalSize')).toBe('6000');
    expect(el.textContent).toContain(message);
  });

  it('a restarting change the engine refuses leaves the race and its charts as they are (the engine alone decides a restart)', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({ type: 'status', status: status('running', s, 20) });
    worker.emit({
      type: 'metrics',
      runs: { importance: { steps: steps(0, 20, 'auto', false), evals: [], snapshot: null } },
    });
    const select = byId(el, 'setting-model') as HTMLSelectElement;
    act(() => {
      select.value = 'cnn-small';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { model: 'cnn-small' } });
    // As the engine refuses it (e.g. too much work for one step): an error, and its settings as they were.
    worker.emit({ type: 'error', fatal: false, message: 'Too much work for one step: choose a smaller model.' });
    worker.emit({ type: 'status', status: status('running', s, 21) });
    expect(byId(el, 'chart-tau')!.getAttribute('data-points')).toBe('20');
    expect((byId(el, 'setting-model') as HTMLSelectElement).value).toBe(s.model);
    worker.emit({
      type: 'metrics',
      runs: { importance: { steps: steps(20, 24, 'auto', false), evals: [], snapshot: null } },
    });
    expect(byId(el, 'chart-tau')!.getAttribute('data-points')).toBe('24');
  });

  it('a worker that fails to load shows a fatal error with a restart button', () => {
    const el = renderApp();
    const first = worker;
    act(() => first.onerror?.(new ErrorEvent('error', { message: 'Failed to fetch worker' })));
    expect(byId(el, 'error-banner')!.textContent).toContain('Failed to fetch worker');
    const restart = Array.from(el.querySelectorAll('button')).find((b) => b.textContent === 'Restart engine');
    worker = new FakeWorker();
    click(restart ?? null);
    expect(first.terminated).toBe(true);
    expect(worker.types()).toEqual(['init']);
  });
});
