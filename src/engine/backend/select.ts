// Backend selection for training: WebGPU → WebGL → WASM → CPU, with the reason every better
// backend was passed over, the adapter's description (for WASM: SIMD and threads), and a
// promise that settles when the WebGPU device is lost.
import * as tf from '@tensorflow/tfjs';
import { registerRowGather } from './rowGather';
import type { BackendInfo } from '../../contract/protocol';
import { describeWasm, startWasm, type WasmStartOptions } from './wasm';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface SelectBackendOptions {
  /** Backends to try, best first. Default: webgpu, webgl, wasm, cpu. */
  order?: readonly BackendName[];
  /** How to start WASM (binary URLs, threads); default: startWasm's defaults. */
  wasm?: WasmStartOptions;
}

export interface BackendSelection {
  info: BackendInfo;
  /**
   * WebGPU only: settles with a description when the GPU device is lost (driver reset,
   * GPU process crash, `destroy()`); null for the other backends or when unreachable.
   */
  deviceLost: Promise<string> | null;
}

interface AdapterLike {
  info?: GPUAdapterInfo & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

const WEBGPU_PRIORITY = 3;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** "SwiftShader driver 5.0.0 (google, fallback adapter)" from a GPUAdapter. */
export function describeAdapter(adapter: AdapterLike): { description: string; isFallbackAdapter: boolean } {
  const info = adapter.info;
  const isFallbackAdapter = Boolean(info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
  const name =
    info?.description ||
    [info?.vendor, info?.architecture, info?.device].filter((s) => typeof s === 'string' && s.length > 0).join(' ') ||
    'unknown adapter';
  const extras = [info?.vendor && !name.includes(info.vendor) ? info.vendor : '', isFallbackAdapter ? 'fallback adapter' : '']
    .filter(Boolean)
    .join(', ');
  return { description: extras ? `${name} (${extras})` : name, isFallbackAdapter };
}

function gpuOf(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

async function ensureWebgpuRegistered(): Promise<void> {
  if (tf.findBackendFactory('webgpu')) return;
  // Registers itself on import when navigator.gpu exists.
  await import('@tensorflow/tfjs-backend-webgpu');
}

interface Attempt {
  ok: boolean;
  reason?: string;
  adapter?: string;
  isFallbackAdapter?: boolean;
  deviceLost?: Promise<string> | null;
}

async function tryWebgpu(): Promise<Attempt> {
  const gpu = gpuOf();
  if (!gpu) return { ok: false, reason: 'navigator.gpu missing (WebGPU needs Chrome/Edge 113+ and a secure context: https or localhost)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `WebGPU adapter request failed: ${errorText(e)}` };
  }
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter (the browser or the GPU driver offers none; check chrome://gpu)' };
  const { description, isFallbackAdapter } = describeAdapter(adapter as unknown as AdapterLike);
  try {
    await ensureWebgpuRegistered();
  } catch (e) {
    return { ok: false, reason: `WebGPU backend failed to load: ${errorText(e)}` };
  }
  if (!tf.findBackendFactory('webgpu')) return { ok: false, reason: 'WebGPU backend did not register (navigator.gpu missing at import)' };
  let ok: boolean;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (e) {
    return { ok: false, reason: `WebGPU backend failed to initialize: ${errorText(e)}` };
  }
  if (!ok) return { ok: false, reason: 'WebGPU backend failed to initialize (device request refused)' };
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  const deviceLost = device?.lost
    ? device.lost.then((info) => `GPU device lost (${info.reason ?? 'unknown'})${info.message ? `: ${info.message}` : ''}`)
    : null;
  return { ok: true, adapter: description, isFallbackAdapter, deviceLost };
}

async function tryWebgl(): Promise<Attempt> {
  if (!tf.findBackendFactory('webgl')) return { ok: false, reason: 'WebGL backend not available in this context (not a browser or worker)' };
  try {
    if (await tf.setBackend('webgl')) {
      const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
      let adapter = 'WebGL';
      try {
        const ext = gl?.getExtension('WEBGL_debug_renderer_info');
        const renderer = ext && gl ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl?.getParameter(gl.RENDERER);
        if (typeof renderer === 'string' && renderer) adapter = renderer;
      } catch {
        /* renderer string is optional */
      }
      return { ok: true, adapter };
    }
    return { ok: false, reason: 'WebGL failed to initialize (no WebGL2 context; a worker needs OffscreenCanvas)' };
  } catch (e) {
    return { ok: false, reason: `WebGL failed to initialize: ${errorText(e)}` };
  }
}

async function tryWasm(options: WasmStartOptions | undefined): Promise<Attempt> {
  try {
    // Registers the backend and the filter-gradient kernel it lacks (tensorflow/tfjs#8474), so it trains CNNs.
    const info = await startWasm(options);
    return { ok: true, adapter: describeWasm(info) };
  } catch (e) {
    return { ok: false, reason: `WASM failed to start: ${errorText(e)}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  // Row gathers as typed-array copies (backend/rowGather.ts): the CPU backend's own kernel made
  // a presample's gather a tenth of an MLP step.
  registerRowGather('cpu');
  try {
    if (await tf.setBackend('cpu')) return { ok: true, adapter: 'JavaScript (CPU)' };
    return { ok: false, reason: 'CPU backend failed to initialize' };
  } catch (e) {
    return { ok: false, reason: `CPU backend failed to initialize: ${errorText(e)}` };
  }
}

/** Selects the best backend that works here, collecting the reasons for each fallback. */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const order = options.order ?? DEFAULT_BACKEND_ORDER;
  const fallbackReasons: string[] = [];
  for (const name of order) {
    const attempt =
      name === 'webgpu' ? await tryWebgpu() : name === 'webgl' ? await tryWebgl() : name === 'wasm' ? await tryWasm(options.wasm) : await tryCpu();
    if (attempt.ok) {
      await tf.ready();
      return {
        info: {
          name,
          adapter: attempt.adapter ?? name,
          fallbackReasons,
          isFallbackAdapter: attempt.isFallbackAdapter ?? false,
        },
        deviceLost: attempt.deviceLost ?? null,
      };
    }
    fallbackReasons.push(attempt.reason ?? `${name} unavailable`);
  }
  throw new Error(`no tfjs backend could be initialized: ${fallbackReasons.join('; ')}`);
}

interface WebgpuBackendInternals {
  device?: GPUDevice;
  ensureCommandEncoderReady?: () => void;
  endComputePassEncoder?: () => void;
  submitQueue?: () => void;
}

/**
 * WebGPU only: a fence that submits tfjs's pending commands (it batches dispatches into one
 * command encoder) and waits until the GPU has finished them. Moves no data: it is not a
 * GPU→CPU read. Null when the active backend is not WebGPU.
 */
export function webgpuFence(): (() => Promise<void>) | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const b = tf.backend() as unknown as WebgpuBackendInternals;
  const device = b.device;
  if (!device || !b.ensureCommandEncoderReady || !b.endComputePassEncoder || !b.submitQueue) return null;
  return async () => {
    // As tfjs does before its own reads: an encoder exists, its compute pass is closed.
    b.ensureCommandEncoderReady!();
    b.endComputePassEncoder!();
    b.submitQueue!();
    await device.queue.onSubmittedWorkDone();
  };
}

/**
 * Forgets the current instance of a backend (e.g. after its GPU device was lost) but keeps
 * its factory, so the next `selectBackend` creates a fresh one with a new device.
 */
export function discardBackend(name: string): void {
  const factory = tf.findBackendFactory(name);
  if (!factory) return;
  try {
    tf.removeBackend(name);
  } catch {
    /* disposing a backend on a lost device may throw; the instance is gone either way */
  }
  tf.registerBackend(name, factory, name === 'webgpu' ? WEBGPU_PRIORITY : 1);
}
