// Public API of the model zoo. catalogue.ts (names, titles, descriptions) is tfjs-free;
// zoo.ts builds the models.
export { MODEL_ZOO, buildModel, cloneModel, countParameters, parameterCount } from './zoo';
export type { ModelConfig, ZooEntry } from './zoo';
export { MODEL_CATALOGUE, MODEL_NAMES, isModelName } from './catalogue';
export type { ModelCatalogueEntry, ModelName } from './catalogue';
