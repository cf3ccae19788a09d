// @vitest-environment jsdom
// The page's run history, repeat and keyboard against a fake worker and an in-memory
// IndexedDB (fake-indexeddb): what a user does (Reset, a budget running out, a reload, keys)
// and what the page keeps and sends.
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineStatus, EvalPoint, StepPoint } from '../../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../../src/contract/settings';
import { App } from '../../../src/ui/App';
import { openRunHistory } from '../../../src/ui/history/historyStore';
import { recordOfRace, type HistoryRecord } from '../../../src/ui/history/record';
import { ChartWidthContext } from '../../../src/ui/charts/common';
import { ChartRefreshContext } from '../../../src/ui/charts/throttle';
import { TestHost, byId } from '../../support/reactHost';
import { FakeWorker, freshWorker } from '../../support/uiFakes';

function status(state: EngineStatus['state'], settings: Settings): EngineStatus {
  return {
    state,
    backend: { name: 'cpu', adapter: 'JavaScript on the CPU', fallbackReasons: [] },
    dataset: { name: 'mnist', trainCount: 5000, testCount: 2000, imageShape: [28, 28, 1], classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], flippedCount: 0 },
    model: { name: 'mlp', parameters: 100 },
    settings,
    costs: { scoreMs: null, stepMs: null, measuredTauThreshold: null },
    tauThresholdInForce: 1.05,
    tensors: 1,
    bytes: 1,
    runs: {},
  };
}

const stepAt = (s: number): StepPoint => ({ step: s, samplesSeen: 32 * s, clockMs: 10 * s, batchLoss: 1, mode: 'auto', importanceActive: false, tauRaw: 1.2, tauSmoothed: 1.2, tauThreshold: 1.05 });
const evalAt = (s: number, loss: number): EvalPoint => ({ step: s, samplesSeen: 32 * s, clockMs: 10 * s, trainLoss: loss, testLoss: loss, testAccuracy: 0.8 });

const page = new TestHost();
let worker: FakeWorker;
let db: IDBFactory;

beforeEach(() => {
  worker = freshWorker();
  db = new IDBFactory();
});
afterEach(() => {
  page.cleanup();
  vi.restoreAllMocks();
  localStorage.clear();
});

function renderApp(query = ''): HTMLDivElement {
  return page.render(
    <ChartWidthContext.Provider value={500}>
      <ChartRefreshContext.Provider value={0}>
        <App workerFactory={() => worker} initialQuery={query} historyDb={db} />
      </ChartRefreshContext.Provider>
    </ChartWidthContext.Provider>,
  );
}

/** Lets IndexedDB callbacks and React updates run until `ok()` holds (fails after ~2 s). */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await act(() => new Promise((r) => setTimeout(r, 10)));
  expect(ok(), what).toBe(true);
}

const items = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>('[data-testid="history-item"]')];

function race(settings: Settings, lossImportance: number, lossUniform: number) {
  worker.emit({ type: 'status', status: status('running', settings) });
  worker.emit({
    type: 'metrics',
    runs: {
      importance: { steps: [stepAt(1), stepAt(2)], evals: [evalAt(2, lossImportance)], snapshot: null },
      uniform: { steps: [stepAt(1), stepAt(2)], evals: [evalAt(2, lossUniform)], snapshot: null },
    },
  });
}

function press(key: string, target: EventTarget = window) {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  });
}

