// The engine's hands-on commands (src/engine/page/handsOn.ts) through the real engine on the
// CPU backend: a picture or a test image classified by both runs, between blocks and again as
// they train; the first-layer weights with the evaluations; a run's model kept in tfjs's format
// and loaded back to the same predictions.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCommand } from '../../../src/contract/commandCheck';
import { prepareDataset } from '../../../src/data';
import type { ProbePrediction } from '../../../src/contract/protocol';
import { harness, runFor, tinyDataset, tinySettings, waitUntil, type Harness } from '../../support/engineHarness';

let h: Harness | null = null;
afterEach(async () => {
  await h?.engine.dispose();
  h = null;
});

async function ready(change = {}): Promise<Harness> {
  h = harness();
  await h.engine.handle({ type: 'init', settings: tinySettings(change) });
  expect(h.status().state).toBe('ready');
  return h;
}

/** A seeded 8×8 picture in [0, 1]. */
const picture = (): Float32Array => Float32Array.from({ length: 64 }, (_, i) => ((i * 37) % 64) / 63);
const predictions = (h: Harness): ProbePrediction[] => h.of('prediction').map((e) => e.prediction);
const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

describe('probe: both runs classify a picture', () => {
  it('answers at once, the same for both runs at step 0 (same initial weights), probabilities summing to 1', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'probe', requestId: 4, input: { kind: 'pixels', pixels: picture() } });
    const [p] = predictions(h);
    expect(p.requestId).toBe(4);
    expect(p.input).toEqual({ kind: 'pixels' });
    expect(Object.keys(p.runs).sort()).toEqual(['importance', 'uniform']);
    expect(p.runs.importance!.step).toBe(0);
    expect(p.runs.importance!.probabilities).toHaveLength(4);
    expect(sum(p.runs.importance!.probabilities)).toBeCloseTo(1, 5);
    expect(p.runs.uniform!.probabilities).toEqual(p.runs.importance!.probabilities);
  });

  it('a test image: its label and pixels come back with the answers', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'probe', requestId: 1, input: { kind: 'test', index: 5 } });
    const [p] = predictions(h);
    const test = prepareDataset(tinyDataset(7), tinySettings()).test;
    expect(p.input).toEqual({ kind: 'test', index: 5, label: test.labels[5], pixels: test.images.slice(5 * 64, 6 * 64) });
  });

  it('refuses a picture of the wrong size or range and a test image that does not exist, naming the numbers', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'probe', requestId: 1, input: { kind: 'pixels', pixels: new Float32Array(784) } });
    const bright = picture();
    bright[10] = 1.5;
    await h.engine.handle({ type: 'probe', requestId: 2, input: { kind: 'pixels', pixels: bright } });
    await h.engine.handle({ type: 'probe', requestId: 3, input: { kind: 'test', index: 120 } });
    expect(h.of('error').map((e) => e.message)).toEqual([
      expect.stringMatching(/must have 8×8×1 = 64 values, got 784/),
      expect.stringMatching(/value 1.5 at 10 is outside \[0, 1\]/),
      expect.stringMatching(/Test image 120 does not exist: .* test images 0 to 119/),
    ]);
    expect(predictions(h)).toEqual([]);
  });

  it('while training: answered after at most the block in flight, then again as the runs step, and at their last step once paused', async () => {
    // Importance always on: the runs' draws differ from the first step (in auto mode they coincide until it switches on).
    const h = await ready({ blockSteps: 4, evalInterval: 1000, mode: 'importance' });
    await h.engine.handle({ type: 'start' });
    await waitUntil(() => (h.status().runs.importance?.step ?? 0) >= 8, 60_000, '8 steps');
    const before = h.status().runs.importance!.step;
    await h.engine.handle({ type: 'probe', requestId: 9, input: { kind: 'pixels', pixels: picture() } });
    const first = predictions(h)[0];
    // Queued behind the round in flight only: at most one more block (4 steps) of each run.
    expect(first.runs.importance!.step).toBeLessThanOrEqual(before + 4);
    await waitUntil(() => predictions(h).length >= 3, 60_000, 'three predictions');
    await h.engine.handle({ type: 'pause' });
    await h.engine.whenIdle();
    const all = predictions(h);
    const steps = all.map((p) => p.runs.importance!.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    // Paused: the last answer is the models as they stand.
    expect(steps.at(-1)).toBe(h.status().runs.importance!.step);
    expect(all.at(-1)!.runs.uniform!.step).toBe(h.status().runs.uniform!.step);
    // Trained apart, the two runs now answer differently.
    expect(all.at(-1)!.runs.uniform!.probabilities).not.toEqual(all.at(-1)!.runs.importance!.probabilities);
    // Stopped: no more answers.
    await h.engine.handle({ type: 'probe', requestId: 10, input: null });
    const n = predictions(h).length;
    await h.engine.handle({ type: 'step' });
    expect(predictions(h)).toHaveLength(n);
  });

  it('after Reset the answer is at step 0 again, without a new probe', async () => {
    const h = await ready();
    await h.engine.handle({ type: 'probe', requestId: 1, input: { kind: 'pixels', pixels: picture() } });
    const atZero = predictions(h)[0].runs.importance!.probabilities;
    for (let i = 0; i < 3; i++) await h.engine.handle({ type: 'step' });
    expect(predictions(h).at(-1)!.runs.importance!.step).toBe(3);
    await h.engine.handle({ type: 'reset' });
    const last = predictions(h).at(-1)!;
    expect(last.runs.importance!.step).toBe(0);
    expect(last.runs.importance!.probabilities).toEqual(atZero);
  });
});

