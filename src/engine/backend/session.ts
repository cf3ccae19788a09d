// The engine's hold on a tfjs backend: selects one (saying why better ones were passed over),
// or the one the settings force; where WebGPU has no hardware adapter, picks the fastest of
// the others (WASM, WebGL; the CPU as the last resort) by measuring the model's step
// (probe.ts); watches for a lost GPU device, and starts over on a new device after one.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_BACKEND_ORDER, discardBackend, selectBackend, type BackendName, type BackendSelection } from './select';
import { describeProbe, fastest, probeBackends, type ProbeSpec } from './probe';
import type { BackendInfo, EngineEvent } from '../../contract/protocol';
import type { BackendPreference } from '../../contract/settings';
import type { ModelName } from '../../models';

type Notice = Extract<EngineEvent, { type: 'notice' }>;

/** The CNN the page may start from without a hardware GPU, when its measured step allows. */
export const PAGE_CNN: ModelName = 'cnn-tiny';

export class BackendSession {
  private selection: BackendSelection | null = null;
  private preference: BackendPreference = 'auto';
  private generation = 0;
  /** What the last probe measured for (model and shapes): probe once per model. */
  private probedFor = '';

  constructor(
    private readonly order: readonly BackendName[] = DEFAULT_BACKEND_ORDER,
    private readonly notice: (n: Notice) => void,
    /** Called once per device when it is lost, with the reason. */
    private readonly onLost: (why: string) => void,
  ) {}

  get info(): BackendInfo | null {
    return this.selection?.info ?? null;
  }

  get name(): string | null {
    return this.selection?.info.name ?? null;
  }

  /**
   * Selects a backend unless the current one is still in force for this preference ('auto':
   * the best available in order; a name: that one first). Returns true when it selected anew.
   */
  async ensure(preference: BackendPreference = 'auto'): Promise<boolean> {
    if (this.selection && preference === this.preference && tf.getBackend() === this.selection.info.name) return false;
    this.preference = preference;
    this.probedFor = '';
    const order = preference === 'auto' ? this.order : [preference, ...this.order.filter((n) => n !== preference)];
    const selection = await selectBackend({ order });
    this.adopt(selection);
    const { name, fallbackReasons, isFallbackAdapter, adapter } = selection.info;
    if (fallbackReasons.length) {
      const level = name === 'cpu' ? 'warning' : 'info';
      this.notice({ type: 'notice', level, message: `Training on ${name.toUpperCase()}: ${fallbackReasons.join('; ')}.` });
    }
    // In auto mode choose() times the other backends next and says what it picked; the warning
    // is for a link that forces WebGPU onto a software adapter, or for when nothing else ran.
    if (isFallbackAdapter && preference !== 'auto') this.warnSoftwareAdapter(adapter);
    return true;
  }

  private warnSoftwareAdapter(adapter: string): void {
    this.notice({ type: 'notice', level: 'warning', message: `The WebGPU adapter is a software fallback (${adapter}): correct but slow.` });
  }

  /**
   * 'auto' only, where WebGPU has no hardware adapter: times one step of the model on each
   * other backend available (at least two), keeps the fastest and says why. Returns true when
   * the backend changed (data and kernels must follow).
   *
   * WASM and WebGL are timed; the CPU, the last resort, only when neither completed a step:
   * it runs the same kernels as WASM in plain JavaScript, 5.7× (MLP) to 36× (cnn-tiny) slower
   * per step on the 2-core machine this was measured on, and a CNN's step there takes seconds
   * that would delay the first chart point for nothing.
   */
  async choose(spec: ProbeSpec): Promise<boolean> {
    const current = this.selection?.info;
    if (this.preference !== 'auto' || !current) return false;
    if (current.name === 'webgpu' && !current.isFallbackAdapter) return false;
    const key = JSON.stringify([spec.model, spec.inputShape, spec.numClasses, spec.batchSize]);
    if (key === this.probedFor) return false;
    this.probedFor = key;
    const timed = (['wasm', 'webgl'] as const).filter((n) => this.order.includes(n));
    const lastResort = this.order.includes('cpu') ? (['cpu'] as const) : [];
    if (timed.length + lastResort.length + (current.name === 'webgpu' ? 1 : 0) < 2) return false;
    const results = await probeBackends(timed, spec);
    if (!fastest(results)) results.push(...(await probeBackends(lastResort, spec)));
    else if (lastResort.length) results.push({ name: 'cpu', ms: null, note: 'not timed (the last resort: wasm or webgl ran the step)' });
    if (current.name === 'webgpu') results.push({ name: 'webgpu', ms: null, note: 'not timed (a software adapter: compiling its kernels alone takes over 10 s)' });
    const best = fastest(results);
    const measured = describeProbe(results);
    if (!best) {
      await tf.setBackend(current.name);
      this.notice({ type: 'notice', level: 'info', message: `Kept ${current.name.toUpperCase()}: no other backend completed a step (${measured}).` });
      if (current.isFallbackAdapter) this.warnSoftwareAdapter(current.adapter);
      return false;
    }
    const stepMs: Record<string, number | null> = { [spec.model]: best.ms };
    // The page starts from the tiny CNN where its step is fast enough (src/ui/environmentDefaults.ts):
    // time it here too, on the winner. Not on the CPU, where a CNN step takes seconds.
    // The fastest of 3 steps: one step on a busy machine can take twice as long.
    if (spec.model !== PAGE_CNN && best.name !== 'cpu') stepMs[PAGE_CNN] = (await probeBackends([best.name], { ...spec, model: PAGE_CNN, timedSteps: 3 }))[0].ms;
    const selection = await selectBackend({ order: [best.name] });
    const choice = `fastest measured for ${spec.model} at b = ${spec.batchSize}: ${measured}`;
    const probe = { batchSize: spec.batchSize, stepMs };
    this.adopt({ ...selection, info: { ...selection.info, fallbackReasons: current.fallbackReasons, choice, probe } });
    const runsOn = best.name === 'wasm' ? ` It runs on ${selection.info.adapter}.` : '';
    this.notice({ type: 'notice', level: 'info', message: `Training on ${best.name.toUpperCase()}, the ${choice}.${runsOn}` });
    return best.name !== current.name;
  }

  /** Forgets the current backend instance, so the next ensure() gets a new device. */
  discard(): void {
    if (this.selection) discardBackend(this.selection.info.name);
    this.selection = null;
  }

  /** tf.memory(), or zeros before a backend is ready (tf.memory() throws then). */
  memory(): { numTensors: number; numBytes: number } {
    try {
      if (this.selection) return tf.memory();
    } catch {
      /* not ready */
    }
    return { numTensors: 0, numBytes: 0 };
  }

  private adopt(selection: BackendSelection): void {
    this.selection = selection;
    const generation = ++this.generation;
    // A loss reported for an older device (after a recovery or a switch) is not news.
    selection.deviceLost?.then((why) => generation === this.generation && this.onLost(why)).catch(() => undefined);
  }
}