describe('the run history on the page', () => {
  it('keeps the race at Reset, shows it after a reload, and removes it', async () => {
    let el = renderApp();
    await until(() => byId(el, 'history') !== null && !el.textContent!.includes('Reading the history'), 'history loaded');
    expect(items(el)).toHaveLength(0);
    race(defaultSettings(), 0.25, 0.5);
    act(() => byId(el, 'reset-button')!.click());
    expect(worker.sent.at(-1)).toEqual({ type: 'reset' });
    worker.emit({ type: 'raceEnded', reason: 'reset' }); // as the engine does
    await until(() => items(el).length === 1, 'one race in the history after Reset');
    expect(items(el)[0].textContent).toContain('importance 0.250');
    expect(items(el)[0].textContent).toContain('uniform 0.500');
    expect(byId(el, 'history-problem')).toBeNull();

    // A reload: a new page on the same IndexedDB.
    page.cleanup();
    worker = freshWorker();
    el = renderApp();
    await until(() => items(el).length === 1, 'the race is still there after a reload');
    act(() => (items(el)[0].querySelector('button') as HTMLButtonElement).click());
    await until(() => items(el).length === 0, 'removed');
  });

  it('saves a race whose budget ran out as finished, once, and a restart by a setting as another race', async () => {
    const el = renderApp('?budgetUnit=epochs&budget=1');
    await until(() => byId(el, 'history') !== null, 'panel');
    race({ ...defaultSettings(), budgetUnit: 'epochs', budget: 1 }, 0.2, 0.4);
    worker.emit({ type: 'finished', message: 'Budget of 1 epoch reached' });
    await until(() => items(el).length === 1, 'finished race kept');
    expect(items(el)[0].textContent).toContain('budget reached');
    // Reset after it replaces the same record, it does not add one.
    act(() => byId(el, 'reset-button')!.click());
    worker.emit({ type: 'raceEnded', reason: 'reset' });
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(items(el)).toHaveLength(1);
    // A new race, ended by a setting that restarts it (the seed).
    race({ ...defaultSettings(), budgetUnit: 'epochs', budget: 1 }, 0.3, 0.3);
    const seed = byId(el, 'setting-seed') as HTMLInputElement;
    act(() => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      set.call(seed, '7');
      seed.dispatchEvent(new Event('input', { bubbles: true }));
      seed.dispatchEvent(new Event('change', { bubbles: true }));
      seed.dispatchEvent(new Event('blur', { bubbles: true }));
    });
    await until(() => worker.sent.some((c) => c.type === 'update' && c.change.seed === 7), 'the new seed sent (after the field’s pause)');
    worker.emit({ type: 'raceEnded', reason: 'restart' }); // as the engine does, after the old race's points
    await until(() => items(el).length === 2, 'restarted race kept');
  });

  it('a corrupt entry planted in IndexedDB shows a notice, the good ones still list, and it can be removed', async () => {
    const el1 = renderApp();
    race(defaultSettings(), 0.1, 0.2);
    act(() => byId(el1, 'reset-button')!.click());
    worker.emit({ type: 'raceEnded', reason: 'reset' });
    await until(() => items(el1).length === 1, 'kept');
    await new Promise<void>((resolve, reject) => {
      const req = db.open('is-playground');
      req.onsuccess = () => {
        const tx = req.result.transaction('runs', 'readwrite');
        tx.objectStore('runs').put({ version: 1, id: 'broken', savedAt: 5, settings: 'garbage' }, 'broken');
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    page.cleanup();
    worker = freshWorker();
    const el = renderApp();
    await until(() => byId(el, 'history-skipped') !== null, 'notice for the corrupt entry');
    expect(byId(el, 'history-skipped')!.textContent).toContain('no settings');
    expect(items(el)).toHaveLength(1);
    expect(byId(el, 'chart-loss')).not.toBeNull();
    act(() => byId(el, 'history-drop-skipped')!.click());
    await until(() => byId(el, 'history-skipped') === null, 'notice gone once removed');
  });

  it('refuses a repeat without a budget, and with one races seed 1, then seed 2 after the first budget', async () => {
    const el = renderApp();
    act(() => byId(el, 'repeat-start')!.click());
    expect(byId(el, 'repeat')!.textContent).toContain('set a Budget');
    page.cleanup();

    worker = freshWorker();
    const el2 = renderApp('?budgetUnit=seconds&budget=5&seed=4');
    const s = { ...defaultSettings(), budgetUnit: 'seconds' as const, budget: 5, seed: 4 };
    worker.emit({ type: 'status', status: status('ready', s) });
    const seeds = byId(el2, 'repeat-seeds') as HTMLInputElement;
    act(() => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      set.call(seeds, '2');
      seeds.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => byId(el2, 'repeat-start')!.click());
    expect(worker.sent.slice(-2)).toEqual([{ type: 'update', change: { seed: 1 } }, { type: 'start' }]);
    expect(byId(el2, 'repeat-status')!.textContent).toContain('seed 1 (1 of 2)');
    race({ ...s, seed: 1 }, 0.3, 0.4);
    // As the engine does: the race pauses, then says it finished.
    worker.emit({ type: 'status', status: status('paused', { ...s, seed: 1 }) });
    worker.emit({ type: 'finished', message: 'done' });
    await until(() => worker.sent.some((c) => c.type === 'update' && c.change.seed === 2), 'seed 2 sent');
    expect(worker.sent.at(-1)).toEqual({ type: 'start' });
    worker.emit({ type: 'raceEnded', reason: 'restart' }); // the engine restarts for the new seed
    race({ ...s, seed: 2 }, 0.35, 0.45);
    worker.emit({ type: 'status', status: status('paused', { ...s, seed: 2 }) });
    worker.emit({ type: 'finished', message: 'done' });
    await until(() => items(el2).length === 2 && byId(el2, 'repeat-status') === null, 'both seeds kept, repeat over');
    // Both are overlaid once the repeat is over.
    const boxes = [...el2.querySelectorAll<HTMLInputElement>('[data-testid="history-overlay"]')];
    expect(boxes.map((b) => b.checked)).toEqual([true, true]);
  });
});

// ---- races that must not be lost ----------------------------------------------------------

const LIMIT_KEY = 'is-playground.historyLimit';

/** A stored race, as another tab (or an earlier visit) saved it. */
function storedRace(id: string, savedAt: number): HistoryRecord {
  return recordOfRace(
    {
      id,
      runs: { importance: { steps: [stepAt(1)], evals: [evalAt(1, 0.5)] }, uniform: { steps: [stepAt(1)], evals: [evalAt(1, 0.6)] } },
      settings: defaultSettings(),
      backend: 'cpu',
      device: null,
      finished: false,
    },
    'reset',
    savedAt,
  )!;
}

async function storedIds(): Promise<string[]> {
  const { store } = await openRunHistory(db);
  return (await store.list()).records.map((r) => r.id);
}

/** Makes the fake IndexedDB refuse puts as a full disk does, while `full()` says so. */
function quotaWhile(full: () => boolean): void {
  const put = IDBObjectStore.prototype.put;
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    if (full()) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  });
}

