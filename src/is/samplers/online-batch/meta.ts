// Online batch selection (Loshchilov & Hutter, 2015; docs/method.md §9) as the menu, the settings
// and the cost model see it; tfjs-free, read by both bundles. The implementation is sampler.ts.
import { TABLE_TAU_THRESHOLD } from '../../tau';
import { defineSamplerMeta } from '../meta';

/** Largest selection pressure the settings allow: q_top / q_last; weights 1/(N·q) reach (s − 1)/ln s ≈ 145. */
export const MAX_SELECTION_PRESSURE = 1000;

export const onlineBatchMeta = defineSamplerMeta({
  name: 'online-batch',
  label: 'Online batch selection (rank)',
  description:
    'Loshchilov & Hutter (2015): every training sample is ranked by its last score, kept from the pass it was ' +
    'trained in (no extra pass), and drawn with a probability that falls exponentially with its rank, the top ' +
    'sample s times as likely as the last (s, the selection pressure). The paper trains on the selected samples ' +
    'unweighted, a biased gradient; here each is weighted (1/(N·q))^β, β = 1 unbiased (the default), β = 0 the ' +
    'paper’s form. τ is measured on the trained batches against the rank distribution, as for the score table.',
  capabilities: { scoresPresample: false, keepsTable: true },
  weightFormula: 'w = (1 / (N·q))^β',
  // Its upkeep is the table's (a draw and an update per step) plus a ranking per block.
  tauThreshold: () => TABLE_TAU_THRESHOLD,
  menuOrder: 3,
  settings: {
    rankPressure: {
      label: 'Selection pressure s (rank)',
      short: 'rank s',
      help:
        'How much likelier the highest-ranked sample is than the lowest: q falls as s^(−rank/N). 1 is uniform; the ' +
        'paper used 10² to 10⁸. With β = 1 the weights reach (s − 1)/ln s (21.5 at s = 100).',
      default: 100,
      min: 1,
      max: MAX_SELECTION_PRESSURE,
      integer: false,
      live: true,
    },
    rankCorrection: {
      label: 'Weight correction β (rank)',
      short: 'rank β',
      help:
        'Each drawn sample is weighted (1/(N·q))^β: 1 keeps the gradient unbiased (the mean loss is what it lowers); ' +
        '0 is the paper’s unweighted, biased form, which leans towards the hard samples.',
      default: 1,
      min: 0,
      max: 1,
      integer: false,
      live: true,
    },
  },
});
