// What a model shows a person (src/engine/core/inspect.ts), against float64 references: class
// probabilities, the first layer's maps (layout and int8 quantization), and the model files
// loaded back with tf.loadLayersModel giving the same predictions.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUANT_MAX, firstLayerMaps, modelFileSet, predictProbabilities, quantizeFirstLayer, quantizeMaps } from '../../../src/engine/core/inspect';
import { asLogitsModel } from '../../../src/is';
import { createRng } from '../../../src/is/rng';
import { buildModel, type ModelName } from '../../../src/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const values = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());

/** Seeded inputs in [0, 1]. */
function images(count: number, size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count * size }, () => rng.next());
}

/** The MLP (flatten → dense relu → dense) in float64 from its weights: softmax of its logits. */
async function mlpProbabilities64(model: tf.LayersModel, pixels: Float32Array, count: number): Promise<number[][]> {
  const [w1, b1, w2, b2] = await Promise.all(model.getWeights().map(values));
  const inputs = pixels.length / count;
  const hidden = b1.length;
  const classes = b2.length;
  const out: number[][] = [];
  for (let n = 0; n < count; n++) {
    const h = Array.from({ length: hidden }, (_, j) => {
      let s = b1[j];
      for (let i = 0; i < inputs; i++) s += pixels[n * inputs + i] * w1[i * hidden + j];
      return Math.max(0, s);
    });
    const z = Array.from({ length: classes }, (_, k) => {
      let s = b2[k];
      for (let j = 0; j < hidden; j++) s += h[j] * w2[j * classes + k];
      return s;
    });
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    out.push(e.map((v) => v / sum));
  }
  return out;
}

const build = (name: ModelName, inputShape: [number, number, number], numClasses: number, seed: number) => buildModel(name, { inputShape, numClasses, seed });

describe('predictProbabilities', () => {
  it('gives each model’s softmax for each image, as float64 computes it from the weights', async () => {
    const a = build('mlp', [8, 8, 1], 4, 3);
    const b = build('mlp', [8, 8, 1], 4, 4);
    const pixels = images(3, 64, 11);
    const tensors = tf.memory().numTensors;
    const [pa, pb] = await predictProbabilities([asLogitsModel(a), asLogitsModel(b)].map((m) => (x: tf.Tensor) => m.logits(x, false)), pixels, [8, 8, 1]);
    expect(tf.memory().numTensors).toBe(tensors);
    const [ra, rb] = [await mlpProbabilities64(a, pixels, 3), await mlpProbabilities64(b, pixels, 3)];
    expect(pa).toHaveLength(12);
    // float32 dot products of 64 and 128 terms of size ~1 lose about 1e-6 relative; a wrong
    // layout or a missing softmax is off by 0.01 or more.
    for (let n = 0; n < 3; n++) {
      for (let k = 0; k < 4; k++) {
        expect(Math.abs(pa[n * 4 + k] - ra[n][k])).toBeLessThan(1e-5);
        expect(Math.abs(pb[n * 4 + k] - rb[n][k])).toBeLessThan(1e-5);
      }
    }
    // Two differently seeded models answer differently (the split per model is right).
    expect(Math.max(...pa.map((v, i) => Math.abs(v - pb[i])))).toBeGreaterThan(1e-3);
    a.dispose();
    b.dispose();
  });

  it('refuses pixels that are not whole images, naming the counts', async () => {
    const m = build('mlp', [8, 8, 1], 4, 1);
    const logits = asLogitsModel(m);
    await expect(predictProbabilities([(x) => logits.logits(x, false)], new Float32Array(63), [8, 8, 1])).rejects.toThrow(/63 pixel values are not a whole number of 8×8×1 images/);
    m.dispose();
  });
});