describe('races the history must not lose', () => {
  it('re-reads the history size at every save: another tab that keeps 200 is not cut to the 20 this tab read', async () => {
    const el = renderApp();
    await until(() => byId(el, 'history') !== null && !el.textContent!.includes('Reading the history'), 'history loaded');
    expect(byId(el, 'history')!.textContent).toContain('of 20 kept');
    // Meanwhile, in another tab: keep 200, and 50 races saved there.
    localStorage.setItem(LIMIT_KEY, '200');
    const { store } = await openRunHistory(db);
    for (let i = 0; i < 50; i++) await store.put(storedRace(`other-${i}`, 1000 + i), 200);
    race(defaultSettings(), 0.25, 0.5);
    act(() => byId(el, 'reset-button')!.click());
    worker.emit({ type: 'raceEnded', reason: 'reset' }); // as the engine does
    await until(() => items(el).length === 51, 'all 51 races listed after one save here');
    expect(await storedIds()).toHaveLength(51);
    expect(byId(el, 'history')!.textContent).toContain('of 200 kept');
  });

  it('follows a limit another tab sets (the storage event)', async () => {
    const el = renderApp();
    await until(() => byId(el, 'history') !== null, 'panel');
    localStorage.setItem(LIMIT_KEY, '75');
    act(() => window.dispatchEvent(new StorageEvent('storage', { key: LIMIT_KEY, newValue: '75', storageArea: localStorage })));
    expect(byId(el, 'history')!.textContent).toContain('of 75 kept');
    expect((byId(el, 'history-limit') as HTMLInputElement).value).toBe('75');
  });

  it('saves the race in flight when the page is hidden for good (pagehide: reload, close, navigation)', async () => {
    let el = renderApp();
    await until(() => byId(el, 'history') !== null, 'panel');
    race(defaultSettings(), 0.3, 0.6);
    act(() => window.dispatchEvent(new Event('pagehide')));
    await until(() => items(el).length === 1, 'the race in flight is kept');
    const { store } = await openRunHistory(db);
    const [kept] = (await store.list()).records;
    expect(kept.reason).toBe('reload');
    expect(kept.runs.importance?.evals.at(-1)?.trainLoss).toBe(0.3);
    // After the reload it is there; the same race hidden twice is one record.
    act(() => window.dispatchEvent(new Event('pagehide')));
    page.cleanup();
    worker = freshWorker();
    el = renderApp();
    await until(() => items(el).length === 1, 'still one race after the reload');
  });

  it('a save refused for quota trims the oldest races and retries, and says so', async () => {
    const { store } = await openRunHistory(db);
    for (let i = 1; i <= 3; i++) await store.put(storedRace(`old-${i}`, 1000 * i), 20);
    const el = renderApp();
    await until(() => items(el).length === 3, 'three stored races');
    // The disk is full until two races are gone.
    let refusals = 2;
    quotaWhile(() => refusals-- > 0);
    race(defaultSettings(), 0.2, 0.4);
    act(() => byId(el, 'reset-button')!.click());
    worker.emit({ type: 'raceEnded', reason: 'reset' }); // as the engine does
    await until(() => items(el).length === 2 && byId(el, 'history-error') !== null, 'kept after trimming');
    const ids = await storedIds();
    expect(ids).toHaveLength(2);
    expect(ids).toContain('old-3');
    expect(ids.some((id) => id.startsWith('old-'))).toBe(true);
    expect(ids).not.toContain('old-1');
    expect(ids).not.toContain('old-2');
    expect(byId(el, 'history-error')!.textContent).toMatch(/storage is full: removed the 2 oldest races/);
  });

  it('a save that still fails keeps the race on the page, marked, and the next save stores it', async () => {
    const el = renderApp();
    await until(() => byId(el, 'history') !== null, 'panel');
    let full = true;
    quotaWhile(() => full);
    race(defaultSettings(), 0.2, 0.4);
    act(() => byId(el, 'reset-button')!.click());
    worker.emit({ type: 'raceEnded', reason: 'reset' }); // as the engine does
    await until(() => items(el).length === 1 && byId(el, 'history-error') !== null, 'the race stays listed');
    expect(items(el)[0].textContent).toContain('not saved');
    expect(byId(el, 'history-error')!.textContent).toMatch(/kept on this page/);
    expect(await storedIds()).toEqual([]);
    // The charts may draw it meanwhile.
    act(() => (items(el)[0].querySelector('[data-testid="history-overlay"]') as HTMLInputElement).click());
    expect((items(el)[0].querySelector('[data-testid="history-overlay"]') as HTMLInputElement).checked).toBe(true);
    // Room again: the next race's save stores both.
    full = false;
    race(defaultSettings(), 0.1, 0.3);
    act(() => byId(el, 'reset-button')!.click());
    worker.emit({ type: 'raceEnded', reason: 'reset' }); // as the engine does
    await until(() => items(el).length === 2 && !el.textContent!.includes('not saved'), 'both stored');
    expect(await storedIds()).toHaveLength(2);
    expect(byId(el, 'history-error')).toBeNull();
  });
});

