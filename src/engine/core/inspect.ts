// What a trained model can show a person (the page's hands-on panels): its class probabilities
// for given images, its first layer's weights as small images, and the model itself in
// TensorFlow.js's own format (the model.json + weights .bin that tf.loadLayersModel reads).
// Pure tfjs over a model: no engine state, no messages (src/engine/page/handsOn.ts wires it).
//
// Tensor ownership: every function here disposes what it creates; the models' weights are
// read, never disposed (a layer's getWeights() returns its live variables, not copies).
import * as tf from '@tensorflow/tfjs';

/** Logits of a batch, as the race's runs compute them (Run.logits.logits(x, false)). */
export type LogitsOf = (x: tf.Tensor) => tf.Tensor2D;

/**
 * Class probabilities (softmax of the logits) of each model for `count` images, with one
 * device read for all of them. `pixels`: count·h·w·c model inputs, row-major (the dataset's
 * bytes / 255). Returns, per model, count·K probabilities, image i at [i·K, (i+1)·K).
 */
export async function predictProbabilities(
  models: readonly LogitsOf[],
  pixels: Float32Array,
  imageShape: readonly [number, number, number],
): Promise<Float32Array[]> {
  const [h, w, c] = imageShape;
  const size = h * w * c;
  if (size <= 0 || pixels.length === 0 || pixels.length % size !== 0) {
    throw new Error(`predictProbabilities: ${pixels.length} pixel values are not a whole number of ${h}×${w}×${c} images`);
  }
  if (models.length === 0) return [];
  const count = pixels.length / size;
  const packed = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [count, h, w, c], 'float32');
    return tf.concat(models.map((logitsOf) => tf.reshape(tf.softmax(logitsOf(x)), [-1])));
  });
  try {
    const values = await packed.data<'float32'>();
    const per = values.length / models.length;
    return models.map((_, m) => values.slice(m * per, (m + 1) * per));
  } finally {
    packed.dispose();
  }
}

/** A model's first layer as float maps: see FirstLayerMaps. */
export interface FirstLayerValues {
  kind: 'dense' | 'conv';
  /** The layer's name in the model, e.g. "dense_Dense1". */
  layer: string;
  /** Units (dense) or filters (conv) in the layer. */
  units: number;
  /** Maps held: the first min(units, maxMaps) units, in the layer's order. */
  shown: number;
  height: number;
  width: number;
  /** shown·height·width weights, map k at [k·h·w, (k+1)·h·w), row-major. */
  values: Float32Array;
}

/**
 * A model's first layer as images: the first dense layer's units, each as a map over the
 * input image, or the first convolution's filters, each as a kh×kw map. Quantized to int8
 * per map (symmetric: weight ≈ value · scale, |value| ≤ 127), so a view of 16 MLP units is
 * 16·784 bytes. Channels of the input are averaged (every dataset here has one).
 */
export interface FirstLayerMaps extends Omit<FirstLayerValues, 'values'> {
  /** shown·height·width values in −127…127, map k at [k·h·w, (k+1)·h·w). */
  values: Int8Array;
  /** Per map: the weight one step of `values` stands for (max |weight| / 127; 0 for an all-zero map). */
  scales: number[];
}

/** The largest quantized magnitude: int8 without −128, so the scale is symmetric. */
export const QUANT_MAX = 127;

/** Quantizes `values` (shown maps of `size` each) per map; see FirstLayerMaps. */
export function quantizeMaps(values: ArrayLike<number>, shown: number, size: number): { values: Int8Array; scales: number[] } {
  const out = new Int8Array(shown * size);
  const scales: number[] = [];
  for (let k = 0; k < shown; k++) {
    let max = 0;
    for (let i = 0; i < size; i++) max = Math.max(max, Math.abs(values[k * size + i]));
    const scale = max / QUANT_MAX;
    scales.push(scale);
    if (scale === 0) continue;
    for (let i = 0; i < size; i++) out[k * size + i] = Math.max(-QUANT_MAX, Math.min(QUANT_MAX, Math.round(values[k * size + i] / scale)));
  }
  return { values: out, scales };
}

/**
 * `maps` quantized, less `baseline` (the same maps at an earlier step, e.g. the initial
 * weights: the result is what training changed) when given.
 */
export function quantizeFirstLayer(maps: FirstLayerValues, baseline: Float32Array | null = null): FirstLayerMaps {
  if (baseline && baseline.length !== maps.values.length) {
    throw new Error(`quantizeFirstLayer: a baseline of ${baseline.length} values for ${maps.values.length} weights`);
  }
  const values = baseline ? maps.values.map((v, i) => v - baseline[i]) : maps.values;
  return { ...maps, ...quantizeMaps(values, maps.shown, maps.height * maps.width) };
}

