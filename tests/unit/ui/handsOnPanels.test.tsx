// @vitest-environment jsdom
// The hands-on panels on the page against a fake worker: what they ask the engine for and
// when, what they show of its answers (and which answers they drop), and a kept model's two
// files downloaded.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineCommand, EngineStatus, FirstLayerView, ProbePrediction } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { App } from '../../../src/ui/App';
import { ChartWidthContext } from '../../../src/ui/charts/common';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker } from '../../support/uiFakes';

const CLASSES = ['circle', 'square', 'bar', 'cross'];

function status(state: EngineStatus['state'], settings: Settings, dataset = 'synthetic-shapes'): EngineStatus {
  return {
    state,
    backend: { name: 'cpu', adapter: '', fallbackReasons: [] },
    dataset: { name: dataset, trainCount: 400, testCount: 120, imageShape: [28, 28, 1], classNames: CLASSES, flippedCount: 0 },
    model: { name: 'mlp', parameters: 1000 },
    settings,
    costs: { scoreMs: null, stepMs: null, measuredTauThreshold: null },
    tauThresholdInForce: 2,
    tensors: 1,
    bytes: 1,
    runs: {
      importance: { step: 0, samplesSeen: 0, clockMs: 0, stepsPerSecond: 0, haltedReason: null },
      uniform: { step: 0, samplesSeen: 0, clockMs: 0, stepsPerSecond: 0, haltedReason: null },
    },
  };
}

const page = new TestHost();
let worker: FakeWorker;
beforeEach(() => {
  worker = freshWorker();
});
afterEach(() => {
  page.cleanup();
  vi.restoreAllMocks();
});

function renderReady(dataset = 'synthetic-shapes'): { el: HTMLDivElement; settings: Settings } {
  const settings = { ...defaultSettings(), dataset: dataset as Settings['dataset'] };
  const el = page.render(
    <ChartWidthContext.Provider value={500}>
      <ChartRefreshContext.Provider value={0}>
        <App workerFactory={() => worker} initialQuery={`?dataset=${dataset}`} />
      </ChartRefreshContext.Provider>
    </ChartWidthContext.Provider>,
  );
  worker.emit({ type: 'status', status: status('ready', settings, dataset) });
  return { el, settings };
}

const sentOf = <T extends EngineCommand['type']>(type: T) => worker.sent.filter((c) => c.type === type) as Extract<EngineCommand, { type: T }>[];
const click = (el: HTMLElement | null) => {
  expect(el).not.toBeNull();
  act(() => el!.click());
};

function answer(requestId: number, importance: number[], uniform: number[], step = 4): ProbePrediction {
  return {
    requestId,
    input: { kind: 'test', index: 0, label: 2, pixels: new Uint8Array(784).fill(200) },
    runs: { importance: { step, probabilities: importance }, uniform: { step, probabilities: uniform } },
  };
}

