// What the page keeps of a finished race (issue: compare experiments): its settings (and so
// its share link), the backend it ran on, and both runs' charted history. A record is plain
// data, stored in IndexedDB (historyStore.ts) and read back through `parseHistoryRecord`,
// which refuses anything that is not a record this page could have written rather than draw
// garbage (or a million points).
import { DATASET_CATALOGUE } from '../../data/catalogue';
import type { EvalPoint, RunId, StepPoint } from '../../contract/protocol';
import {
  checkSettings,
  checkSettingValue,
  defaultSettings,
  isSettingKey,
  type ImportanceMode,
  type SamplerKind,
  type Settings,
} from '../../contract/settings';
import { DEFAULT_MAX_POINTS } from '../metricsStore';

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

// Bounds on what is read back. Any script of the same origin can write the store (on GitHub
// Pages: every project site of the same user), so a stored value is checked before anything
// draws it, and refused at the first thing this page would never have written.
/** Most points of one series (steps or evaluations of a run): what the page's metrics store keeps. */
export const MAX_RECORD_POINTS = DEFAULT_MAX_POINTS;
/** Longest id this page writes is ~16 characters (newRaceId). */
const MAX_ID_LENGTH = 64;
/** Longest backend or adapter name kept (adapter names run to ~60 characters). */
const MAX_NAME_LENGTH = 200;
/** A record saved more than this after the clock's now is refused (a day: clock changes). */
const FUTURE_SLACK_MS = 86_400_000;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFiniteNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** A metric: any number (a diverged run's loss or τ may be NaN or infinite; charts leave those out). */
const isMetric = (v: unknown): v is number => typeof v === 'number';
const isShare = (v: unknown): v is number => typeof v === 'number' && (Number.isNaN(v) || (v >= 0 && v <= 1));
const isOptional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);

/** A stored step point rebuilt from its known fields, or null when one is missing or out of range. */
function readStepPoint(v: unknown): StepPoint | null {
  if (!isObject(v)) return null;
  const { step, samplesSeen, clockMs, batchLoss, mode, importanceActive, tauRaw, tauSmoothed, tauThreshold } = v;
  if (!isCount(step) || !isFiniteNonNegative(samplesSeen) || !isFiniteNonNegative(clockMs)) return null;
  if (!isMetric(batchLoss) || !isMetric(tauRaw) || !isMetric(tauSmoothed) || !isMetric(tauThreshold)) return null;
  if (typeof mode !== 'string' || checkSettingValue('mode', mode) !== null || typeof importanceActive !== 'boolean') return null;
  const { sampler, scoreMs, trainMs, clockEstimated } = v;
  if (!isOptional(sampler, (s) => typeof s === 'string' && checkSettingValue('sampler', s) === null)) return null;
  if (!isOptional(scoreMs, isFiniteNonNegative) || !isOptional(trainMs, isFiniteNonNegative)) return null;
  if (clockEstimated !== undefined && clockEstimated !== true) return null;
  const point: StepPoint = { step, samplesSeen, clockMs, batchLoss, mode: mode as ImportanceMode, importanceActive, tauRaw, tauSmoothed, tauThreshold };
  if (sampler !== undefined) point.sampler = sampler as SamplerKind;
  if (scoreMs !== undefined) point.scoreMs = scoreMs as number;
  if (trainMs !== undefined) point.trainMs = trainMs as number;
  if (clockEstimated) point.clockEstimated = true;
  return point;
}

/** A stored evaluation rebuilt from its known fields; confusion counts must be K×K whole numbers. */
function readEvalPoint(v: unknown, classes: number): EvalPoint | null {
  if (!isObject(v)) return null;
  const { step, samplesSeen, clockMs, trainLoss, trainAccuracy, testLoss, testAccuracy, testConfusion } = v;
  if (!isCount(step) || !isFiniteNonNegative(samplesSeen) || !isFiniteNonNegative(clockMs)) return null;
  if (!isMetric(trainLoss) || !isMetric(testLoss) || !isShare(testAccuracy) || !isOptional(trainAccuracy, isShare)) return null;
  const point: EvalPoint = { step, samplesSeen, clockMs, trainLoss, testLoss, testAccuracy };
  if (trainAccuracy !== undefined) point.trainAccuracy = trainAccuracy as number;
  if (testConfusion !== undefined) {
    // Length first: a million entries are refused without reading them.
    if (!Array.isArray(testConfusion) || testConfusion.length !== classes * classes || !testConfusion.every(isCount)) return null;
    point.testConfusion = [...(testConfusion as number[])];
  }
  return point;
}

