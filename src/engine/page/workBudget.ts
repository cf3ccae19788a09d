// The work one training step may ask of the device, and the block size that keeps the engine
// answering commands (docs/method.md §7). The schema lets a share link ask for b = 1024 and
// B/b = 32: 32,768 samples scored per step, or with the gnorm score 32,768 backward passes in
// a row. Settings whose step would exceed the budget are refused with the value to change;
// blocks are shortened (with a notice) until a block's estimated time is near BLOCK_TARGET_MS,
// because a worker answers a message (Pause included) only between synchronous stretches of
// work, and on the CPU a whole block is one. Every figure here is an estimate from the
// architecture (src/models/footprint.ts) and nominal device speeds, not a measurement: it only
// has to tell a sensible step from one that takes seconds or gigabytes. It depends on the
// settings and the backend only, never on timings, so the same settings give the same block
// boundaries and the same run.
import { DATASET_CATALOGUE } from '../../data/catalogue';
import { SCORE_CHUNK, presampleSize, samplerInfo } from '../../is';
import { modelFootprint, type ModelFootprint } from '../../models/footprint';
import type { Settings } from '../../contract/settings';

export type ImageShape = readonly [number, number, number];

/** The settings the budget reads. */
export type BudgetSettings = Pick<Settings, 'model' | 'batchSize' | 'presampleFactor' | 'score' | 'sampler' | 'mode' | 'blockSteps'>;

/** Nominal speed of a kind of backend, for estimates (within a factor of a few of real devices). */
export interface DeviceSpeed {
  /** For messages, e.g. "a typical GPU". */
  label: string;
  /** FLOPs per ms of batched forward passes. */
  forwardFlopsPerMs: number;
  /** FLOPs per ms of the backward passes (the CPU backend is far slower here than forward). */
  backwardFlopsPerMs: number;
  /** Fixed ms of one single-sample backward pass (a gnorm score): dozens of small kernels. */
  gradientPassMs: number;
  /** Fixed ms of a step: its kernel launches. */
  stepMs: number;
}

export const DEVICE_SPEEDS = {
  // WebGPU/WebGL in tfjs on a laptop-class GPU: tens of GFLOP/s reached by these small convolutions.
  gpu: { label: 'a typical GPU', forwardFlopsPerMs: 5e7, backwardFlopsPerMs: 2.5e7, gradientPassMs: 1, stepMs: 0.5 },
  // tfjs's plain JavaScript backend: well under a GFLOP/s, its convolution gradients ten times slower still.
  cpu: { label: 'the CPU', forwardFlopsPerMs: 3e5, backwardFlopsPerMs: 3e4, gradientPassMs: 3, stepMs: 1 },
  // tfjs-backend-wasm (XNNPACK, SIMD, one thread): a few GFLOP/s. Estimates 1.5-2× the steps
  // measured in Node on a 2-core machine (b = 32: MLP 5 ms, cnn-tiny 21 ms; cnn-tiny b = 64 38 ms).
  wasm: { label: 'WebAssembly', forwardFlopsPerMs: 3e6, backwardFlopsPerMs: 2e6, gradientPassMs: 1, stepMs: 1 },
} as const satisfies Record<string, DeviceSpeed>;

/** The speed class of a tfjs backend; before one is chosen, a GPU (the refusals hold on any device). */
export function deviceSpeedOf(backend: string | null): DeviceSpeed {
  return backend === 'cpu' ? DEVICE_SPEEDS.cpu : backend === 'wasm' ? DEVICE_SPEEDS.wasm : DEVICE_SPEEDS.gpu;
}

/** Activation memory one step may hold at once. */
export const MAX_STEP_ACTIVATION_BYTES = 512 * 2 ** 20;
/** A training pass holds its forward activations for the backward, their gradients and elementwise temporaries. */
export const TRAINING_MEMORY_FACTOR = 3;
/** Longest estimated step on a GPU: beyond it the settings are refused. */
export const MAX_STEP_MS = 2000;
/** A block is shortened until its estimated time is at most this (or it is one step). */
export const BLOCK_TARGET_MS = 200;
/** A single step (which cannot be cut) estimated longer than this on the backend in force gets a notice: Pause waits for it. */
export const STEP_WAIT_NOTICE_MS = 1000;

