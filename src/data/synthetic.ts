// Synthetic image datasets generated from the seed, instantly, without files.
import type { Dataset } from './types';

export interface SyntheticClass {
  name: string;
  difficulty: 'easy' | 'hard';
  description: string;
}

export interface SyntheticOptions {
  /** Default 6000. */
  trainCount?: number;
  /** Default 1000. */
  testCount?: number;
}

export const SYNTHETIC_SHAPES_CLASSES: readonly SyntheticClass[] = [];

export function generateSyntheticShapes(_seed: number, _opts: SyntheticOptions = {}): Dataset {
  throw new Error('generateSyntheticShapes: not implemented yet');
}
