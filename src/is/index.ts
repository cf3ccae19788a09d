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
export {
  IMPORTANCE_MODES,
  MODE_INFO,
  OPTIMIZERS,
  OPTIMIZER_INFO,
  SAMPLER_KINDS,
  SCORE_INFO,
  SCORE_KINDS,
  costModelTauThreshold,
  defaultTauThreshold,
  describeChoice,
  findSamplerInfo,
  isSamplerKind,
  samplerInfo,
} from './catalogue';
export type {
  BuiltinSamplerKind,
  ChoiceInfo,
  CustomSamplerNames,
  ModeInfo,
  SamplerCapabilities,
  SamplerInfo,
  SamplerSizes,
} from './catalogue';
export { createSampler, registerSampler } from './samplers/registry';
export { SAMPLER_METAS, SAMPLER_SETTINGS, SAMPLER_SETTING_KEYS, samplerSettingDefaults } from './samplers/metas';
export type { OwnedSamplerSetting, SamplerSettingKey, SamplerSettingValues } from './samplers/metas';
export { defineSamplerMeta } from './samplers/meta';
export type { SamplerMeta, SamplerSettingField } from './samplers/meta';
export { PresampleSampler } from './samplers/presample/sampler';
export { TableSampler } from './samplers/table/sampler';
export { UniformSampler } from './samplers/uniform';
export type {
  BatchDraw,
  DrawPosition,
  SettledBatch,
  Sampler,
  SamplerContext,
  SamplerFactory,
  SamplerRegistration,
} from './samplers/types';
export { conditionFor } from './condition';
export { drawOnDevice, drawUniforms } from './deviceDraw';
export type { DeviceDraw } from './deviceDraw';
export type { SamplingCondition, TauState } from './condition';
export { importanceWeight, importanceWeights } from './reweighting';
export { createRng, deriveSeed } from './rng';
export { asLogitsModel, trainableVariables } from './logits';
export { SCORE_CHUNK, perSampleGradientNorms, perSampleLoss, scoreBatch, scoreRows, scoresFromLogits, upperBoundScores } from './scores';
export { drawWithReplacement, importanceSample, samplingProbabilities, uniformIndices } from './sampler';
export type { ImportanceDraw } from './sampler';
export { BatchTauMeter, TABLE_TAU_THRESHOLD, TauEstimator, tauForSampling, tauFromScores, tauOfBatch, tauThresholdFor } from './tau';
export { DEFAULT_TABLE_FLOOR, ScoreTable } from './samplers/table/scoreTable';
export type { ScoreTableOptions } from './samplers/table/scoreTable';
export { summarize } from './summary';
export { DEFAULT_SETTINGS, presampleSize, tauThresholdOf } from './settings';
export { checkSettingKeys, validateLabelValues, validateSettings, validateTrainingData } from './validate';
export { createOptimizer, disposeOptimizer, setLearningRate } from './optimizer';
export { ImportanceTrainer, MAX_BLOCK_STEPS, TrainingDivergedError } from './trainer';
export type { TrainerOptions } from './trainer';
export { fitImportance } from './fit';
export type { EpochSummary, FitOptions, FitResult } from './fit';
