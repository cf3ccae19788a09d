// The paper's sampler as the menu, the settings and the cost model see it (docs/method.md §2,
// §3); tfjs-free, read by both bundles. The implementation is sampler.ts beside it.
import { tauThresholdFor } from '../../tau';
import { defineSamplerMeta } from '../meta';

export const presampleMeta = defineSamplerMeta({
  name: 'presample',
  label: 'Presample B, draw b (paper)',
  description:
    'The paper’s sampler. Each importance step draws B samples uniformly, scores them in one forward pass ' +
    'without gradients, and draws the b it trains on from them with replacement, each with probability p in ' +
    'proportion to its score. A drawn sample’s loss is weighted by 1 / (B·p), which keeps the gradient unbiased. ' +
    'Scoring B samples costs about as much as training on B/3, so it pays once τ exceeds (B + 3b) / 3b.',
  capabilities: { scoresPresample: true, keepsTable: false },
  weightFormula: 'w = 1 / (B·p)',
  tauThreshold: ({ batchSize, presampleSize }) => tauThresholdFor(presampleSize, batchSize),
  menuOrder: 1,
  settings: {
    smoothing: {
      label: 'Smoothing c (presample)',
      short: 'presample c',
      help:
        'Additive smoothing of the presample draw, p ∝ s + c·mean(s): every presampled sample stays drawable and its ' +
        'weight at most (1 + c)/c. Its scores are fresh, so it needs none (0).',
      default: 0,
      min: 0,
      max: 100,
      integer: false,
      live: true,
    },
  },
});
