// Installs Dawn's WebGPU (the `webgpu` npm package) in Node so that tfjs's WebGPU backend
// runs there: tests and benchmarks use it. Two parts:
//
// 1. The process environment, which must be set BEFORE the process starts (the dynamic
//    linker reads LD_LIBRARY_PATH once): `webgpuEnv()` gives it, `spawnWithWebgpu()` starts
//    a child with it. On this project's machines the Vulkan loader (libvulkan.so.1) and the
//    SwiftShader ICD come with Debian's chromium package under /usr/lib/chromium.
// 2. In that process, `installNodeWebgpu()` puts `navigator.gpu` and the WebGPU globals on
//    globalThis and then imports '@tensorflow/tfjs-backend-webgpu' (it registers itself
//    only when navigator.gpu exists at import time).
//
// In Node, never call dataSync()/arraySync() on webgpu tensors (tfjs's sync read path
// needs OffscreenCanvas): use `await tensor.data()`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_LIB_DIR = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = `${CHROMIUM_LIB_DIR}/vk_swiftshader_icd.json`;

export const HOW_TO_GET_AN_ADAPTER =
  'WebGPU in Node needs a Vulkan loader and driver. On this project\'s machines: ' +
  '`apt-get install -y chromium` (it ships /usr/lib/chromium/libvulkan.so.1 and the SwiftShader ICD), ' +
  `then run with LD_LIBRARY_PATH=${CHROMIUM_LIB_DIR} VK_ICD_FILENAMES=${SWIFTSHADER_ICD} ` +
  '(tests/support/nodeWebgpu.ts webgpuEnv() sets both for child processes). ' +
  'On a machine with a GPU, install its Vulkan driver (e.g. libvulkan1 + mesa-vulkan-drivers or the NVIDIA driver) ' +
  'and set NODE_WEBGPU_SYSTEM_VULKAN=1 to use it instead of SwiftShader.';

/**
 * The environment for a process that will use WebGPU in Node. Uses the system's Vulkan
 * driver when NODE_WEBGPU_SYSTEM_VULKAN=1, else Chromium's SwiftShader where installed.
 */
export function webgpuEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  if (env.NODE_WEBGPU_SYSTEM_VULKAN === '1') return env;
  if (existsSync(`${CHROMIUM_LIB_DIR}/libvulkan.so.1`)) {
    const parts = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
    if (!parts.includes(CHROMIUM_LIB_DIR)) parts.unshift(CHROMIUM_LIB_DIR);
    env.LD_LIBRARY_PATH = parts.join(':');
  }
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return env;
}

export type NodeWebgpuResult =
  | { ok: true; adapter: string; isFallbackAdapter: boolean }
  | { ok: false; reason: string };

let installed: Promise<NodeWebgpuResult> | null = null;

/**
 * Makes navigator.gpu available and registers tfjs's 'webgpu' backend. Call once, before
 * anything imports '@tensorflow/tfjs-backend-webgpu'. Resolves with the adapter's
 * description, or with the reason there is none (and how to get one).
 */
export function installNodeWebgpu(): Promise<NodeWebgpuResult> {
  installed ??= (async (): Promise<NodeWebgpuResult> => {
    let webgpu: typeof import('webgpu');
    try {
      webgpu = await import('webgpu');
    } catch (e) {
      return { ok: false, reason: `the webgpu package failed to load (${(e as Error).message}). ${HOW_TO_GET_AN_ADAPTER}` };
    }
    const g = globalThis as Record<string, unknown>;
    Object.assign(globalThis, webgpu.globals);
    const gpu = webgpu.create([]);
    if (g.navigator === undefined) {
      g.navigator = { gpu };
    } else {
      Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true, enumerable: true });
    }
    g.window ??= globalThis;
    const adapter = await (gpu as GPU).requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return {
        ok: false,
        reason: `no WebGPU adapter (LD_LIBRARY_PATH=${process.env.LD_LIBRARY_PATH ?? ''}, VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? ''}). ${HOW_TO_GET_AN_ADAPTER}`,
      };
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const description = info.description || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
    return { ok: true, adapter: description, isFallbackAdapter: Boolean(info.isFallbackAdapter) };
  })();
  return installed;
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script in a child Node process (TypeScript through tsx) with the WebGPU
 * environment set. Resolves when it exits; rejects on timeout (the child is killed).
 */
export function spawnWithWebgpu(file: string, args: string[] = [], timeoutMs = 110_000, extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const loader = /\.[cm]?ts$/.test(file) ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, file, ...args], {
      env: { ...webgpuEnv(), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
