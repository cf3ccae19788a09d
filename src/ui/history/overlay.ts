// Earlier races drawn beside the live one (issue: compare experiments): what tells a stored
// record apart from the live settings, in a few words ("seed 2", "B/b 5"); records that differ
// only in the seed grouped together; and each group's curves on the chart's x axis, a group of
// several seeds as its mean with the band between the lowest and the highest seed.
// Plain data in, plain data out: no React, no tfjs.
import type { EvalPoint, RunId } from '../../contract/protocol';
import { SAMPLER_SETTING_KEYS, SETTINGS_SCHEMA, type SamplerSettingKey, type Settings } from '../../contract/settings';
import { DATASET_CATALOGUE } from '../../data/catalogue';
import { xValue, type XAxisKind, type XY } from '../charts/common';
import { DISPLAY_POINTS } from '../charts/downsample';
import type { HistoryRecord, RecordedRun } from './record';

// ---- what differs -------------------------------------------------------------------------

const number = (v: number): string => String(Number(v.toPrecision(3)));

const budgetText = (s: Settings): string =>
  s.budgetUnit === 'off' ? 'no budget' : `budget ${number(s.budget)}${s.budgetUnit === 'seconds' ? ' s' : ' epochs'}`;

interface SettingText {
  /** The setting as a reader names it, with its value: "B/b 5". */
  text: (s: Settings) => string;
  /** False where the value cannot change the run (momentum under Adam): then it is no difference. */
  applies?: (s: Settings) => boolean;
}

function samplerSettingTexts(): Record<SamplerSettingKey, SettingText> {
  const out = {} as Record<SamplerSettingKey, SettingText>;
  for (const key of SAMPLER_SETTING_KEYS) {
    const field = SETTINGS_SCHEMA[key];
    out[key] = { text: (s) => `${field.short ?? key} ${number(s[key])}` };
  }
  return out;
}

/**
 * The settings that change what a race's curves are, in the order a label names them (the
 * broadest first, the seed last). Left out, since they leave both runs' numbers as they are:
 * `compare` (the importance run trains the same with or without a uniform run beside it; a
 * record without one simply draws no uniform line), `varianceLabInterval` (the lab probes off
 * every clock, from a seed of its own: docs/method.md §8) and `trainWhenHidden` (a hidden
 * page's blocks are charged the visible pace: §7). `blockSteps` stays: auto mode decides once
 * per block and the score table draws from what it knew at the block's start (§7), so the
 * block size changes the trajectory. The backend is compared apart (see `backendOf`).
 */
const SETTING_TEXT: { readonly [K in Exclude<keyof Settings, 'compare' | 'varianceLabInterval' | 'trainWhenHidden' | 'backend'>]: SettingText } = {
  dataset: { text: (s) => DATASET_CATALOGUE[s.dataset]?.title ?? s.dataset },
  model: { text: (s) => s.model },
  trainCap: { text: (s) => (s.trainCap === 0 ? 'all samples' : `cap ${s.trainCap}`) },
  labelNoise: { text: (s) => `noise ${number(s.labelNoise)}` },
  imbalanceClass: { text: (s) => (s.imbalanceClass < 0 ? 'no imbalance' : `imbalance class ${s.imbalanceClass}`) },
  imbalanceFraction: { text: (s) => `imbalance kept ${number(s.imbalanceFraction)}`, applies: (s) => s.imbalanceClass >= 0 },
  mode: { text: (s) => `mode ${s.mode}` },
  sampler: { text: (s) => `sampler ${s.sampler}` },
  score: { text: (s) => `score ${s.score}` },
  optimizer: { text: (s) => s.optimizer },
  learningRate: { text: (s) => `lr ${number(s.learningRate)}` },
  momentum: { text: (s) => `momentum ${number(s.momentum)}`, applies: (s) => s.optimizer === 'sgd' },
  batchSize: { text: (s) => `b ${s.batchSize}` },
  presampleFactor: { text: (s) => `B/b ${number(s.presampleFactor)}` },
  tauThresholdMode: { text: (s) => `τ_th ${s.tauThresholdMode === 'costModel' ? 'cost model' : s.tauThresholdMode}` },
  tauThreshold: { text: (s) => `τ_th ${number(s.tauThreshold)}`, applies: (s) => s.tauThresholdMode === 'fixed' },
  // Each sampler's own settings, named as its meta.ts says ("table c 0.5").
  ...samplerSettingTexts(),
  evalInterval: { text: (s) => `eval every ${s.evalInterval}` },
  evalSize: { text: (s) => `eval size ${s.evalSize}` },
  blockSteps: { text: (s) => `block ${s.blockSteps}` },
  // The budget leaves the curves as they are up to its end, but a race of another length is a
  // different experiment to compare with (and to average seeds over).
  budgetUnit: { text: budgetText },
  budget: { text: budgetText, applies: (s) => s.budgetUnit !== 'off' },
  seed: { text: (s) => `seed ${s.seed}` },
};
const LABELLED_KEYS = Object.keys(SETTING_TEXT) as (keyof typeof SETTING_TEXT)[];

