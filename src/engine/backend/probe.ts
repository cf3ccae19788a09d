// Which backend trains this model fastest here, measured (docs/method.md §7): where WebGPU
// has no hardware adapter (none at all, or only a software fallback such as SwiftShader),
// one training step of the chosen model and batch size is timed on each other backend
// (WebAssembly, WebGL, the CPU) on a synthetic batch, and the fastest wins. A software WebGPU
// adapter is not probed: compiling its kernels alone takes longer than the first chart point
// may (measured: ~12 s for the tiny CNN on SwiftShader).
import * as tf from '@tensorflow/tfjs';
import { buildModel, type ModelName } from '../../models';
import type { BackendName } from './select';
import { registerRowGather } from './rowGather';
import { startWasm } from './wasm';
import { errorText } from '../core/faults';

export interface ProbeSpec {
  model: ModelName;
  inputShape: [number, number, number];
  numClasses: number;
  batchSize: number;
  /**
   * A probe slower than this is abandoned as "too slow" (ms). Only asynchronous backends
   * (WebGL, WebGPU) can be abandoned: the CPU and WASM backends' steps block until they are done.
   */
  capMs?: number;
  /** Timed steps after the untimed first one; the fastest counts (default 1). More resist a busy machine's spikes. */
  timedSteps?: number;
}

export interface ProbeResult {
  name: BackendName;
  /** ms of the timed step (the fastest after the first, which compiles), or null when it failed or was too slow. */
  ms: number | null;
  note?: string;
}

export const DEFAULT_PROBE_CAP_MS = 4000;

/** The fastest of spec.timedSteps training steps (after an untimed one) on the active backend; each ends with a read. */
async function timeStep(spec: ProbeSpec, now: () => number): Promise<number> {
  const model = buildModel(spec.model, { inputShape: spec.inputShape, numClasses: spec.numClasses, seed: 1 });
  const optimizer = tf.train.sgd(1e-3);
  const [h, w, c] = spec.inputShape;
  const x = tf.randomUniform([spec.batchSize, h, w, c], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.zeros([spec.batchSize], 'int32') as tf.Tensor1D, spec.numClasses).toFloat());
  try {
    let ms = Infinity;
    const timed = Math.max(1, Math.floor(spec.timedSteps ?? 1));
    for (let k = 0; k <= timed; k++) {
      const t0 = now();
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      await cost?.data();
      cost?.dispose();
      const dt = now() - t0;
      if (k > 0) ms = Math.min(ms, dt);
    }
    return ms;
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** Makes `name` the active backend; WASM is started (and its missing kernel registered) on first use. */
async function activate(name: BackendName): Promise<boolean> {
  if (name === 'wasm') {
    await startWasm();
    return true;
  }
  // The CPU backend is timed with the row gather it trains with (backend/rowGather.ts).
  if (name === 'cpu') registerRowGather('cpu');
  return Boolean(tf.findBackendFactory(name)) && (await tf.setBackend(name));
}

/**
 * Times one step on each candidate backend (switching tfjs's active backend), in order. A
 * candidate that fails to start, fails the step or exceeds the cap gets ms = null with why.
 * Leaves the last probed backend active: the caller sets the one it picks.
 */
export async function probeBackends(candidates: readonly BackendName[], spec: ProbeSpec, now: () => number = () => performance.now()): Promise<ProbeResult[]> {
  const cap = spec.capMs ?? DEFAULT_PROBE_CAP_MS;
  const out: ProbeResult[] = [];
  for (const name of candidates) {
    try {
      if (!(await activate(name))) {
        out.push({ name, ms: null, note: 'unavailable' });
        continue;
      }
      await tf.ready();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tooSlow = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), cap)));
      const ms = await Promise.race([timeStep(spec, now), tooSlow]);
      clearTimeout(timer);
      out.push(ms === null ? { name, ms: null, note: `slower than ${(cap / 1000).toFixed(0)} s` } : { name, ms });
    } catch (e) {
      out.push({ name, ms: null, note: errorText(e) });
    }
  }
  return out;
}

/** The fastest measured backend, or null when none completed. */
export function fastest(results: readonly ProbeResult[]): ProbeResult | null {
  let best: ProbeResult | null = null;
  for (const r of results) if (r.ms !== null && (best === null || r.ms < best.ms!)) best = r;
  return best;
}

/** "wasm 25 ms, webgl 950 ms, cpu not timed (…)" for the notice. */
export function describeProbe(results: readonly ProbeResult[]): string {
  return results.map((r) => (r.ms !== null ? `${r.name} ${Math.round(r.ms)} ms` : `${r.name} ${r.note ?? 'failed'}`)).join(', ');
}
