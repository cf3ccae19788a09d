// Defaults that fit the machine: the page starts from the tiny CNN wherever it trains fast
// enough, and from the MLP elsewhere, saying why. Only a setting the link leaves out is chosen
// this way; a share link carries every setting, so it reproduces exactly. On the tiny CNN a
// link that names none of the experiment's settings gets the paper's method preset: the
// samplers benchmark measured presampling paying there (1.9-20× at equal time on MNIST, τ_th
// measured), where the score table, the MLP's default, scattered by seed (BENCHMARKS.md, A).
//
// Where the measurement lives: with a hardware WebGPU adapter the tiny CNN is fast (no
// measurement). Without one the engine, choosing the backend (backend=auto), times one
// training step on each backend and then one step of the tiny CNN on the winner
// (src/engine/backend/session.ts); its status carries those times (BackendInfo.probe). The page
// starts from the MLP (the schema's default, ready at once) and, where the link left the model
// open, moves to the tiny CNN once the engine's measured step says both runs will make about
// 10 steps a second and the first chart point comes within 10 s of Start (judgeTinyCnn).
import type { BackendInfo } from '../contract/protocol';
import type { Settings } from '../contract/settings';
import { PRESETS } from './presetTable';

/** The model shown by default where it is fast enough (the schema's default, the MLP, elsewhere). */
export const GPU_DEFAULT_MODEL = 'cnn-tiny';

/** Steps a second each run should make for the tiny CNN to be the default (two runs share one worker). */
export const MIN_STEPS_PER_SECOND_PER_RUN = 10;
/** Seconds from Start to the first chart point the tiny CNN must allow. */
export const MAX_FIRST_POINT_SECONDS = 10;

/**
 * One step of a run on the page, from the engine's probe of the same step: ms ≈ PAGE_STEP_FACTOR
 * · probe + PAGE_STEP_FIXED_MS. The page adds the evaluations (every 25 steps, of 3,000 images),
 * the importance run's scores and the metrics messages. Fitted to the page on a 2-core machine
 * under load (Chromium, wasm, b = 32, both runs): MLP probe 6 ms → 19 ms a step, tiny CNN probe
 * 36 ms → 64 ms a step.
 */
export const PAGE_STEP_FACTOR = 1.5;
export const PAGE_STEP_FIXED_MS = 10;
/** Images the first evaluation (the first chart point) runs forward: the subset (default 1,000) and at most 2,000 test images. */
const TEST_EVAL_CAP = 2000;

interface AdapterFlags {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}

/** True when WebGPU offers an adapter that is not a software fallback. Never throws. */
export async function hasHardwareWebgpu(gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu): Promise<boolean> {
  if (!gpu) return false;
  try {
    const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as (GPUAdapter & AdapterFlags) | null;
    if (!adapter) return false;
    return !(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  } catch {
    return false;
  }
}

function paramsOf(query: string): URLSearchParams {
  return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
}

/** True when the query leaves the model to the defaults (so the machine may choose it). */
export function leavesModelOpen(query: string): boolean {
  return !paramsOf(query).has('model');
}

/** The experiment the page runs on the tiny CNN by default: the paper's method preset, its model aside. */
const TINY_CNN_EXPERIMENT: Partial<Settings> = Object.fromEntries(
  Object.entries(PRESETS.find((p) => p.name === 'papers-method')?.settings ?? {}).filter(([key]) => key !== 'model'),
);

/**
 * What the page changes when it starts from the tiny CNN: the model, and the paper's method
 * preset where the link names none of its settings (a link that names one keeps the schema's
 * defaults for the rest, so nothing the user chose is mixed with a preset they did not).
 */
export function tinyCnnStart(query: string): Partial<Settings> {
  const params = paramsOf(query);
  const namesAny = Object.keys(TINY_CNN_EXPERIMENT).some((key) => params.has(key));
  return { model: GPU_DEFAULT_MODEL, ...(namesAny ? {} : TINY_CNN_EXPERIMENT) };
}

/** The query with the machine's defaults added (tinyCnnStart), when the link left the model out. */
export function withMachineDefaults(query: string, hardwareGpu: boolean): string {
  if (!hardwareGpu || !leavesModelOpen(query)) return query;
  const params = paramsOf(query);
  for (const [key, value] of Object.entries(tinyCnnStart(query))) params.set(key, String(value));
  return `?${params.toString()}`;
}

/**
 * True when the page should wait for the engine's measurement to choose the model: the link
 * leaves the model open and the backend to 'auto' (a forced backend is not measured), and no
 * hardware GPU chose it already.
 */
export function awaitsMeasuredModel(query: string, hardwareGpu: boolean): boolean {
  const backend = paramsOf(query).get('backend');
  return !hardwareGpu && leavesModelOpen(query) && (backend === null || backend === 'auto');
}

export interface ModelVerdict {
  /** The model to start from. */
  model: 'cnn-tiny' | 'mlp';
  /** Why, for a notice: the measured step and what it allows. */
  message: string;
}

/**
 * The page's default model from the engine's probe: the tiny CNN when its predicted pace on the
 * page is at least MIN_STEPS_PER_SECOND_PER_RUN per run and its first chart point within
 * MAX_FIRST_POINT_SECONDS, else the MLP. Null while the probe has not timed the tiny CNN yet
 * (or timed another batch size than the page trains).
 */
export function judgeTinyCnn(backend: BackendInfo | null | undefined, settings: { batchSize: number; evalSize: number }): ModelVerdict | null {
  const probe = backend?.probe;
  if (!backend || !probe || probe.batchSize !== settings.batchSize) return null;
  const where = `${backend.name.toUpperCase()}${backend.name === 'wasm' ? ` (${backend.adapter})` : ''}`;
  if (!(GPU_DEFAULT_MODEL in probe.stepMs)) {
    if (backend.name !== 'cpu') return null;
    return { model: 'mlp', message: `Starting from the MLP: training runs on the CPU backend here, where a step of the tiny CNN takes seconds.` };
  }
  const ms = probe.stepMs[GPU_DEFAULT_MODEL];
  if (ms === null || ms === undefined) {
    return { model: 'mlp', message: `Starting from the MLP: a step of the tiny CNN did not complete in time on ${where}.` };
  }
  const pageStepMs = PAGE_STEP_FACTOR * ms + PAGE_STEP_FIXED_MS;
  const perRun = 1000 / (2 * pageStepMs);
  // The first chart point is the evaluation at step 0: a forward pass (about a third of a step) over its images.
  const firstPointSeconds = ((settings.evalSize + TEST_EVAL_CAP) / settings.batchSize) * (ms / 3) / 1000 + (2 * pageStepMs) / 1000;
  const measured = `a step of the tiny CNN took ${Math.round(ms)} ms on ${where} at b = ${settings.batchSize}, about ${perRun.toFixed(perRun < 10 ? 1 : 0)} steps/s for each run`;
  if (perRun >= MIN_STEPS_PER_SECOND_PER_RUN && firstPointSeconds <= MAX_FIRST_POINT_SECONDS) {
    return { model: 'cnn-tiny', message: `Starting from the tiny CNN: ${measured}. Choose the MLP in Model for faster steps, or a preset for another experiment.` };
  }
  const short = perRun < MIN_STEPS_PER_SECOND_PER_RUN ? `under ${MIN_STEPS_PER_SECOND_PER_RUN}` : `but the first chart point would take ${firstPointSeconds.toFixed(0)} s`;
  return { model: 'mlp', message: `Starting from the MLP: ${measured} (${short}). Choose the tiny CNN in Model to try it anyway.` };
}