describe('watchWeights: the first layer as images, with the evaluations', () => {
  it('the MLP’s first 16 units per run: no change at step 0, apart after training, refreshed at evaluation steps', async () => {
    const h = await ready({ evalInterval: 5, mode: 'importance' });
    await h.engine.handle({ type: 'watchWeights', on: true });
    const [first] = h.of('firstLayer');
    const imp = first.runs.importance!;
    expect(imp).toMatchObject({ kind: 'dense', view: 'change', step: 0, units: 128, shown: 16, height: 8, width: 8 });
    expect(imp.values).toHaveLength(16 * 64);
    // Nothing trained yet: no change, in either run.
    expect(imp.values.every((v) => v === 0) && first.runs.uniform!.values.every((v) => v === 0)).toBe(true);
    await runFor(h, 20);
    const views = h.of('firstLayer');
    expect(views.length).toBeGreaterThan(1);
    for (const v of views) expect(v.runs.importance!.step % 5).toBe(0);
    const last = views.at(-1)!;
    expect(last.runs.importance!.step).toBeGreaterThan(0);
    expect(last.runs.importance!.values.some((v) => v !== 0)).toBe(true);
    expect(last.runs.uniform!.values).not.toEqual(last.runs.importance!.values);
    await h.engine.handle({ type: 'watchWeights', on: false });
    const n = h.of('firstLayer').length;
    for (let i = 0; i < 5; i++) await h.engine.handle({ type: 'step' });
    expect(h.of('firstLayer')).toHaveLength(n);
  });

  it("'change' is the weights now less the weights at step 0, to within the quantization", async () => {
    const h = await ready({ mode: 'importance' });
    await h.engine.handle({ type: 'watchWeights', on: true, view: 'weights' });
    const start = h.of('firstLayer').at(-1)!.runs.importance!;
    expect(start.view).toBe('weights');
    for (let i = 0; i < 6; i++) await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'watchWeights', on: true, view: 'weights' });
    const now = h.of('firstLayer').at(-1)!.runs.importance!;
    await h.engine.handle({ type: 'watchWeights', on: true, view: 'change' });
    const change = h.of('firstLayer').at(-1)!.runs.importance!;
    expect([now.step, change.step, change.view]).toEqual([6, 6, 'change']);
    const size = 64;
    for (let k = 0; k < 16; k++) {
      // Each of the three quantized maps is within half of its own step.
      const slack = (start.scales[k] + now.scales[k] + change.scales[k]) / 2 + 1e-7;
      for (let p = 0; p < size; p++) {
        const i = k * size + p;
        expect(Math.abs(change.values[i] * change.scales[k] - (now.values[i] * now.scales[k] - start.values[i] * start.scales[k]))).toBeLessThanOrEqual(slack);
      }
    }
    expect(change.values.some((v) => v !== 0)).toBe(true);
  });
});

