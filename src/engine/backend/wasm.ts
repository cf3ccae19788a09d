// The one way to start tfjs's WebAssembly backend for training, for the page's worker and for
// Node scripts (tests, benchmarks): loads @tensorflow/tfjs-backend-wasm (on first use only, so
// merely importing this module registers no backend), registers the missing filter-gradient
// kernel (wasmConv2dBackpropFilter.ts, tensorflow/tfjs#8474), points tfjs at the .wasm binaries
// where the caller says where they are, chooses the thread count, initialises the backend and
// makes it the active one.
//
// Node needs no paths: the package finds its binaries beside itself. The page gives the URLs
// of the binaries it bundles (wasmAssets.ts, the only browser-only module; it calls
// setDefaultWasmPaths on import). No DOM and no Vite-only syntax here.
//
// Threads: tfjs loads the threaded SIMD binary only where SharedArrayBuffer may be used, i.e.
// in a cross-origin isolated page (COOP same-origin + COEP require-corp); elsewhere (GitHub
// Pages, Node) the single-thread SIMD one, or the plain one without SIMD.
import * as tf from '@tensorflow/tfjs';
import { registerWasmConv2dBackpropFilter } from './wasmConv2dBackpropFilter';

/** The three binaries tfjs-backend-wasm may load, by their file names, mapped to URLs. */
export interface WasmPaths {
  'tfjs-backend-wasm.wasm': string;
  'tfjs-backend-wasm-simd.wasm': string;
  'tfjs-backend-wasm-threaded-simd.wasm': string;
}

export interface WasmStartOptions {
  /** Where the binaries are (default: those set by setDefaultWasmPaths, else the package's own folder). */
  paths?: WasmPaths;
  /**
   * Threads for XNNPACK where the threaded binary can load: a number (≥ 1), 'auto' (tfjs's
   * default: one per logical core) or 'off' (the single-thread SIMD binary even where threads
   * could run). Default: DEFAULT_WASM_THREADS.
   */
  threads?: number | 'auto' | 'off';
}

export interface WasmStartInfo {
  /** True when the SIMD binary is loaded. */
  simd: boolean;
  /** True when the threaded binary is loaded (the host is cross-origin isolated). */
  threads: boolean;
  /** Threads XNNPACK runs on (1 without the threaded binary). */
  threadCount: number;
  /** 'replacement': our Conv2DBackpropFilter; 'native': the package ships its own. */
  filterGrad: 'replacement' | 'native';
}

/**
 * Threads when the host allows them: 'auto' (tfjs's default, one per logical core). The
 * measurement behind it is in the report of this change (README "Hosting"): on a 2-core
 * machine threads helped cnn-tiny and did not slow the MLP.
 */
export const DEFAULT_WASM_THREADS: number | 'auto' | 'off' = 'auto';

let defaultPaths: WasmPaths | null = null;
let started: Promise<WasmStartInfo> | null = null;

/** The binaries' URLs the page bundles; called once by wasmAssets.ts before the backend starts. */
export function setDefaultWasmPaths(paths: WasmPaths): void {
  defaultPaths = paths;
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  // tfjs-backend-wasm rejects with a plain { message } object when a binary fails to load.
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') return (e as { message: string }).message;
  return String(e);
}

async function init(options: WasmStartOptions): Promise<WasmStartInfo> {
  const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
  const ours = registerWasmConv2dBackpropFilter();
  const paths = options.paths ?? defaultPaths;
  if (paths) wasm.setWasmPaths({ ...paths });
  const threads = options.threads ?? DEFAULT_WASM_THREADS;
  if (threads === 'off') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else if (typeof threads === 'number') {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasm threads must be a whole number ≥ 1, 'auto' or 'off', got ${threads}`);
    wasm.setThreadsCount(threads);
  }
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threaded = simd && Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } catch (e) {
    throw new Error(`the WebAssembly backend failed to start: ${errorText(e)}`, { cause: e });
  }
  if (!ok) throw new Error('the WebAssembly backend failed to start (its .wasm binary did not load or compile; under a Content-Security-Policy, script-src needs \'wasm-unsafe-eval\')');
  await tf.ready();
  return { simd, threads: threaded, threadCount: threaded ? wasm.getThreadsCount() : 1, filterGrad: ours ? 'replacement' : 'native' };
}

/**
 * Starts the wasm backend once (later calls return the first call's result and make wasm the
 * active backend again) and reports what runs: SIMD, threads and how many. Options count on
 * the first call only: tfjs reads the paths and the thread count when the backend starts.
 * Throws with the reason when it cannot start.
 */
export async function startWasm(options: WasmStartOptions = {}): Promise<WasmStartInfo> {
  if (!started) {
    started = init(options);
    started.catch(() => (started = null));
    return started;
  }
  const info = await started;
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend failed to start again');
  return info;
}

/** "SIMD · 2 threads", "SIMD · 1 thread", "no SIMD · 1 thread" for the badge and notices. */
export function describeWasm(info: Pick<WasmStartInfo, 'simd' | 'threadCount'>): string {
  return `${info.simd ? 'SIMD' : 'no SIMD'} · ${info.threadCount} thread${info.threadCount === 1 ? '' : 's'}`;
}