describe('quantizeMaps', () => {
  it('scales each map by its own largest magnitude, to within half a step', () => {
    const v = [0.5, -1, 0.25, 0, 0, 0, 2e-3, -1e-3, 5e-4];
    const { values: q, scales } = quantizeMaps(v, 3, 3);
    expect(scales).toEqual([1 / QUANT_MAX, 0, 2e-3 / QUANT_MAX]);
    expect(Array.from(q.subarray(0, 3))).toEqual([64, -127, 32]); // 63.5 rounds up
    expect(Array.from(q.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(q.subarray(6, 9))).toEqual([127, -63, 32]); // −63.5 rounds towards +∞
    for (let i = 0; i < 9; i++) {
      const k = Math.floor(i / 3);
      expect(Math.abs(q[i] * scales[k] - v[i])).toBeLessThanOrEqual(scales[k] / 2 + 1e-15);
    }
  });
});

describe('quantizeFirstLayer', () => {
  it('less a baseline: the change, quantized per map', () => {
    const maps = { kind: 'conv' as const, layer: 'c', units: 2, shown: 2, height: 1, width: 2, values: Float32Array.from([0.5, 0.25, 1, 1]) };
    const change = quantizeFirstLayer(maps, Float32Array.from([0.25, 0.25, 1, 0.5]));
    expect(change.scales).toEqual([0.25 / QUANT_MAX, 0.5 / QUANT_MAX]);
    expect(Array.from(change.values)).toEqual([127, 0, 0, 127]);
    expect(() => quantizeFirstLayer(maps, new Float32Array(3))).toThrow(/a baseline of 3 values for 4 weights/);
  });
});

describe('firstLayerMaps', () => {
  it('the MLP: its first 16 dense units as input-sized maps, map k pixel p = kernel[p, k]', async () => {
    const m = build('mlp', [8, 8, 1], 4, 5);
    const kernel = await values(m.layers[1].getWeights()[0]); // [64, 128]
    const tensors = tf.memory().numTensors;
    const maps = (await firstLayerMaps(m, 16))!;
    expect(tf.memory().numTensors).toBe(tensors);
    expect(maps).toMatchObject({ kind: 'dense', units: 128, shown: 16, height: 8, width: 8 });
    expect(maps.values).toHaveLength(16 * 64);
    for (let k = 0; k < 16; k++) {
      const column = Array.from({ length: 64 }, (_, p) => kernel[p * 128 + k]);
      expect(maps.scales[k]).toBeCloseTo(Math.max(...column.map(Math.abs)) / QUANT_MAX, 7);
      for (let p = 0; p < 64; p++) expect(Math.abs(maps.values[k * 64 + p] * maps.scales[k] - column[p])).toBeLessThanOrEqual(maps.scales[k] / 2 + 1e-7);
    }
    // The model's weights are read, not disposed: it still predicts.
    expect(() => tf.dispose(m.predict(tf.zeros([1, 8, 8, 1])) as tf.Tensor)).not.toThrow();
    m.dispose();
  });

  it('averages the channels of a multi-channel input (flatten order h, w, c)', async () => {
    const m = build('mlp', [2, 3, 2], 3, 6);
    const kernel = await values(m.layers[1].getWeights()[0]); // [12, 128]
    const maps = (await firstLayerMaps(m, 2))!;
    expect(maps).toMatchObject({ kind: 'dense', shown: 2, height: 2, width: 3 });
    for (let k = 0; k < 2; k++) {
      for (let p = 0; p < 6; p++) {
        const mean = (kernel[(2 * p) * 128 + k] + kernel[(2 * p + 1) * 128 + k]) / 2;
        expect(Math.abs(maps.values[k * 6 + p] * maps.scales[k] - mean)).toBeLessThanOrEqual(maps.scales[k] / 2 + 1e-7);
      }
    }
    m.dispose();
  });

  it('a CNN: the first convolution’s filters as kh×kw maps, map f [i·kw + j] = kernel[i, j, 0, f]', async () => {
    const m = build('cnn-tiny', [8, 8, 1], 4, 7);
    const kernel = await values(m.layers[0].getWeights()[0]); // [3, 3, 1, 8]
    const maps = (await firstLayerMaps(m, 16))!;
    expect(maps).toMatchObject({ kind: 'conv', units: 8, shown: 8, height: 3, width: 3 });
    for (let f = 0; f < 8; f++) {
      for (let p = 0; p < 9; p++) expect(Math.abs(maps.values[f * 9 + p] * maps.scales[f] - kernel[p * 8 + f])).toBeLessThanOrEqual(maps.scales[f] / 2 + 1e-7);
    }
    expect((await firstLayerMaps(m, 3))!.shown).toBe(3);
    m.dispose();
  });
});

/** Loads model files as tf.loadLayersModel does from disk: the manifest's path names the weights file. */
function fromFiles(files: { modelJson: string; weightsFileName: string; weights: ArrayBuffer }): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const paths = manifest.flatMap((g) => g.paths);
        if (paths.length !== 1 || paths[0] !== `./${files.weightsFileName}`) throw new Error(`manifest names ${paths.join(', ')}`);
        return [manifest.flatMap((g) => g.weights), files.weights];
      });
    },
  };
}

describe('modelFileSet', () => {
  it.each(['mlp', 'cnn-tiny'] as const)('%s: loads back with tf.loadLayersModel and gives the same predictions, with its metadata', async (name) => {
    const m = build(name, [8, 8, 1], 4, 9);
    const files = await modelFileSet(m, 'kept-model', { isPlayground: { run: 'importance', step: 12 } });
    expect(files.jsonFileName).toBe('kept-model.json');
    expect(files.weightsFileName).toBe('kept-model.weights.bin');
    const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    // Every float32 weight, 4 bytes each, in the one file.
    const floats = m.getWeights().reduce((n, w) => n + w.size, 0);
    expect(files.weights.byteLength).toBe(4 * floats);
    const loaded = await tf.loadLayersModel(fromFiles(files));
    expect(loaded.getUserDefinedMetadata()).toEqual({ isPlayground: { run: 'importance', step: 12 } });
    const x = tf.tensor4d(images(5, 64, 13), [5, 8, 8, 1]);
    const [a, b] = [m.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    // The same weights and the same backend: the same logits to the last bit.
    expect(await values(b)).toEqual(await values(a));
    tf.dispose([x, a, b]);
    m.dispose();
    loaded.dispose();
  });
});
