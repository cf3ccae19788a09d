// Public API of the importance-sampling library (Katharopoulos & Fleuret, ICML 2018).
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
