// The paper's "few lines of code": train a tfjs LayersModel with importance sampling.
import * as tf from '@tensorflow/tfjs';
import { asLogitsModel } from './logits';
import { createRng } from './rng';
import { ImportanceTrainer } from './trainer';
import type { Rng, StepReport, TrainerSettings } from './types';
import { validateLabelValues, validateTrainingData } from './validate';

export interface EpochSummary {
  /** 0-based. */
  epoch: number;
  /** Steps in this epoch. */
  steps: number;
  /** Mean of the steps' (weighted) batch losses: not the training loss (docs/method.md §6). */
  meanBatchLoss: number;
  /** Steps of this epoch that trained on importance-sampled batches. */
  importanceSteps: number;
  tauSmoothed: number;
}

export interface FitOptions extends Partial<TrainerSettings> {
  /** Training length in samples seen / N; may be fractional. */
  epochs: number;
  /** The source of randomness; else one seeded from `seed` (default 0). */
  rng?: Rng;
  seed?: number;
  onStep?: (report: StepReport) => void | Promise<void>;
  onEpoch?: (summary: EpochSummary) => void | Promise<void>;
}

export interface FitResult {
  steps: number;
  epochs: EpochSummary[];
}

/**
 * Trains `model` (last layer: logits or softmax) on x [N, ...] and labels y, either integer
 * class ids [N] or one-hot [N, C]. A compiled model's optimizer is used unless `optimizer`
 * is given; the compiled loss is ignored (the method needs softmax cross-entropy).
 */
export async function fitImportance(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  options: FitOptions,
): Promise<FitResult> {
  const { epochs, rng: givenRng, seed, onStep, onEpoch, ...settings } = options;
  if (!(typeof epochs === 'number' && Number.isFinite(epochs) && epochs > 0)) {
    throw new Error(`epochs must be a positive finite number, got ${epochs}: set epochs to e.g. 1`);
  }
  const logitsModel = asLogitsModel(model);
  const classes = logitsModel.classes ?? 0;
  if (y.rank !== 1) validateTrainingData(x, y, classes);
  else if (y.shape[0] !== x.shape[0]) {
    throw new Error(`y has ${y.shape[0]} labels but x has ${x.shape[0]} samples: pass one label per sample of x`);
  }
  await validateLabelValues(y, classes);

  const yOneHot = tf.tidy(() =>
    y.rank === 1 ? tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, classes) : tf.cast(y, 'float32'),
  ) as tf.Tensor2D;
  const compiled = settings.optimizer == null ? compiledOptimizer(model) : undefined;
  let trainer: ImportanceTrainer | null = null;
  try {
    trainer = new ImportanceTrainer({
      model: logitsModel,
      x,
      y: yOneHot,
      rng: givenRng ?? createRng(seed ?? 0),
      settings,
      optimizer: compiled,
    });
    const n = trainer.n;
    const b = trainer.settings.batchSize;
    const totalSteps = Math.ceil((epochs * n) / b);
    const summaries: EpochSummary[] = [];
    let epoch = 0;
    let epochSteps = 0;
    let lossSum = 0;
    let importanceSteps = 0;
    for (let step = 1; step <= totalSteps; step++) {
      const report = await trainer.step();
      epochSteps++;
      lossSum += report.batchLoss;
      if (report.importanceActive) importanceSteps++;
      if (onStep) await onStep(report);
      // Epoch e ends once (e + 1)·N samples have been seen, or at the last step.
      if (step * b >= (epoch + 1) * n || step === totalSteps) {
        const summary: EpochSummary = {
          epoch,
          steps: epochSteps,
          meanBatchLoss: lossSum / epochSteps,
          importanceSteps,
          tauSmoothed: report.tauSmoothed,
        };
        summaries.push(summary);
        if (onEpoch) await onEpoch(summary);
        epoch++;
        epochSteps = 0;
        lossSum = 0;
        importanceSteps = 0;
      }
    }
    return { steps: totalSteps, epochs: summaries };
  } finally {
    trainer?.dispose();
    yOneHot.dispose();
  }
}

function compiledOptimizer(model: tf.LayersModel): tf.Optimizer | undefined {
  // The getter is typed as always present but is undefined before compile().
  const optimizer: tf.Optimizer | undefined = model.optimizer;
  return optimizer ?? undefined;
}
