// The score table as the menu, the settings and the cost model see it (docs/method.md §5);
// tfjs-free, read by both bundles. The implementation is sampler.ts beside it.
import { TABLE_TAU_THRESHOLD } from '../../tau';
import { defineSamplerMeta } from '../meta';

export const tableMeta = defineSamplerMeta({
  name: 'table',
  label: 'Score table (no extra pass)',
  description:
    'Keeps every training sample’s last score, taken from the forward pass it was trained in, so scoring costs ' +
    'no extra pass. Importance steps draw b samples from the whole training set in proportion to the table ' +
    '(samples not yet scored count as the highest score seen), weighted by 1 / (N·p). The scores are as old as ' +
    'each sample’s last visit; a tenth of the draws stay uniform so none is locked out and every weight stays ' +
    'bounded. τ is measured on each trained batch’s fresh scores, so auto mode turns the table off where its ' +
    'stale scores stop paying (τ_th 1.02 for its upkeep, plus twice the measurement’s standard error).',
  capabilities: { scoresPresample: false, keepsTable: true },
  weightFormula: 'w = 1 / (N·q)',
  tauThreshold: () => TABLE_TAU_THRESHOLD,
  menuOrder: 2,
  settings: {
    tableSmoothing: {
      label: 'Smoothing c (score table)',
      short: 'table c',
      help:
        'Additive smoothing of the table’s draw, q ∝ e + c·mean(e): stale scores need it. c = 0.2 trained stably in ' +
        'the benchmarks, where c = 0 could diverge (docs/method.md §5).',
      default: 0.2,
      min: 0,
      max: 100,
      integer: false,
      live: true,
    },
  },
});
