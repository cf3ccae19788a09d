// Helpers for the engine tests: a tiny seeded dataset (no files), an engine wired to it with
// every event recorded, and small settings that keep a step in the milliseconds on the CPU.
import { prepareDataset, type Dataset, type PreparedDataset } from '../../src/data';
import { createRng } from '../../src/is/rng';
import { Engine, type EngineOptions } from '../../src/engine/page/engine';
import type { EngineEvent, EngineStatus, RunId, StepPoint, EvalPoint } from '../../src/contract/protocol';
import { defaultSettings, type Settings } from '../../src/contract/settings';

export interface TinyOptions {
  train?: number;
  test?: number;
  size?: number;
  classes?: number;
}

/**
 * Class c is a bright horizontal bar at row 2c (mod size) over uniform noise; every 4th
 * sample of a class has a dimmer bar (harder). Deterministic in the seed.
 */
export function tinyDataset(seed: number, o: TinyOptions = {}): Dataset {
  const size = o.size ?? 8;
  const classes = o.classes ?? 4;
  const rng = createRng(seed);
  const split = (count: number) => {
    const px = size * size;
    const images = new Uint8Array(count * px);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const c = i % classes;
      labels[i] = c;
      const bar = (2 * c) % size;
      const strength = i % (4 * classes) < classes ? 90 : 200;
      for (let p = 0; p < px; p++) {
        const row = Math.floor(p / size);
        images[i * px + p] = Math.min(255, Math.floor(rng.next() * 60) + (row === bar ? strength : 0));
      }
    }
    return { count, images, labels };
  };
  return {
    name: 'synthetic-shapes',
    title: 'tiny bars (test)',
    imageShape: [size, size, 1],
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, c) => `bar ${c}`),
    train: split(o.train ?? 400),
    test: split(o.test ?? 120),
    description: 'test data',
  };
}

export function tinyLoader(o: TinyOptions = {}): EngineOptions['loadData'] {
  return async (s, onProgress) => {
    onProgress({ loaded: 1, total: 1, percent: 100, file: 'tiny' });
    return prepareDataset(tinyDataset(s.seed, o), s) as PreparedDataset;
  };
}

/** Small and fast: MLP on 8×8 images, b = 8, B = 24, evaluation every 10 steps. */
export function tinySettings(change: Partial<Settings> = {}): Settings {
  return {
    ...defaultSettings(),
    dataset: 'synthetic-shapes',
    trainCap: 0,
    model: 'mlp',
    optimizer: 'adam',
    learningRate: 0.01,
    batchSize: 8,
    presampleFactor: 3,
    mode: 'auto',
    // The engine tests exercise the paper's presampling unless they say otherwise (the page's default is the score table).
    sampler: 'presample',
    evalInterval: 10,
    evalSize: 64,
    seed: 7,
    ...change,
  };
}

export interface Harness {
  engine: Engine;
  events: EngineEvent[];
  of<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[];
  /** All step points of a run, in order, from the metrics events so far. */
  steps(run: RunId): StepPoint[];
  evals(run: RunId): EvalPoint[];
  status(): EngineStatus;
  clear(): void;
}

export function harness(options: EngineOptions = {}): Harness {
  const events: EngineEvent[] = [];
  const engine = new Engine((e) => events.push(e), {
    backendOrder: ['cpu'],
    loadData: tinyLoader(),
    ...options,
  });
  const of = <T extends EngineEvent['type']>(type: T) => events.filter((e) => e.type === type) as Extract<EngineEvent, { type: T }>[];
  return {
    engine,
    events,
    of,
    steps: (run) => of('metrics').flatMap((m) => m.runs[run]?.steps ?? []),
    evals: (run) => of('metrics').flatMap((m) => m.runs[run]?.evals ?? []),
    status: () => engine.getStatus(),
    clear: () => {
      events.length = 0;
    },
  };
}

/** Polls until `done()` or the timeout. */
export async function waitUntil(done: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!done()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts, waits until the importance run has made `steps` steps, pauses. */
export async function runFor(h: Harness, steps: number, timeoutMs = 60_000): Promise<void> {
  await h.engine.handle({ type: 'start' });
  await waitUntil(() => (h.status().runs.importance?.step ?? 0) >= steps || h.status().state !== 'running', timeoutMs, `${steps} steps`);
  await h.engine.handle({ type: 'pause' });
  await h.engine.whenIdle();
}