/** What the heaviest step the settings allow (an importance step of the importance run) does. */
export interface StepWork {
  /** Samples through the scoring forward pass (B for a presample), in chunks of at most SCORE_CHUNK. */
  scored: number;
  /** Samples trained on (b). */
  trained: number;
  /** Single-sample backward passes (the gnorm score: B for a presample, else b). */
  gradientPasses: number;
  /** Activation bytes held at once: the larger of a scoring chunk and a training batch. */
  peakActivationBytes: number;
}

export function stepWork(s: BudgetSettings, footprint: ModelFootprint): StepWork {
  const B = presampleSize(s);
  const presample = s.mode !== 'uniform' && samplerInfo(s.sampler).capabilities.scoresPresample;
  const scored = presample ? B : 0;
  const gradientPasses = s.score === 'gnorm' ? (presample ? B : s.batchSize) : 0;
  const samplesAtOnce = Math.max(Math.min(scored, SCORE_CHUNK), TRAINING_MEMORY_FACTOR * s.batchSize);
  return { scored, trained: s.batchSize, gradientPasses, peakActivationBytes: 4 * footprint.activationFloats * samplesAtOnce };
}

/** Estimated ms of a step, in parts. */
export interface StepTime {
  scoring: number;
  training: number;
  gradients: number;
  total: number;
}

export function stepTime(work: StepWork, footprint: ModelFootprint, speed: DeviceSpeed): StepTime {
  const forward = 2 * footprint.macs;
  const scoring = (work.scored * forward) / speed.forwardFlopsPerMs;
  // A training step: the forward pass over b, then a backward pass of about twice its FLOPs.
  const training = speed.stepMs + (work.trained * forward) / speed.forwardFlopsPerMs + (work.trained * 2 * forward) / speed.backwardFlopsPerMs;
  const gradients = work.gradientPasses * (speed.gradientPassMs + (3 * forward) / speed.backwardFlopsPerMs);
  return { scoring, training, gradients, total: scoring + training + gradients };
}

/** The image shape and classes of a dataset as its catalogue entry declares them. */
export function declaredShape(dataset: Settings['dataset']): { imageShape: ImageShape; numClasses: number } {
  const entry = DATASET_CATALOGUE[dataset];
  return { imageShape: entry.imageShape, numClasses: entry.numClasses };
}

/** Estimated ms of the heaviest step of these settings on a device of this speed. */
export function estimateStep(s: BudgetSettings, imageShape: ImageShape, numClasses: number, speed: DeviceSpeed): StepTime & StepWork {
  const footprint = modelFootprint(s.model, imageShape, numClasses);
  const work = stepWork(s, footprint);
  return { ...work, ...stepTime(work, footprint, speed) };
}

/**
 * What is over the budget in these settings, each as a sentence naming the value to change;
 * empty when the step fits. Backend-independent (a GPU's speed): a CPU takes longer per step,
 * and its blocks are shortened instead (blockStepsWithinBudget).
 */