/** Items a label names before it says "+N more". */
const MAX_LABEL_ITEMS = 3;

/**
 * The backend a record trained on, as compared: the name it ran on ("webgpu", "cpu") where
 * both sides know it (an `auto` preference can land on either), else the preference. The
 * backend moves the time axis, and WebGL and the CPU round differently, so it is a difference.
 */
function backendOf(settings: Settings, actual: string | null | undefined): { value: string; text: string } {
  return actual ? { value: `on:${actual}`, text: `on ${actual}` } : { value: `pref:${settings.backend}`, text: `backend ${settings.backend}` };
}

function differences(
  live: Settings,
  other: Settings,
  liveBackend: string | null | undefined,
  otherBackend: string | null | undefined,
  withSeed: boolean,
): string[] {
  const items: string[] = [];
  for (const key of LABELLED_KEYS) {
    if (key === 'seed') {
      // Actual names only when both are known: a known name against a bare preference says nothing.
      const both = Boolean(liveBackend && otherBackend);
      const a = backendOf(live, both ? liveBackend : null);
      const b = backendOf(other, both ? otherBackend : null);
      if (a.value !== b.value) items.push(b.text);
      if (!withSeed) continue;
    }
    const t = SETTING_TEXT[key];
    if (t.applies && !t.applies(other)) continue;
    if (live[key] === other[key] && (!t.applies || t.applies(live))) continue;
    // Two settings named in one item (budget unit and amount) name it once.
    const text = t.text(other);
    if (!items.includes(text)) items.push(text);
  }
  return items;
}

function joinItems(items: readonly string[], none: string): string {
  if (items.length === 0) return none;
  if (items.length <= MAX_LABEL_ITEMS) return items.join(', ');
  return `${items.slice(0, MAX_LABEL_ITEMS).join(', ')} +${items.length - MAX_LABEL_ITEMS} more`;
}

/**
 * What `other` changes against the live settings, short: "seed 2", "B/b 5, lr 0.01",
 * "sampler presample", "same settings" when nothing that moves the curves differs. The
 * backends the two trained on, when given, are compared instead of the backend preferences.
 */
export function settingsDiffLabel(live: Settings, other: Settings, backends: { live?: string | null; other?: string | null } = {}): string {
  return joinItems(differences(live, other, backends.live, backends.other, true), 'same settings');
}

// ---- groups of seeds ----------------------------------------------------------------------

export interface OverlayGroup {
  /** The settings the records share, the seed left out: stable while the records are the same. */
  key: string;
  /** What tells the group apart from the live settings: "seed 2" for one record, "B/b 5, 3 seeds" for several. */
  label: string;
  /** What its records share against the live settings, the seed left out: ["B/b 5"], or none. */
  differences: readonly string[];
  /** Its records, in the order they were given. */
  records: readonly HistoryRecord[];
  /** Each record's own label (with its seed), for when its curve is drawn alone. */
  recordLabels: readonly string[];
}

function groupKey(r: HistoryRecord): string {
  const values: unknown[] = LABELLED_KEYS.filter((k) => k !== 'seed').map((k) => {
    const t = SETTING_TEXT[k];
    return t.applies && !t.applies(r.settings) ? null : r.settings[k];
  });
  values.push(backendOf(r.settings, r.backend).value);
  return JSON.stringify(values);
}

