// What the page keeps of a finished race (issue: compare experiments): its settings (and so
// its share link), the backend it ran on, and both runs' charted history. A record is plain
// data, stored in IndexedDB (historyStore.ts) and read back through `parseHistoryRecord`,
// which refuses anything that is not a record of this version rather than draw garbage.
import type { EvalPoint, RunId, StepPoint } from '../../contract/protocol';
import { checkSettings, defaultSettings, isSettingKey, type Settings } from '../../contract/settings';

export const HISTORY_RECORD_VERSION = 1;

/** Why a race ended up in the history. */
export type SavedBecause = 'reset' | 'restart' | 'budget' | 'reload';

export interface RecordedRun {
  steps: StepPoint[];
  evals: EvalPoint[];
}

export interface HistoryRecord {
  version: typeof HISTORY_RECORD_VERSION;
  /** Unique key in the store. */
  id: string;
  /** When it was saved, ms since the epoch. */
  savedAt: number;
  reason: SavedBecause;
  settings: Settings;
  /** The backend name and adapter it trained on, e.g. "webgpu", "SwiftShader". */
  backend: string | null;
  device: string | null;
  /** Its own-clock budget had run out (a complete race, comparable with others of the same budget). */
  finished: boolean;
  runs: Partial<Record<RunId, RecordedRun>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finiteOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && !Number.isNaN(v)) || v === undefined;

function isStepPoint(v: unknown): boolean {
  return isObject(v) && typeof v.step === 'number' && typeof v.clockMs === 'number' && typeof v.samplesSeen === 'number' && finiteOrNull(v.tauRaw);
}
function isEvalPoint(v: unknown): boolean {
  return isObject(v) && typeof v.step === 'number' && typeof v.clockMs === 'number' && typeof v.trainLoss === 'number' && typeof v.testAccuracy === 'number';
}

/**
 * A stored value as a record, or the reason it is not one (a corrupt or foreign entry: the
 * page skips it with a notice). Settings missing from an older record take their defaults;
 * settings that fail the schema make the record unusable, since its link would not reproduce it.
 */
export function parseHistoryRecord(value: unknown): HistoryRecord | string {
  if (!isObject(value)) return 'not an object';
  if (value.version !== HISTORY_RECORD_VERSION) return `version ${String(value.version)} (this page reads ${HISTORY_RECORD_VERSION})`;
  if (typeof value.id !== 'string' || !value.id) return 'no id';
  if (typeof value.savedAt !== 'number' || !Number.isFinite(value.savedAt)) return 'no save time';
  if (!isObject(value.settings)) return 'no settings';
  const settings: Record<string, unknown> = { ...defaultSettings() };
  for (const [k, v] of Object.entries(value.settings)) if (isSettingKey(k)) settings[k] = v;
  const errors = checkSettings(settings as unknown as Settings);
  if (errors.length) return `its settings are invalid (${errors[0]})`;
  if (!isObject(value.runs)) return 'no runs';
  const runs: Partial<Record<RunId, RecordedRun>> = {};
  for (const id of ['importance', 'uniform'] as const) {
    const r = value.runs[id];
    if (r === undefined) continue;
    if (!isObject(r) || !Array.isArray(r.steps) || !Array.isArray(r.evals)) return `run "${id}" is malformed`;
    if (!r.steps.every(isStepPoint)) return `run "${id}" has a malformed step point`;
    if (!r.evals.every(isEvalPoint)) return `run "${id}" has a malformed evaluation`;
    runs[id] = { steps: r.steps as StepPoint[], evals: r.evals as EvalPoint[] };
  }
  if (!runs.importance && !runs.uniform) return 'no run in it';
  const reason = (['reset', 'restart', 'budget', 'reload'] as const).find((x) => x === value.reason) ?? 'reset';
  return {
    version: HISTORY_RECORD_VERSION,
    id: value.id,
    savedAt: value.savedAt,
    reason,
    settings: settings as unknown as Settings,
    backend: typeof value.backend === 'string' ? value.backend : null,
    device: typeof value.device === 'string' ? value.device : null,
    finished: value.finished === true,
    runs,
  };
}

/** The race on the page as a record (null when neither run has taken a step). */
export function recordOfRace(
  race: {
    id: string;
    runs: Record<RunId, { steps: readonly StepPoint[]; evals: readonly EvalPoint[] }>;
    settings: Settings;
    backend: string | null;
    device: string | null;
    finished: boolean;
  },
  reason: SavedBecause,
  savedAt: number,
): HistoryRecord | null {
  const runs: Partial<Record<RunId, RecordedRun>> = {};
  for (const id of ['importance', 'uniform'] as const) {
    const r = race.runs[id];
    if (!r.steps.length && !r.evals.length) continue;
    // Confusion counts (K² numbers an evaluation) only for the last evaluation: the history
    // draws curves, and a record stays ~100× smaller.
    const evals = r.evals.map((e, i) => {
      if (i === r.evals.length - 1 || !e.testConfusion) return e;
      const { testConfusion: _dropped, ...rest } = e;
      return rest;
    });
    runs[id] = { steps: [...r.steps], evals };
  }
  if (!runs.importance && !runs.uniform) return null;
  return {
    version: HISTORY_RECORD_VERSION,
    id: race.id,
    savedAt,
    reason,
    settings: { ...race.settings },
    backend: race.backend,
    device: race.device,
    finished: race.finished,
    runs,
  };
}

/** A fresh id for the race now on the page: saving the same race again replaces its record. */
export function newRaceId(now = Date.now()): string {
  return `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