export function budgetErrors(s: BudgetSettings, imageShape: ImageShape, numClasses: number): string[] {
  const speed = DEVICE_SPEEDS.gpu;
  const errors: string[] = [];
  const footprint = modelFootprint(s.model, imageShape, numClasses);
  const images = `${s.model} on ${imageShape[0]}×${imageShape[1]} images`;
  const work = stepWork(s, footprint);
  if (work.peakActivationBytes > MAX_STEP_ACTIVATION_BYTES) {
    const perSample = 4 * footprint.activationFloats * TRAINING_MEMORY_FACTOR;
    const bMax = Math.floor(MAX_STEP_ACTIVATION_BYTES / perSample);
    const fix = bMax >= 1 ? `lower batchSize to at most ${bMax}, or choose a smaller model` : 'choose a smaller model';
    errors.push(
      `a step with b = ${s.batchSize} of ${images} holds about ${mib(work.peakActivationBytes)} of activations ` +
        `(at most ${mib(MAX_STEP_ACTIVATION_BYTES)}): ${fix}`,
    );
  }
  const time = stepTime(work, footprint, speed);
  if (time.total <= MAX_STEP_MS) return errors;
  const fits = (change: Partial<BudgetSettings>) => {
    const next = { ...s, ...change };
    return stepTime(stepWork(next, footprint), footprint, speed).total <= MAX_STEP_MS;
  };
  const b = s.batchSize;
  // The largest B (then presampleFactor, to two decimals) with b kept, and the largest b with B/b kept.
  const bigB = largest(b + 1, presampleSize(s), (B) => fits({ presampleFactor: B / b }));
  const factor = bigB === null ? null : Math.floor((bigB / b) * 100) / 100;
  const lowerFactor = factor !== null && factor >= 1.01 ? `lower presampleFactor to at most ${factor}` : null;
  const bMax = largest(1, b - 1, (v) => fits({ batchSize: v }));
  const lowerB = bMax === null ? null : `lower batchSize to at most ${bMax}`;
  const about = `about ${seconds(time.total)} on ${speed.label} (a step may take at most ${seconds(MAX_STEP_MS)})`;
  const biggest = Math.max(time.scoring, time.training, time.gradients);
  let what: string;
  let fixes: (string | null)[];
  if (biggest === time.gradients) {
    what = `the gnorm score takes ${work.gradientPasses.toLocaleString('en-US')} backward passes per step, ${about}`;
    fixes = [work.scored ? lowerFactor : null, lowerB, 'or choose the upperBound score'];
  } else if (biggest === time.scoring) {
    what = `scoring B = ${work.scored.toLocaleString('en-US')} samples per step with ${images} takes ${about}`;
    fixes = [lowerFactor, lowerB, 'or choose a smaller model'];
  } else {
    what = `training on b = ${b} samples per step of ${images} takes ${about}`;
    fixes = [lowerB, 'or choose a smaller model'];
  }
  errors.push(`${what}: ${fixes.filter((f): f is string => f !== null).join(', ')}`);
  return errors;
}

/**
 * The steps per block the engine runs: blockSteps, shortened until the block's estimated time
 * on this backend is at most BLOCK_TARGET_MS (at least one step).
 */
export function blockStepsWithinBudget(s: BudgetSettings, imageShape: ImageShape, numClasses: number, backend: string | null): { blockSteps: number; stepMs: number; device: string } {
  const speed = deviceSpeedOf(backend);
  const ms = estimateStep(s, imageShape, numClasses, speed).total;
  const cap = Math.max(1, Math.floor(BLOCK_TARGET_MS / ms));
  return { blockSteps: Math.min(s.blockSteps, cap), stepMs: ms, device: speed.label };
}

/**
 * Samples per piece of the work off the clocks (offClockWork.ts), so that a piece takes an
 * estimated BLOCK_TARGET_MS on this backend, as a block does: `evaluation`, forward passes
 * (evaluate.ts); `probe`, single-sample backward passes (a variance-lab probe). At least one:
 * on the CPU one backward pass through cnn-small is an estimated ~0.5 s, and that is the
 * longest a command waits.
 */
export function offClockPieceSamples(model: Settings['model'], imageShape: ImageShape, numClasses: number, backend: string | null): { evaluation: number; probe: number } {
  const speed = deviceSpeedOf(backend);
  const forward = 2 * modelFootprint(model, imageShape, numClasses).macs;
  const forwardMs = forward / speed.forwardFlopsPerMs;
  const backwardMs = speed.gradientPassMs + (3 * forward) / speed.backwardFlopsPerMs;
  return {
    evaluation: Math.max(1, Math.floor(BLOCK_TARGET_MS / forwardMs)),
    probe: Math.max(1, Math.floor(BLOCK_TARGET_MS / backwardMs)),
  };
}

/** The largest batch size, b kept ≤ the one asked, whose step is estimated within `ms` on this backend; null when even b = 1 is not. */
export function largestBatchWithin(s: BudgetSettings, imageShape: ImageShape, numClasses: number, backend: string | null, ms: number): number | null {
  const speed = deviceSpeedOf(backend);
  return largest(1, s.batchSize, (b) => estimateStep({ ...s, batchSize: b }, imageShape, numClasses, speed).total <= ms);
}

/** The largest v in [lo, hi] with fits(v), for fits true up to some v and false above; null if none. */
function largest(lo: number, hi: number, fits: (v: number) => boolean): number | null {
  if (hi < lo || !fits(lo)) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}