describe('keyboard shortcuts', () => {
  it('Space starts and pauses, S steps, R resets, 1/2/3 set the mode; keys typed in a field stay there', () => {
    const el = renderApp();
    const s = defaultSettings();
    worker.emit({ type: 'status', status: status('ready', s) });
    press(' ');
    expect(worker.sent.at(-1)).toEqual({ type: 'start' });
    worker.emit({ type: 'status', status: status('running', s) });
    press(' ');
    expect(worker.sent.at(-1)).toEqual({ type: 'pause' });
    worker.emit({ type: 'status', status: status('paused', s) });
    press('s');
    expect(worker.sent.at(-1)).toEqual({ type: 'step' });
    press('R');
    expect(worker.sent.at(-1)).toEqual({ type: 'reset' });
    press('1');
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { mode: 'uniform' } });
    press('2');
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { mode: 'importance' } });
    press('3');
    expect(worker.sent.at(-1)).toEqual({ type: 'update', change: { mode: 'auto' } });
    expect(byId(el, 'mode-auto')!.getAttribute('aria-pressed')).toBe('true');

    const sent = worker.sent.length;
    press('s', byId(el, 'setting-seed')!);
    press('1', byId(el, 'setting-learningRate')!);
    expect(worker.sent.length).toBe(sent);

    expect(byId(el, 'shortcuts-help')).toBeNull();
    press('?');
    const help = byId(el, 'shortcuts-help')!;
    for (const k of ['Space', 'S', 'R', '1', '2', '3']) expect(help.textContent).toContain(k);
    act(() => byId(el, 'shortcuts-button')!.click());
    expect(byId(el, 'shortcuts-help')).toBeNull();
  });
});
