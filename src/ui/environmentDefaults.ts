// Defaults that fit the machine: a small CNN where a hardware GPU can train it, the MLP where
// none can (on a CPU a tiny CNN's step takes seconds, and the first chart point would take
// far longer than the few seconds a newcomer waits). Only a setting the link leaves out is
// chosen this way; a share link carries every setting, so it reproduces exactly.

/** The model shown by default where WebGPU has a hardware adapter (the schema's default, the MLP, elsewhere). */
export const GPU_DEFAULT_MODEL = 'cnn-tiny';

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

/** True when the query leaves the model to the defaults (so the machine may choose it). */
export function leavesModelOpen(query: string): boolean {
  return !new URLSearchParams(query.startsWith('?') ? query.slice(1) : query).has('model');
}

/** The query with the machine's default model added, when the link left the model out. */
export function withMachineDefaults(query: string, hardwareGpu: boolean): string {
  if (!hardwareGpu || !leavesModelOpen(query)) return query;
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  params.set('model', GPU_DEFAULT_MODEL);
  return `?${params.toString()}`;
}
