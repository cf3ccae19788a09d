// Argument checks of the score table (errors name the value and the range to use), and the
// 53-bit uniform its draws use so that tiny probabilities are drawn exactly.
import type { Rng } from '../../types';

const TWO_26 = 67108864;
const TWO_27 = 134217728;
const TWO_53 = 9007199254740992;

export function checkSmoothing(where: string, c: number): void {
  if (!Number.isFinite(c) || c < 0) {
    throw new RangeError(`${where}: smoothing ${c} must be a finite number ≥ 0 (0 = off)`);
  }
}

export function checkFloor(where: string, eps: number): void {
  if (!Number.isFinite(eps) || eps < 0 || eps >= 1) {
    throw new RangeError(`${where}: floor ${eps} must be a number in [0, 1) (the uniform share of draws; 0 = off)`);
  }
}

/** A uniform number in [0, 1) with 53 random bits (two rng draws), so that tiny p_i are exact too. */
export function uniform53(rng: Rng): number {
  const hi = Math.floor(rng.next() * TWO_26);
  const lo = Math.floor(rng.next() * TWO_27);
  return (hi * TWO_27 + lo) / TWO_53;
}
