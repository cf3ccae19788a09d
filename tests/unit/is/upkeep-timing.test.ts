// The measured τ_th (docs/method.md §3) compares an importance step's cost with a uniform step's.
// A sampler's upkeep after the read (a score table's update in observe()) is part of that cost:
// the step time the trainer reports must include it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { ImportanceTrainer, UniformSampler, asLogitsModel, createRng, registerSampler, tauFromScores } from '../../../src/is';
import { randomData, tinyMlp } from '../../support/isHelpers';

declare module '../../../src/is/catalogue' {
  interface CustomSamplerNames {
    'slow-upkeep': true;
  }
}

const UPKEEP_MS = 40;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Uniform draws; observe() spends UPKEEP_MS (a busy wait: a lower bound whatever the load).
  registerSampler({
    name: 'slow-upkeep',
    label: 'Slow upkeep',
    description: 'Test sampler whose observe() takes 40 ms.',
    create: (context) => {
      const uniform = new UniformSampler(context);
      return {
        draw: (settings) => uniform.draw(settings),
        observe: (batch) => {
          const end = performance.now() + UPKEEP_MS;
          while (performance.now() < end) {
            /* the upkeep */
          }
          return tauFromScores(batch.scores);
        },
        dispose: () => {},
      };
    },
  });
});

it('reports step times that include the sampler\'s observe() (its upkeep), not only the device work', async () => {
  const { x, y } = randomData(createRng(2), 64, 6, 3);
  const model = tinyMlp(3, 6, 4, 3);
  const trainer = new ImportanceTrainer({ model: asLogitsModel(model), x, y, rng: createRng(1), settings: { mode: 'importance', sampler: 'slow-upkeep', batchSize: 8 } });
  const reports = await trainer.trainBlock(3);
  // Three observe() calls of ≥ 40 ms share the block: ≥ 40 ms a step. Before, the time was
  // taken at the read, before observe(): a tiny MLP's step, a few ms.
  for (const r of reports) expect(r.trainMs).toBeGreaterThanOrEqual(UPKEEP_MS);
  trainer.dispose();
  model.dispose();
  tf.dispose([x, y]);
});
