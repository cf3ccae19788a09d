import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asLogitsModel, createRng, fitImportance, ImportanceTrainer, type TrainerSettings } from '../../../src/is';
import { randomData, tinyMlp } from '../../support/isHelpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bad settings say what is wrong and which value to change', () => {
  const rng = createRng(1);
  const model = asLogitsModel(tinyMlp(1, 4, 5, 3));
  const { x, y } = randomData(rng, 100, 4, 3);
  afterAll(() => tf.dispose([x, y]));
  const make = (settings: Partial<TrainerSettings>) => () => new ImportanceTrainer({ model, x, y, rng, settings }).dispose();

  const cases: [Partial<TrainerSettings>, RegExp][] = [
    [{ presampleFactor: 1, batchSize: 32 }, /presampleFactor 1 gives B = b = 32; B must exceed b: set presampleFactor above 1/],
    [{ presampleFactor: 0.5, batchSize: 32 }, /presampleFactor 0\.5 gives B = 16 < b = 32.*set presampleFactor above 1/],
    [{ presampleFactor: 4, batchSize: 32, mode: 'importance' }, /B = 128, more than the N = 100 training samples: set presampleFactor to at most 3\.12 or lower batchSize/],
    [{ batchSize: 200 }, /batchSize 200 exceeds the N = 100 training samples: set batchSize to at most 100/],
    [{ batchSize: 0 }, /batchSize must be a positive integer, got 0: set batchSize/],
    [{ batchSize: 2.5 }, /batchSize must be a positive integer, got 2\.5/],
    [{ learningRate: 0 }, /learningRate must be a positive finite number, got 0: set learningRate to e\.g\. 0\.001/],
    [{ learningRate: -0.1 }, /learningRate .* got -0\.1: set learningRate/],
    [{ learningRate: NaN }, /learningRate .* got NaN: set learningRate/],
    [{ learningRate: Infinity }, /learningRate .* got Infinity: set learningRate/],
    [{ presampleFactor: NaN }, /presampleFactor must be a finite number above 1, got NaN: set presampleFactor to e\.g\. 3/],
    [{ momentum: 1 }, /momentum must be in \[0, 1\), got 1: set momentum/],
    [{ tauMomentum: -0.5 }, /tauMomentum must be in \[0, 1\), got -0\.5: set tauMomentum/],
    [{ smoothing: -1 }, /smoothing must be a finite number in \[0, 100\], got -1: set smoothing to e\.g\. 0/],
    // A sampler's own setting is checked against the range its meta.ts gives it.
    [{ tableSmoothing: 101 }, /tableSmoothing must be a finite number in \[0, 100\], got 101: set tableSmoothing to e\.g\. 0\.2 \(the table sampler's Smoothing c \(score table\)\)/],
    [{ tauThreshold: Infinity }, /tauThreshold must be .* got Infinity: set tauThreshold to null/],
    [{ mode: 'sometimes' as TrainerSettings['mode'] }, /mode 'sometimes' is not valid: set mode to one of 'uniform', 'importance', 'auto'/],
    [{ sampler: 'x' as TrainerSettings['sampler'] }, /set sampler to one of 'presample', 'table'/],
  ];

  it.each(cases)('%o', (settings, message) => {
    expect(make(settings)).toThrow(message);
  });

  it('B ≤ b is fine where nothing presamples (uniform mode, score table): the factor is unused there', () => {
    // ?batchSize=1&presampleFactor=1.2 gives B = round(1.2) = 1 = b; it was refused even with mode=uniform.
    expect(make({ presampleFactor: 1.2, batchSize: 1, mode: 'uniform' })).not.toThrow();
    expect(make({ presampleFactor: 1.2, batchSize: 1, mode: 'auto', sampler: 'table' })).not.toThrow();
    expect(make({ presampleFactor: 1.2, batchSize: 1, mode: 'auto', sampler: 'presample' })).toThrow(/B = b = 1; B must exceed b/);
  });

  it('B > N is fine where B is never used (uniform mode, score table)', () => {
    expect(make({ presampleFactor: 4, batchSize: 32, mode: 'uniform' })).not.toThrow();
    expect(make({ presampleFactor: 4, batchSize: 32, mode: 'auto', sampler: 'table' })).not.toThrow();
  });

  it('unknown setting keys and bad updates throw and change nothing', () => {
    const small = randomData(rng, 50, 4, 3);
    const trainer = new ImportanceTrainer({ model, x: small.x, y: small.y, rng, settings: { batchSize: 8 } });
    expect(() => trainer.updateSettings({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => trainer.updateSettings({ batchSize: 8, presampleFactor: 10, mode: 'auto' })).toThrow(/B = 80, more than the N = 50/);
    expect(() => trainer.updateSettings({ lr: 0.1 } as Partial<TrainerSettings>)).toThrow(/unknown setting 'lr'/);
    expect(trainer.settings.learningRate).toBe(0.001);
    trainer.updateSettings({ mode: undefined, learningRate: 0.01 });
    expect(trainer.settings.mode).toBe('auto');
    expect(trainer.settings.learningRate).toBe(0.01);
    expect(trainer.settings.presampleFactor).toBe(3);
    trainer.dispose();
    tf.dispose([small.x, small.y]);
  });
});

describe('labels of the wrong shape or values', () => {
  it('trainer: one-hot labels [N, C] matching x and the model', () => {
    const rng = createRng(2);
    const model = asLogitsModel(tinyMlp(1, 4, 5, 3));
    const { x, y, labels } = randomData(rng, 20, 4, 3);
    const intLabels = tf.tensor1d(labels, 'int32');
    const y4 = tf.oneHot(intLabels, 4);
    const short = tf.slice(y, 0, 10);
    expect(() => new ImportanceTrainer({ model, x, y: intLabels as unknown as tf.Tensor2D, rng })).toThrow(
      /y has shape \[20\]: the trainer expects one-hot labels of shape \[20, 3\]/,
    );
    expect(() => new ImportanceTrainer({ model, x, y: y4 as tf.Tensor2D, rng })).toThrow(
      /y has shape \[20, 4\] but the model outputs 3 logits: pass one-hot labels of shape \[20, 3\]/,
    );
    expect(() => new ImportanceTrainer({ model, x, y: short as tf.Tensor2D, rng })).toThrow(
      /y has 10 rows but x has 20 samples/,
    );
    tf.dispose([x, y, intLabels, y4, short]);
  });

  it('fitImportance: integer labels [N] or one-hot [N, C] with valid values', async () => {
    const rng = createRng(3);
    const model = tinyMlp(1, 4, 5, 3, 'softmax');
    const { x, y } = randomData(rng, 20, 4, 3);
    const column = tf.zeros([20, 1]);
    const outOfRange = tf.fill([20], 3, 'int32');
    const fractional = tf.fill([20], 0.5);
    const notOneHot = tf.mul(y, 2);
    const opts = { epochs: 1, batchSize: 4 };
    await expect(fitImportance(model, x, column, opts)).rejects.toThrow(/y has shape \[20, 1\], a column of labels: pass one-hot labels of shape \[20, 3\], or integer labels \[N\]/);
    await expect(fitImportance(model, x, outOfRange, opts)).rejects.toThrow(/whole numbers in \[0, 2\].*from 3 to 3/);
    await expect(fitImportance(model, x, fractional, opts)).rejects.toThrow(/whole numbers/);
    await expect(fitImportance(model, x, notOneHot, opts)).rejects.toThrow(/one-hot labels must lie in \[0, 1\]/);
    await expect(fitImportance(model, x, y, { epochs: 0, batchSize: 4 })).rejects.toThrow(/epochs must be a positive/);
    tf.dispose([x, y, column, outOfRange, fractional, notOneHot]);
  });
});
