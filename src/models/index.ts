// Public API of the model zoo.
export { MODEL_ZOO, buildModel, cloneModel, countParameters, parameterCount, isModelName } from './zoo';
export type { ModelConfig, ZooEntry, ModelName } from './zoo';