/** One run's series, or the reason it is refused. */
function readRun(id: RunId, r: unknown, classes: number): RecordedRun | string {
  if (!isObject(r) || !Array.isArray(r.steps) || !Array.isArray(r.evals)) return `run "${id}" is malformed`;
  // The lengths before any point: a run of a million points costs nothing to refuse.
  if (r.steps.length > MAX_RECORD_POINTS) return `run "${id}" has ${r.steps.length} step points (at most ${MAX_RECORD_POINTS})`;
  if (r.evals.length > MAX_RECORD_POINTS) return `run "${id}" has ${r.evals.length} evaluations (at most ${MAX_RECORD_POINTS})`;
  const steps: StepPoint[] = [];
  for (let i = 0; i < r.steps.length; i++) {
    const p = readStepPoint(r.steps[i]);
    if (!p) return `run "${id}" has a malformed step point (at ${i})`;
    if (i > 0 && p.step < steps[i - 1].step) return `run "${id}" has steps out of order (at ${i})`;
    steps.push(p);
  }
  const evals: EvalPoint[] = [];
  for (let i = 0; i < r.evals.length; i++) {
    const p = readEvalPoint(r.evals[i], classes);
    if (!p) return `run "${id}" has a malformed evaluation (at ${i})`;
    if (i > 0 && p.step < evals[i - 1].step) return `run "${id}" has evaluations out of order (at ${i})`;
    evals.push(p);
  }
  return { steps, evals };
}

const nameOrNull = (v: unknown): string | null | undefined =>
  typeof v === 'string' ? (v.length <= MAX_NAME_LENGTH ? v : undefined) : v === null || v === undefined ? null : undefined;

export interface ParseRecordOptions {
  /** The key the value is stored under: a record must be stored under its own id. */
  key?: string;
  /** The clock's now, ms since the epoch (for tests). */
  now?: number;
}

/**
 * A stored value as a record, or the reason it is not one (a corrupt or foreign entry: the
 * page skips it with a notice, and trimming drops it first). Settings missing from an older
 * record take their defaults; settings that fail the schema make the record unusable, since
 * its link would not reproduce it. Points are rebuilt from their known fields, bounded in
 * number and checked: whole, finite, non-negative steps, sample counts and clocks, in order.
 */
export function parseHistoryRecord(value: unknown, { key, now = Date.now() }: ParseRecordOptions = {}): HistoryRecord | string {
  if (!isObject(value)) return 'not an object';
  if (value.version !== HISTORY_RECORD_VERSION) return `version ${String(value.version).slice(0, 20)} (this page reads ${HISTORY_RECORD_VERSION})`;
  if (typeof value.id !== 'string' || !value.id) return 'no id';
  if (value.id.length > MAX_ID_LENGTH) return `an id longer than ${MAX_ID_LENGTH} characters`;
  if (key !== undefined && key !== value.id) return `stored under key ${JSON.stringify(key.slice(0, MAX_ID_LENGTH))} but its id is ${JSON.stringify(value.id)}`;
  if (typeof value.savedAt !== 'number' || !Number.isFinite(value.savedAt) || value.savedAt < 0) return 'no save time';
  if (value.savedAt > now + FUTURE_SLACK_MS) return 'saved in the future';
  if (!isObject(value.settings)) return 'no settings';
  const settings: Record<string, unknown> = { ...defaultSettings() };
  for (const [k, v] of Object.entries(value.settings)) if (isSettingKey(k)) settings[k] = v;
  const errors = checkSettings(settings as unknown as Settings);
  if (errors.length) return `its settings are invalid (${errors[0]})`;
  const backend = nameOrNull(value.backend);
  const device = nameOrNull(value.device);
  if (backend === undefined || device === undefined) return `its backend or device is not a name of at most ${MAX_NAME_LENGTH} characters`;
  if (!isObject(value.runs)) return 'no runs';
  const classes = DATASET_CATALOGUE[(settings as unknown as Settings).dataset].numClasses;
  const runs: Partial<Record<RunId, RecordedRun>> = {};
  for (const id of ['importance', 'uniform'] as const) {
    if (value.runs[id] === undefined) continue;
    const run = readRun(id, value.runs[id], classes);
    if (typeof run === 'string') return run;
    runs[id] = run;
  }
  if (!runs.importance && !runs.uniform) return 'no run in it';
  const reason = (['reset', 'restart', 'budget', 'reload'] as const).find((x) => x === value.reason) ?? 'reset';
  return {
    version: HISTORY_RECORD_VERSION,
    id: value.id,
    savedAt: value.savedAt,
    reason,
    settings: settings as unknown as Settings,
    backend,
    device,
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