/** The first layer that has weights, when it is a dense layer or a 2-D convolution; else null. */
function firstWeightedLayer(model: tf.LayersModel): tf.layers.Layer | null {
  const layer = model.layers.find((l) => l.weights.length > 0);
  if (!layer) return null;
  const kind = layer.getClassName();
  return kind === 'Dense' || kind === 'Conv2D' ? layer : null;
}

/**
 * The first layer's maps of `model`, at most `maxMaps` of them, in float32, with one device
 * read; null when the first layer with weights is neither dense nor a 2-D convolution, or a
 * dense layer does not read the flattened input image.
 */
export async function firstLayerValues(model: tf.LayersModel, maxMaps: number): Promise<FirstLayerValues | null> {
  const layer = firstWeightedLayer(model);
  if (!layer) return null;
  // getWeights() gives the live variables: read them, never dispose them.
  const kernel = layer.getWeights()[0];
  const input = model.inputs[0].shape;
  let maps: tf.Tensor2D;
  let kind: FirstLayerValues['kind'];
  let height: number;
  let width: number;
  let units: number;
  let shown: number;
  if (layer.getClassName() === 'Dense') {
    // A dense layer over the flattened image: kernel [h·w·c, units]; Flatten is row-major (h, w, c).
    const [h, w, c] = input.slice(1) as number[];
    const [inputs, n] = kernel.shape as [number, number];
    if (input.length !== 4 || h * w * c !== inputs) return null;
    kind = 'dense';
    [height, width, units] = [h, w, n];
    shown = Math.min(n, Math.max(0, Math.floor(maxMaps)));
    const count = shown;
    maps = tf.tidy(() => tf.mean(tf.reshape(tf.transpose(tf.slice(kernel, [0, 0], [inputs, count])), [count, h * w, c]), 2) as tf.Tensor2D);
  } else {
    // Conv2D: kernel [kh, kw, cin, filters].
    const [kh, kw, cin, n] = kernel.shape as [number, number, number, number];
    kind = 'conv';
    [height, width, units] = [kh, kw, n];
    shown = Math.min(n, Math.max(0, Math.floor(maxMaps)));
    const count = shown;
    maps = tf.tidy(() =>
      tf.reshape(tf.mean(tf.transpose(tf.slice(kernel, [0, 0, 0, 0], [kh, kw, cin, count]), [3, 0, 1, 2]), 3), [count, kh * kw]) as tf.Tensor2D,
    );
  }
  try {
    const values = shown > 0 ? await maps.data<'float32'>() : new Float32Array(0);
    return { kind, layer: layer.name, units, shown, height, width, values };
  } finally {
    maps.dispose();
  }
}

/** The first layer's maps of `model`, quantized (firstLayerValues, then quantizeFirstLayer). */
export async function firstLayerMaps(model: tf.LayersModel, maxMaps: number): Promise<FirstLayerMaps | null> {
  const maps = await firstLayerValues(model, maxMaps);
  return maps ? quantizeFirstLayer(maps) : null;
}

/** One model as the two files of TensorFlow.js's layers format. */
export interface ModelFileSet {
  /** model.json's text: topology, weightsManifest naming `weightsFileName`, userDefinedMetadata. */
  modelJson: string;
  jsonFileName: string;
  weightsFileName: string;
  /** The weights, in the order and encoding of the manifest's specs. */
  weights: ArrayBuffer;
}

/**
 * `model` in the files tf.loadLayersModel reads: `<baseName>.json` (whose weights manifest
 * names `./<baseName>.weights.bin`, as tfjs's own `downloads://` saver does) and the weights.
 * `metadata` goes into model.json's userDefinedMetadata (JSON-safe values only).
 */
export async function modelFileSet(model: tf.LayersModel, baseName: string, metadata: Record<string, object>): Promise<ModelFileSet> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || artifacts.weightData === undefined) {
    throw new Error('the model could not be saved: tfjs gave no topology or weights');
  }
  const weightsFileName = `${baseName}.weights.bin`;
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${weightsFileName}`], weights: artifacts.weightSpecs }],
    userDefinedMetadata: metadata,
  };
  return {
    modelJson: JSON.stringify(json),
    jsonFileName: `${baseName}.json`,
    weightsFileName,
    weights: tf.io.CompositeArrayBuffer.join(artifacts.weightData),
  };
}
