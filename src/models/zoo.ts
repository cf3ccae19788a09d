// A small model zoo, built by name from a config. Every model outputs LOGITS (no softmax):
// the importance-sampling scores (‖softmax(z) − y‖₂) and the loss are computed from them.
// All initial weights come from seeded initializers, so the same seed gives the same model.
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../is/rng';
import type { Rng } from '../is/types';
import { MODEL_CATALOGUE, isModelName, type ModelCatalogueEntry, type ModelName } from './catalogue';

export interface ModelConfig {
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Seeds every initializer; the same seed gives identical initial weights. */
  seed: number;
}

/** A catalogue entry (name, title, description) with its builder. */
export interface ZooEntry extends ModelCatalogueEntry {
  build(config: ModelConfig): tf.Sequential;
}

type Initializer = ReturnType<typeof tf.initializers.heNormal>;

function kernelInit(rng: Rng): Initializer {
  return tf.initializers.heNormal({ seed: rng.seed31() });
}

function outputInit(rng: Rng): Initializer {
  return tf.initializers.glorotUniform({ seed: rng.seed31() });
}

function check(config: ModelConfig): void {
  const { inputShape, numClasses } = config;
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    inputShape.some((d) => !Number.isInteger(d) || d < 1)
  ) {
    throw new Error(`inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`numClasses must be an integer ≥ 2, got ${numClasses}`);
  }
  if (!Number.isInteger(config.seed) || config.seed < 0) {
    throw new Error(`seed must be a non-negative integer, got ${config.seed}`);
  }
}

function mlp(config: ModelConfig): tf.Sequential {
  const rng = createRng(config.seed);
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.flatten({ inputShape: config.inputShape }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: kernelInit(rng), biasInitializer: 'zeros' }),
      tf.layers.dense({ units: config.numClasses, kernelInitializer: outputInit(rng), biasInitializer: 'zeros' }),
    ],
  });
}

/** conv(f1) → pool → conv(f2) → pool → dense(hidden) → logits, 'same' padding. */
function cnn(name: ModelName, config: ModelConfig, f1: number, f2: number, hidden: number, doubleConv: boolean): tf.Sequential {
  const rng = createRng(config.seed);
  const [h, w] = config.inputShape;
  const conv = (filters: number, first: boolean): tf.layers.Layer =>
    tf.layers.conv2d({
      ...(first ? { inputShape: config.inputShape } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: kernelInit(rng),
      biasInitializer: 'zeros',
    });
  const layers: tf.layers.Layer[] = [conv(f1, true)];
  if (doubleConv) layers.push(conv(f1, false));
  // Pool only while the image is at least 2 pixels on each side (tiny synthetic images).
  if (h >= 2 && w >= 2) layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  layers.push(conv(f2, false));
  if (h >= 4 && w >= 4) layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  layers.push(tf.layers.flatten());
  layers.push(tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: kernelInit(rng), biasInitializer: 'zeros' }));
  layers.push(tf.layers.dense({ units: config.numClasses, kernelInitializer: outputInit(rng), biasInitializer: 'zeros' }));
  return tf.sequential({ name, layers });
}

/** How each model of the catalogue is built; a name without a builder does not compile. */
const BUILDERS: Record<ModelName, (config: ModelConfig) => tf.Sequential> = {
  mlp,
  'cnn-tiny': (c) => cnn('cnn-tiny', c, 8, 16, 64, false),
  'cnn-small': (c) => cnn('cnn-small', c, 16, 32, 128, true),
};

export const MODEL_ZOO: Readonly<Record<ModelName, ZooEntry>> = Object.freeze(
  Object.fromEntries(
    Object.values(MODEL_CATALOGUE).map((entry) => [entry.name, Object.freeze({ ...entry, build: BUILDERS[entry.name] })]),
  ) as Record<ModelName, ZooEntry>,
);

/** Builds a model of the zoo; it outputs logits [n, numClasses]. */
export function buildModel(name: ModelName, config: ModelConfig): tf.Sequential {
  if (!isModelName(name)) {
    throw new Error(`unknown model "${String(name)}"; choose one of ${Object.keys(MODEL_ZOO).join(', ')}`);
  }
  check(config);
  return MODEL_ZOO[name].build(config);
}

/** Number of trainable scalars. */
export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

/** Parameters of a zoo model for a given input, without keeping the model. */
export function parameterCount(name: ModelName, config: Omit<ModelConfig, 'seed'> & { seed?: number }): number {
  const model = buildModel(name, { seed: 0, ...config });
  const n = countParameters(model);
  model.dispose();
  return n;
}

/**
 * A second model with the same architecture and a copy of `source`'s current weights:
 * the two runs start from identical initial weights and train independently.
 */
export function cloneModel(name: ModelName, config: ModelConfig, source: tf.LayersModel): tf.Sequential {
  const copy = buildModel(name, config);
  const weights = source.getWeights().map((w) => w.clone());
  copy.setWeights(weights);
  tf.dispose(weights);
  return copy;
}