describe('try the models', () => {
  it('asks for test image 0 once there are models, shows both runs’ answers, and drops answers to a replaced picture', () => {
    const { el } = renderReady();
    expect(byId(el, 'probe-source-draw')).toBeNull(); // no drawing on the synthetic set
    const [first] = sentOf('probe');
    expect(first).toMatchObject({ input: { kind: 'test', index: 0 } });
    worker.emit({ type: 'prediction', prediction: answer(first.requestId, [0.1, 0.2, 0.6, 0.1], [0.25, 0.25, 0.25, 0.25]) });
    const bars = byId(el, 'probabilities')!;
    expect(bars.getAttribute('data-probs-importance')).toBe('0.1,0.2,0.6,0.1');
    expect(bars.getAttribute('data-probs-uniform')).toBe('0.25,0.25,0.25,0.25');
    expect(bars.getAttribute('data-step-importance')).toBe('4');
    expect(byId(el, 'test-image-caption')!.textContent).toContain('true class bar');

    click(byId(el, 'test-next'));
    const next = sentOf('probe').at(-1)!;
    expect(next.input).toEqual({ kind: 'test', index: 1 });
    expect(next.requestId).toBeGreaterThan(first.requestId);
    // A late answer to image 0 is not shown as image 1's.
    worker.emit({ type: 'prediction', prediction: answer(first.requestId, [1, 0, 0, 0], [1, 0, 0, 0]) });
    expect(byId(el, 'probabilities')!.getAttribute('data-state')).toBe('waiting');
    click(byId(el, 'test-prev'));
    expect(sentOf('probe').at(-1)!.input).toEqual({ kind: 'test', index: 0 });
    click(byId(el, 'test-prev'));
    expect(sentOf('probe').at(-1)!.input).toEqual({ kind: 'test', index: 119 }); // wraps to the last of 120
  });

  it('MNIST opens on the drawing: nothing to classify until something is drawn', () => {
    const { el } = renderReady('mnist');
    expect(byId(el, 'probe-source-draw')!.getAttribute('aria-pressed')).toBe('true');
    expect(byId(el, 'draw-canvas')).not.toBeNull();
    expect(sentOf('probe').at(-1)!.input).toBeNull();
    click(byId(el, 'probe-source-test'));
    expect(sentOf('probe').at(-1)!.input).toEqual({ kind: 'test', index: 0 });
  });
});

describe('what each run learned, and keeping a model', () => {
  it('watches the weights once there are models and draws both runs’ views with their steps', () => {
    const { el } = renderReady();
    expect(sentOf('watchWeights').at(-1)).toEqual({ type: 'watchWeights', on: true, view: 'change' });
    const v: FirstLayerView = { kind: 'dense', view: 'change', step: 25, units: 128, shown: 16, height: 28, width: 28, values: new Int8Array(16 * 784), scales: new Array(16).fill(0.01) };
    worker.emit({ type: 'firstLayer', runs: { importance: v, uniform: { ...v, step: 25 } } });
    expect(byId(el, 'first-layer-importance')!.getAttribute('data-state')).toBe('shown');
    expect(byId(el, 'first-layer-uniform')!.getAttribute('data-step')).toBe('25');
    expect(byId(el, 'first-layer')!.textContent).toContain('The first 16 of the 128 units of the first dense layer, each a 28 × 28 map over the input pixels: how much training changed each weight since step 0');
    click(byId(el, 'first-layer-view-weights'));
    expect(sentOf('watchWeights').at(-1)).toEqual({ type: 'watchWeights', on: true, view: 'weights' });
  });

  it('Keep a model asks for the run’s files and downloads both, keeping links to them', () => {
    const { el } = renderReady();
    const urls: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:test/${urls.push('x')}`);
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });
    click(byId(el, 'keep-model-uniform'));
    const [request] = sentOf('exportModel');
    expect(request).toMatchObject({ run: 'uniform' });
    expect(byId(el, 'keep-model-importance')!.hasAttribute('disabled')).toBe(true); // one at a time
    worker.emit({
      type: 'modelFiles',
      requestId: request.requestId,
      run: 'uniform',
      files: { modelJson: '{}', jsonFileName: 'm.json', weightsFileName: 'm.weights.bin', weights: new ArrayBuffer(8) },
    });
    expect(downloads).toEqual(['m.json', 'm.weights.bin']);
    expect(byId(el, 'kept-files')!.textContent).toContain('m.weights.bin');
    expect(byId(el, 'keep-model-importance')!.hasAttribute('disabled')).toBe(false);
  });

  it('a failed export frees the buttons (its message is on the error banner)', () => {
    const { el } = renderReady();
    click(byId(el, 'keep-model-importance'));
    worker.emit({ type: 'error', fatal: false, message: 'Cannot keep the importance run’s model: …' });
    expect(byId(el, 'keep-model-importance')!.hasAttribute('disabled')).toBe(false);
    expect(byId(el, 'error-banner')!.textContent).toContain('Cannot keep');
  });
});
