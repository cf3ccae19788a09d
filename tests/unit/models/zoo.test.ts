import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, MODEL_ZOO, buildModel, cloneModel, countParameters, parameterCount } from '../../../src/models';
import { SETTINGS_SCHEMA } from '../../../src/contract/settings';

const mnist = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model zoo', () => {
  it('builds every model of the catalogue, and the settings offer exactly those, in its order', () => {
    expect(Object.keys(MODEL_ZOO)).toEqual([...MODEL_NAMES]);
    expect(SETTINGS_SCHEMA.model.values).toEqual(MODEL_NAMES);
  });

  it('counts parameters: cnn-tiny under 100k, cnn-small larger', () => {
    const counts = Object.fromEntries(MODEL_NAMES.map((n) => [n, parameterCount(n, mnist)]));
    expect(counts['cnn-tiny']).toBeLessThan(100_000);
    expect(counts['cnn-small']).toBeGreaterThan(counts['cnn-tiny']);
    // mlp 784-128-10 by hand
    expect(counts.mlp).toBe(784 * 128 + 128 + 128 * 10 + 10);
  });

  it.each(MODEL_NAMES)('%s outputs logits [n, classes] (no softmax)', async (name) => {
    const model = buildModel(name, { ...mnist, seed: 3 });
    const x = tf.randomUniform([5, 28, 28, 1], 0, 1, 'float32', 1);
    const z = model.predict(x) as tf.Tensor;
    expect(z.shape).toEqual([5, 10]);
    const v = await z.data();
    expect(v.some((a) => a < 0)).toBe(true);
    expect(model.layers[model.layers.length - 1].getConfig().activation).toBe('linear');
    tf.dispose([x, z]);
    model.dispose();
  });

  it('works on small, colour inputs', () => {
    for (const name of MODEL_NAMES) {
      const model = buildModel(name, { inputShape: [8, 8, 3], numClasses: 4, seed: 1 });
      const z = model.predict(tf.zeros([2, 8, 8, 3])) as tf.Tensor;
      expect(z.shape).toEqual([2, 4]);
      tf.dispose(z);
      model.dispose();
    }
  });

  it('same seed gives identical weights, another seed different ones', async () => {
    const a = buildModel('cnn-tiny', { ...mnist, seed: 42 });
    const b = buildModel('cnn-tiny', { ...mnist, seed: 42 });
    const c = buildModel('cnn-tiny', { ...mnist, seed: 43 });
    const [wa, wb, wc] = await Promise.all([weightsOf(a), weightsOf(b), weightsOf(c)]);
    expect(wa.length).toBe(wb.length);
    wa.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(wb[i])));
    expect(Array.from(wa[0])).not.toEqual(Array.from(wc[0]));
    // kernels of different layers come from different seeds
    expect(Array.from(wa[0].slice(0, 8))).not.toEqual(Array.from(wa[2].slice(0, 8)));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('cloneModel copies the weights and trains independently', async () => {
    const a = buildModel('mlp', { ...mnist, seed: 7 });
    const b = cloneModel('mlp', { ...mnist, seed: 99 }, a);
    expect(countParameters(b)).toBe(countParameters(a));
    const [wa, wb] = await Promise.all([weightsOf(a), weightsOf(b)]);
    wa.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(wb[i])));
    // changing b leaves a alone
    b.trainableWeights[0].write(tf.zerosLike(b.trainableWeights[0].read()));
    const wa2 = await weightsOf(a);
    expect(Array.from(wa2[0])).toEqual(Array.from(wa[0]));
    a.dispose();
    b.dispose();
  });

  it('rejects bad configs with a message', () => {
    expect(() => buildModel('mlp', { inputShape: [28, 28] as unknown as [number, number, number], numClasses: 10, seed: 1 })).toThrow(/inputShape/);
    expect(() => buildModel('mlp', { ...mnist, numClasses: 1, seed: 1 })).toThrow(/numClasses/);
    expect(() => buildModel('nope' as 'mlp', { ...mnist, seed: 1 })).toThrow(/unknown model "nope"/);
  });
});
