// The runs a samplers race holds (bench/samplers.ts): uniform, its A/A twin, and every
// sampler in the configuration the page offers. Presample runs use smoothing c = 0 (the
// paper's draw); the score table its own tableSmoothing. Auto-mode runs train uniformly while
// τ stays under τ_th (docs/method.md §4), which is what the page does by default.
import type { TrainerSettings } from '../../src/is/index.ts';

export interface SamplerRun {
  /** Stable name for --samplers and for finding runs in stored records. */
  key: string;
  /** The label in tables and results (a record's runs are matched to samplers by it). */
  label: string;
  settings: Partial<TrainerSettings>;
  /** Another draw stream than the race's (the A/A twin). */
  drawStream?: string;
  /** τ_th from this machine's measured costs (the page's `measured` mode). */
  measuredTauThreshold?: boolean;
  /** Only read from older records (their tables are rebuilt with --merge), never raced now. */
  legacy?: boolean;
  /** InfoBatch's annealing: full epochs for the last (1 − this) of the race's epochs (pruneFullFrom = this × epochs). */
  pruneUntilShare?: number;
}

export const SAMPLER_RUNS: readonly SamplerRun[] = [
  { key: 'uniform', label: 'uniform', settings: { mode: 'uniform' } },
  // Same weights, same work, other draws: its gap to uniform is the noise floor of the race.
  { key: 'uniform-aa', label: 'uniform, other draws (A/A)', settings: { mode: 'uniform' }, drawStream: 'aa' },
  { key: 'presample-auto', label: 'presample, auto (Algorithm 1, measured τ_th)', settings: { mode: 'auto', sampler: 'presample' }, measuredTauThreshold: true },
  { key: 'presample-forced', label: 'presample, forced', settings: { mode: 'importance', sampler: 'presample' } },
  { key: 'table-c0.2', label: 'score table, c = 0.2 (auto)', settings: { mode: 'auto', sampler: 'table', tableSmoothing: 0.2 } },
  { key: 'table-c0', label: 'score table, c = 0 (auto)', settings: { mode: 'auto', sampler: 'table', tableSmoothing: 0 } },
  // Later selection methods (docs/method.md §9), always on as in their papers. Online batch
  // selection in both weightings: the unbiased one (the page's default) and the paper's.
  { key: 'online-batch', label: 'online batch selection, s = 100, unbiased', settings: { mode: 'importance', sampler: 'online-batch', rankPressure: 100, rankCorrection: 1 } },
  { key: 'online-batch-biased', label: "online batch selection, s = 100, unweighted (paper's)", settings: { mode: 'importance', sampler: 'online-batch', rankPressure: 100, rankCorrection: 0 } },
  // InfoBatch with the paper's r = 0.5 and its annealing: full epochs for the last 12.5 %.
  { key: 'infobatch', label: 'InfoBatch, r = 0.5', settings: { mode: 'importance', sampler: 'infobatch', pruneRatio: 0.5 }, pruneUntilShare: 0.875 },
  // Records from before the measured τ_th: Algorithm 1 with the cost model's τ_th = 2.
  { key: 'presample-auto-costmodel', label: 'presample, auto (Algorithm 1)', settings: { mode: 'auto', sampler: 'presample' }, legacy: true },
];

/** The A/A twin: not a sampler, the noise floor. */
export const isAaRun = (s: SamplerRun): boolean => s.drawStream !== undefined && s.settings.mode === 'uniform';
