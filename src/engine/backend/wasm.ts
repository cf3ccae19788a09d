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
import { registerRowGather } from './rowGather';

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
   * count, navigator.hardwareConcurrency / 2, where there are at least MIN_CORES_FOR_THREADS
   * logical cores; one thread below that) or 'off' (the single-thread SIMD binary even where
   * threads could run). Default: 'auto'.
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
  /** Why the threaded binary is not loaded ("page not cross-origin isolated", …); null when it is. */
  singleThreadReason: string | null;
  /** 'replacement': our Conv2DBackpropFilter; 'native': the package ships its own. */
  filterGrad: 'replacement' | 'native';
}

/**
 * Below this many logical cores 'auto' trains on one thread. Measured in Chromium on a 2-core
 * machine (the page, two runs in one worker, b = 32, steps/s per run, MLP and cnn-tiny): the
 * single-thread SIMD binary 37.1 and 14.3, the threaded binary on the one thread tfjs gives 2
 * cores 35.2 and 13.2, on 2 threads 25.7 and 8.5 (the page and the browser need the cores too).
 * Larger machines get tfjs's own count, which leaves half the cores free.
 */
export const MIN_CORES_FOR_THREADS = 4;

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

/**
 * The thread setting to start with: 'auto' becomes 'off' below MIN_CORES_FOR_THREADS logical
 * cores (`cores` null: unknown, left to tfjs). Throws on a count that is not a whole number ≥ 1.
 */
export function planThreads(asked: WasmStartOptions['threads'], cores: number | null): { threads: number | 'auto' | 'off'; fewCores: boolean } {
  const threads = asked ?? 'auto';
  if (typeof threads === 'number' && (!Number.isInteger(threads) || threads < 1)) {
    throw new Error(`wasm threads must be a whole number ≥ 1, 'auto' or 'off', got ${threads}`);
  }
  const fewCores = threads === 'auto' && cores !== null && cores < MIN_CORES_FOR_THREADS;
  return { threads: fewCores ? 'off' : threads, fewCores };
}

async function init(options: WasmStartOptions): Promise<WasmStartInfo> {
  const asked = options.threads ?? 'auto';
  const cores = logicalCores();
  const { threads, fewCores } = planThreads(asked, cores);
  const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
  const ours = registerWasmConv2dBackpropFilter();
  // Row gathers as heap copies (rowGather.ts): the backend's own kernel made a presample's
  // gather a third of an MLP step. Registered before the backend starts, so its setup runs.
  registerRowGather('wasm');
  const paths = options.paths ?? defaultPaths;
  if (paths) wasm.setWasmPaths({ ...paths });
  if (threads === 'off') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else if (typeof threads === 'number') wasm.setThreadsCount(threads);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  let threaded = simd && Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  // The threads are Web Workers on blob: URLs that load their code from another blob: URL. A
  // Content-Security-Policy header without blob: in worker-src and script-src blocks them, and
  // the threaded backend then waits for them forever: check first, and use one thread if not.
  let blocked = false;
  if (threaded && !(await blobWorkersAllowed())) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    threaded = false;
    blocked = true;
  }
  // tfjs-backend-wasm caps its threads at navigator.hardwareConcurrency / 2 (it assumes two
  // hyperthreads per core), so on a 2-vCPU machine it would run 1 thread whatever is asked.
  // An explicit count is honoured by showing the module enough cores while it starts.
  const restoreCores = threaded && typeof threads === 'number' ? showCores(2 * threads) : () => undefined;
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } catch (e) {
    throw new Error(`the WebAssembly backend failed to start: ${errorText(e)}`, { cause: e });
  } finally {
    restoreCores();
  }
  if (!ok) throw new Error('the WebAssembly backend failed to start (its .wasm binary did not load or compile; under a Content-Security-Policy, script-src needs \'wasm-unsafe-eval\')');
  await tf.ready();
  return {
    simd,
    threads: threaded,
    threadCount: threaded ? wasm.getThreadsCount() : 1,
    singleThreadReason: threaded ? null : blocked ? BLOB_WORKERS_BLOCKED : singleThreadReason(asked, simd, fewCores ? cores : null),
    filterGrad: ours ? 'replacement' : 'native',
  };
}

const BLOB_WORKERS_BLOCKED = 'the Content-Security-Policy forbids blob: workers';

/**
 * True when a Web Worker may start from a blob: URL and load a script from another blob: URL
 * (what the threaded backend's threads do), within `timeoutMs`. Never throws.
 */
export async function blobWorkersAllowed(timeoutMs = 3000): Promise<boolean> {
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined' || typeof URL.createObjectURL !== 'function') return false;
  const urls: string[] = [];
  const blobUrl = (code: string) => {
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    urls.push(url);
    return url;
  };
  let worker: Worker | null = null;
  try {
    const inner = blobUrl('self.loadedFromBlob = true;');
    worker = new Worker(blobUrl(`try { importScripts(${JSON.stringify(inner)}); postMessage(self.loadedFromBlob === true); } catch (e) { postMessage(false); }`));
    const started = worker;
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      started.onmessage = (e: MessageEvent<unknown>) => {
        clearTimeout(timer);
        resolve(e.data === true);
      };
      started.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  } catch {
    return false;
  } finally {
    worker?.terminate();
    for (const url of urls) URL.revokeObjectURL(url);
  }
}

/** navigator.hardwareConcurrency, or null where there is no navigator (Node before 21). */
function logicalCores(): number | null {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n > 0 ? n : null;
}

/**
 * Makes navigator.hardwareConcurrency read at least `cores` until the returned function is
 * called (the threaded module reads it once, when it is instantiated). A no-op where there is
 * no navigator or it already says as many.
 */
function showCores(cores: number): () => void {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (!nav || typeof nav.hardwareConcurrency !== 'number' || nav.hardwareConcurrency >= cores) return () => undefined;
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  } catch {
    return () => undefined;
  }
  return () => {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/** Why a single-thread binary runs, in a few words; `fewCores`: the core count when 'auto' chose one thread. */
function singleThreadReason(asked: WasmStartOptions['threads'], simd: boolean, fewCores: number | null): string {
  if (asked === 'off') return 'threads turned off';
  if (!simd) return 'no WebAssembly SIMD here';
  if (tf.env().getBool('IS_NODE')) return 'tfjs runs wasm single-threaded in Node';
  if (fewCores !== null) return `${fewCores} logical cores: one thread is faster`;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return 'page not cross-origin isolated';
  return 'no SharedArrayBuffer here';
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

/**
 * "SIMD · 2 threads", "SIMD · 1 thread (page not cross-origin isolated)", "no SIMD · 1 thread
 * (…)" for the backend badge and notices.
 */
export function describeWasm(info: Pick<WasmStartInfo, 'simd' | 'threadCount' | 'singleThreadReason'>): string {
  const threads = `${info.threadCount} thread${info.threadCount === 1 ? '' : 's'}`;
  return `${info.simd ? 'SIMD' : 'no SIMD'} · ${threads}${info.singleThreadReason ? ` (${info.singleThreadReason})` : ''}`;
}