describe('exportModel: keep a run’s model', () => {
  it('gives model.json + weights that tf.loadLayersModel reads back to the same predictions, with settings, step and evaluation', async () => {
    const settings = tinySettings({ evalInterval: 5 });
    const h = await ready(settings);
    for (let i = 0; i < 7; i++) await h.engine.handle({ type: 'step' });
    await h.engine.handle({ type: 'probe', requestId: 1, input: { kind: 'pixels', pixels: picture() } });
    await h.engine.handle({ type: 'exportModel', requestId: 3, run: 'uniform' });
    const [event] = h.of('modelFiles');
    expect(event).toMatchObject({ requestId: 3, run: 'uniform' });
    const { files } = event;
    expect(files.jsonFileName).toBe(`is-playground-synthetic-shapes-mlp-seed7-uniform-step7.json`);
    expect(files.weightsFileName).toBe(`is-playground-synthetic-shapes-mlp-seed7-uniform-step7.weights.bin`);
    const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
    expect(json.weightsManifest[0].paths).toEqual([`./${files.weightsFileName}`]);
    const meta = (json.userDefinedMetadata as { isPlayground: Record<string, unknown> }).isPlayground;
    expect(meta).toMatchObject({ run: 'uniform', step: 7, settings, dataset: { name: 'synthetic-shapes', imageShape: [8, 8, 1] } });
    expect(meta.evaluation).toMatchObject({ step: 5 });
    const check = meta.check as { input: number[]; probabilities: number[] };
    expect(check.input).toEqual(Array.from(picture()));
    // Loaded back as from files (the manifest's path names the weights file): the page's own answer.
    const loaded = await tf.loadLayersModel({
      load: () =>
        tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          expect(manifest[0].paths).toEqual([`./${files.weightsFileName}`]);
          return [manifest[0].weights, files.weights];
        }),
    });
    const probs = tf.tidy(() => tf.softmax(loaded.predict(tf.tensor4d(picture(), [1, 8, 8, 1])) as tf.Tensor2D));
    const reloaded = Array.from(await probs.data());
    const pageAnswer = predictions(h).at(-1)!.runs.uniform!.probabilities;
    // The same weights on the same backend: equal to float32 rounding of the softmax.
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(reloaded[k] - pageAnswer[k])).toBeLessThan(1e-6);
      expect(Math.abs(reloaded[k] - check.probabilities[k])).toBeLessThan(1e-6);
    }
    probs.dispose();
    loaded.dispose();
  });

  it('says what to change when the race has no such run', async () => {
    const h = await ready({ compare: false });
    await h.engine.handle({ type: 'exportModel', requestId: 1, run: 'uniform' });
    expect(h.of('error').map((e) => e.message)).toEqual([expect.stringMatching(/no uniform run \(turn on "Compare with uniform"/)]);
  });
});

describe('checkCommand: the hands-on commands', () => {
  it('passes well-formed ones and names what is wrong in the others', () => {
    const pixels = new Float32Array(4);
    expect(checkCommand({ type: 'probe', requestId: 2, input: { kind: 'pixels', pixels, extra: 1 } })).toEqual({ type: 'probe', requestId: 2, input: { kind: 'pixels', pixels } });
    expect(checkCommand({ type: 'probe', requestId: 0, input: null })).toEqual({ type: 'probe', requestId: 0, input: null });
    expect(checkCommand({ type: 'watchWeights', on: true })).toEqual({ type: 'watchWeights', on: true });
    expect(checkCommand({ type: 'watchWeights', on: true, view: 'weights' })).toEqual({ type: 'watchWeights', on: true, view: 'weights' });
    expect(checkCommand({ type: 'watchWeights', on: true, view: 'delta' })).toMatch(/"view" must be "weights" or "change"/);
    expect(checkCommand({ type: 'exportModel', requestId: 1, run: 'uniform' })).toEqual({ type: 'exportModel', requestId: 1, run: 'uniform' });
    expect(checkCommand({ type: 'probe', requestId: -1, input: null })).toMatch(/"requestId" must be a whole number/);
    expect(checkCommand({ type: 'probe', requestId: 1, input: { kind: 'pixels', pixels: [0.5] } })).toMatch(/"pixels" must be a Float32Array/);
    expect(checkCommand({ type: 'probe', requestId: 1, input: { kind: 'pixels', pixels: new Float32Array(70_000) } })).toMatch(/at most 65536/);
    expect(checkCommand({ type: 'probe', requestId: 1, input: { kind: 'test', index: 1.5 } })).toMatch(/"index" must be a whole number/);
    expect(checkCommand({ type: 'probe', requestId: 1, input: { kind: 'url' } })).toMatch(/"input.kind" must be "pixels" or "test"/);
    expect(checkCommand({ type: 'watchWeights', on: 'yes' })).toMatch(/"on" must be true or false/);
    expect(checkCommand({ type: 'exportModel', requestId: 1, run: 'toString' })).toMatch(/"run" must be one of importance, uniform/);
  });
});
