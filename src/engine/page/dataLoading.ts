// The page's side of the data: which settings need new resident data (core/residency.ts
// uploads it), and the loader's byte progress as throttled 'progress' events.
import type { LoadProgress } from '../../data';
import type { EngineEvent } from '../../contract/protocol';
import type { Settings } from '../../contract/settings';

/** Settings whose change means new data (the rest only rebuild the runs). */
const DATA_KEYS = ['dataset', 'trainCap', 'labelNoise', 'imbalanceClass', 'imbalanceFraction', 'seed', 'evalSize'] as const;

/** Equal keys ⇔ the same resident data serves both settings. */
export function dataKeyOf(s: Settings): string {
  return JSON.stringify(DATA_KEYS.map((k) => s[k]));
}

type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;

/**
 * Turns the loader's byte progress into 'progress' events: at most one per `intervalMs`,
 * and always the last.
 */
export function datasetProgress(dataset: string, emit: (e: ProgressEvent) => void, now: () => number, intervalMs: number): (p: LoadProgress) => void {
  let last = -Infinity;
  return (p) => {
    const t = now();
    if (p.percent < 100 && t - last < intervalMs) return;
    last = t;
    const done = p.percent >= 100 ? 1 : 0;
    const message = p.file ? `Loading ${dataset}: ${p.file} (${Math.round(p.percent)}%)` : `Preparing ${dataset}`;
    emit({ type: 'progress', task: 'dataset', loaded: p.total ? p.loaded : done, total: p.total || done, message });
  };
}
