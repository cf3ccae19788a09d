// Public API of the importance-sampling library (Katharopoulos & Fleuret, ICML 2018).
//
// The few lines:
//   await fitImportance(model, x, labels, { epochs: 5, batchSize: 64, mode: 'auto', seed: 1 });
// Step by step (what the engine does):
//   const trainer = new ImportanceTrainer({ model: asLogitsModel(model), x, y: oneHot, rng: createRng(1) });
//   const report = await trainer.step();   // trainer.updateSettings({ mode: 'importance' }) between steps
//   trainer.dispose();
export type {
  ImportanceMode,
  LogitsModel,
  OptimizerName,
  Rng,
  SamplerKind,
  ScoreKind,
  ScoreSummary,
  StepReport,
  TrainerSettings,
} from './types';
export { createRng, deriveSeed } from './rng';
export { asLogitsModel, trainableVariables } from './logits';
export { perSampleGradientNorms, perSampleLoss, scoreBatch, scoresFromLogits, upperBoundScores } from './scores';
export { drawWithReplacement, importanceSample, samplingProbabilities, uniformIndices } from './sampler';
export type { ImportanceDraw } from './sampler';
export { TauEstimator, tauFromScores, tauThresholdFor } from './tau';
export { summarize } from './summary';
export { DEFAULT_SETTINGS, presampleSize, tauThresholdOf } from './settings';
export { checkSettingKeys, validateLabelValues, validateSettings, validateTrainingData } from './validate';
export { createOptimizer, disposeOptimizer, setLearningRate } from './optimizer';
export { ImportanceTrainer } from './trainer';
export type { TrainerOptions } from './trainer';
export { fitImportance } from './fit';
export type { EpochSummary, FitOptions, FitResult } from './fit';