/**
 * The records grouped by everything but the seed (and by the backend they trained on), in the
 * order each group's first record comes. A group of one is drawn as its own line, a group of
 * several as the seeds' mean and band.
 */
export function overlayGroups(records: readonly HistoryRecord[], live: Settings, liveBackend?: string | null): OverlayGroup[] {
  const byKey = new Map<string, HistoryRecord[]>();
  for (const r of records) {
    const key = groupKey(r);
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  return [...byKey].map(([key, members]) => {
    const recordLabels = members.map((r) => settingsDiffLabel(live, r.settings, { live: liveBackend, other: r.backend }));
    const first = members[0];
    const shared = differences(live, first.settings, liveBackend, first.backend, false);
    const label = members.length === 1 ? recordLabels[0] : seedsLabel(shared, members);
    return { key, label, differences: shared, records: members, recordLabels };
  });
}

/** A group's label over `members`: its differences and how many seeds, "B/b 5, 3 seeds". */
function seedsLabel(shared: readonly string[], members: readonly HistoryRecord[]): string {
  // Repeats of one seed are runs of one experiment, not seeds.
  const seeds = new Set(members.map((r) => r.settings.seed)).size;
  const count = seeds === members.length ? `${members.length} seeds` : `${members.length} runs`;
  return joinItems([...shared, count], count);
}

// ---- curves -------------------------------------------------------------------------------

/**
 * What an overlay can draw, as the charts show it: the training loss (the loss chart), the
 * test accuracy in percent and the test loss (the accuracy chart's panels), and the importance
 * run's smoothed τ, the average the sampler switches on (the τ chart; its x is always steps).
 */
export type OverlayMetric = 'trainLoss' | 'testAccuracy' | 'testLoss' | 'tau';

const EVAL_VALUE: Record<Exclude<OverlayMetric, 'tau'>, (p: EvalPoint) => number> = {
  trainLoss: (p) => p.trainLoss,
  testAccuracy: (p) => p.testAccuracy * 100,
  testLoss: (p) => p.testLoss,
};

/**
 * One recorded run's points of `metric` on the x axis `xAxis` (τ: steps whatever the axis),
 * in x order; non-finite values, and non-positive ones when `positiveOnly` (a log axis), left out.
 */
export function metricPoints(run: RecordedRun, metric: OverlayMetric, xAxis: XAxisKind, positiveOnly = false): XY[] {
  const out: XY[] = [];
  const push = (x: number, y: number) => {
    if (Number.isFinite(x) && Number.isFinite(y) && (!positiveOnly || y > 0)) out.push({ x, y });
  };
  if (metric === 'tau') for (const p of run.steps) push(p.step, p.tauSmoothed);
  else for (const p of run.evals) push(xValue(xAxis, p), EVAL_VALUE[metric](p));
  // Stored in the order they were measured, so in x order; a record edited by hand may not be.
  for (let i = 1; i < out.length; i++) if (out[i].x < out[i - 1].x) return out.sort((a, b) => a.x - b.x);
  return out;
}

/**
 * The value of the piecewise-linear curve through `points` (sorted by x) at `x`; NaN outside
 * [first x, last x] or for no points. At an x that several points share, the last of them.
 */
export function interpolate(points: readonly XY[], x: number): number {
  const n = points.length;
  if (n === 0 || !(x >= points[0].x && x <= points[n - 1].x)) return NaN;
  // The last index i with points[i].x <= x.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid].x <= x) lo = mid;
    else hi = mid - 1;
  }
  if (lo === n - 1 || points[lo].x === x) return points[lo].y;
  const a = points[lo];
  const b = points[lo + 1];
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

export interface BandPoint {
  x: number;
  /** Mean over the seeds. */
  mean: number;
  /** Lowest and highest seed. */
  lo: number;
  hi: number;
}

/**
 * The mean of several curves, with the lowest and the highest of them, on one grid of x.
 *
 * Seeds of one setting measure at different x (the own clock differs from seed to seed; steps
 * and samples agree only while the evaluation interval and b do), so each curve is read on a
 * common grid by linear interpolation before averaging. The grid spans only the x range every
 * curve covers (from the latest first point to the earliest last point): past the shortest
 * curve's end a mean over fewer seeds would jump where one drops out, and extrapolating a
 * curve would invent data. The grid is the union of the curves' own x in that range, so
 * curves measured at the same x (the steps axis) are averaged at their measured points with
 * no interpolation at all; when that is more than `maxPoints` x, it is `maxPoints` evenly
 * spaced x instead, which bounds the work and the drawing like the live lines' downsampling.
 *
 * The band is min..max rather than mean ± 1 sd: with the few seeds a page keeps (2 to 5) a
 * standard deviation is a poor estimate (for two seeds mean ± sd reaches past both of them),
 * while min..max says plainly "every seed was in here" and needs no assumption about the
 * seeds' distribution. Null when fewer than two curves have points or their x ranges do not overlap.
 */
export function meanBand(curves: readonly (readonly XY[])[], maxPoints = DISPLAY_POINTS): BandPoint[] | null {
  const used = curves.filter((c) => c.length > 0);
  if (used.length < 2) return null;
  const start = Math.max(...used.map((c) => c[0].x));
  const end = Math.min(...used.map((c) => c[c.length - 1].x));
  if (!(start <= end)) return null;
  let grid: number[];
  const union = new Set<number>();
  for (const c of used) for (const p of c) if (p.x >= start && p.x <= end) union.add(p.x);
  if (union.size <= maxPoints) grid = [...union].sort((a, b) => a - b);
  else grid = Array.from({ length: maxPoints }, (_, i) => (i === maxPoints - 1 ? end : start + ((end - start) * i) / (maxPoints - 1)));
  return grid.map((x) => {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of used) {
      const y = interpolate(c, x);
      sum += y;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
    return { x, mean: sum / used.length, lo, hi };
  });
}

/** One group's curve of one run: a record's own line, or the mean and band of its seeds. */
export interface OverlaySeries {
  /** Stable: the group's key, the run and, for a record drawn alone within a group, its id. */
  key: string;
  run: RunId;
  /** The group's label (counting the seeds that have this run), or the record's own where its curve is drawn alone. */
  label: string;
  /** Index of its group in the groups given (for a line style per group). */
  group: number;
  /** Records whose curves it draws: 1 for a line, 2 or more for a mean with a band. */
  count: number;
  /** The record's points, or the mean of the seeds on their common grid. */
  line: XY[];
  /** Several seeds: the lowest and highest seed at each x of `line`. */
  band: { x: number; lo: number; hi: number }[] | null;
}

/**
 * Each group's curves of `metric` for the runs in `runs`, on the x axis `xAxis`. A group with
 * one record of a run (or whose seeds' x ranges do not overlap) draws each record's own line.
 */
export function overlaySeries(
  groups: readonly OverlayGroup[],
  metric: OverlayMetric,
  xAxis: XAxisKind,
  options: { runs?: readonly RunId[]; positiveOnly?: boolean } = {},
): OverlaySeries[] {
  const runs = options.runs ?? (metric === 'tau' ? ['importance'] : ['importance', 'uniform']);
  const out: OverlaySeries[] = [];
  groups.forEach((g, group) => {
    for (const run of runs) {
      const members = g.records
        .map((r, i) => ({ r, i, points: r.runs[run] ? metricPoints(r.runs[run], metric, xAxis, options.positiveOnly) : [] }))
        .filter((m) => m.points.length > 0);
      if (members.length === 0) continue;
      const band = members.length > 1 ? meanBand(members.map((m) => m.points)) : null;
      if (band) {
        out.push({
          key: `${g.key}|${run}`,
          run,
          label: seedsLabel(g.differences, members.map((m) => m.r)),
          group,
          count: members.length,
          line: band.map((p) => ({ x: p.x, y: p.mean })),
          band: band.map((p) => ({ x: p.x, lo: p.lo, hi: p.hi })),
        });
      } else {
        for (const m of members) {
          out.push({
            key: `${g.key}|${run}|${m.r.id}`,
            run,
            label: g.recordLabels[m.i],
            group,
            count: 1,
            line: m.points,
            band: null,
          });
        }
      }
    }
  });
  return out;
}
