// How the engine tells failures apart: a lost GPU device (fatal: the next start begins on a
// new device), a non-finite loss (halts that run only), anything else (halts that run and is
// reported). Pure functions on the error's text, shared by the engine and the race core.

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

const DEVICE_LOST = /device (was |is |has been )?(lost|destroyed)|GPUDevice.*(lost|destroyed)|context lost/i;
const NON_FINITE = /NaN|Infinity|non-?finite|diverged/i;

/** True when the message says the GPU device (or WebGL context) is gone. */
export function isDeviceLost(message: string): boolean {
  return DEVICE_LOST.test(message);
}

/** True when the message says a loss or score became NaN or infinite. */
export function isNonFinite(message: string): boolean {
  return NON_FINITE.test(message);
}
