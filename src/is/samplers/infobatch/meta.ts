// InfoBatch (Qin et al., ICLR 2024; docs/method.md §9) as the menu, the settings and the cost
// model see it; tfjs-free, read by both bundles. The implementation is sampler.ts beside it.
import { TABLE_TAU_THRESHOLD } from '../../tau';
import { defineSamplerMeta } from '../meta';

export const infobatchMeta = defineSamplerMeta({
  name: 'infobatch',
  label: 'InfoBatch (pruned epochs)',
  description:
    'Qin et al. (ICLR 2024): training runs in epochs over a randomly pruned set. At each epoch’s start every sample ' +
    'whose last score (kept from the pass it was trained in: no extra pass) is below the mean is dropped with ' +
    'probability r, and the kept ones among them count 1/(1 − r), so each epoch’s total gradient stays unbiased ' +
    'with fewer steps. It saves steps per epoch, not variance per step: at equal own-clock time it makes as many ' +
    'steps as uniform, each a little larger.',
  capabilities: { scoresPresample: false, keepsTable: true },
  weightFormula: 'w = 1 / (1 − r) for a kept low-score sample, else 1',
  tauThreshold: () => TABLE_TAU_THRESHOLD,
  menuOrder: 4,
  settings: {
    pruneRatio: {
      label: 'Prune ratio r (InfoBatch)',
      short: 'prune r',
      help: 'The chance that a sample scoring below the mean sits out an epoch; the kept ones count 1/(1 − r). The paper uses 0.5.',
      default: 0.5,
      min: 0,
      max: 0.95,
      integer: false,
      live: true,
    },
    pruneFullFrom: {
      label: 'Full epochs from epoch (InfoBatch, 0 = never)',
      short: 'full from ep',
      help:
        'From this many epochs of samples seen on, epochs hold every sample again (the paper’s annealing, its last 12.5 % ' +
        'of the epochs). 0 prunes to the end: a race has no planned length unless it has a budget.',
      default: 0,
      min: 0,
      max: 10000,
      integer: false,
      live: true,
    },
  },
});
