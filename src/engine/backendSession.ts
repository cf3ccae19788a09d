// The engine's hold on a tfjs backend: selects one (saying why better ones were passed over),
// watches for a lost GPU device, and starts over on a new device after one.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_BACKEND_ORDER, discardBackend, selectBackend, type BackendName, type BackendSelection } from './backend';
import type { BackendInfo, EngineEvent } from './protocol';

type Notice = Extract<EngineEvent, { type: 'notice' }>;

export class BackendSession {
  private selection: BackendSelection | null = null;
  private generation = 0;

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

  /** Selects a backend unless the current one is still in force. Returns true when it selected anew. */
  async ensure(): Promise<boolean> {
    if (this.selection && tf.getBackend() === this.selection.info.name) return false;
    const selection = await selectBackend({ order: this.order });
    this.selection = selection;
    const generation = ++this.generation;
    const { name, fallbackReasons, isFallbackAdapter, adapter } = selection.info;
    if (fallbackReasons.length) {
      const level = name === 'cpu' ? 'warning' : 'info';
      this.notice({ type: 'notice', level, message: `Training on ${name.toUpperCase()}: ${fallbackReasons.join('; ')}.` });
    }
    if (isFallbackAdapter) {
      this.notice({ type: 'notice', level: 'warning', message: `The WebGPU adapter is a software fallback (${adapter}): correct but slow.` });
    }
    // A loss reported for an older device (after a recovery) is not news.
    selection.deviceLost?.then((why) => generation === this.generation && this.onLost(why)).catch(() => undefined);
    return true;
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
}
