// What one sample costs a zoo model, worked out from the architecture alone: the floats of its
// activations over a forward pass and the multiply-adds of that pass. The engine's work budget
// (src/engine/page/workBudget.ts) reads it before any model, backend or dataset exists, so this module
// does not import tfjs. It mirrors the builders of zoo.ts layer for layer; a test builds every
// model and checks the two against each other (output shapes and parameter counts).
import type { ModelName } from './catalogue';

export interface ModelFootprint {
  /** Floats of one sample's forward pass: its input and every layer's output. */
  activationFloats: number;
  /** Multiply-adds of one sample's forward pass (convolutions and dense layers). */
  macs: number;
  /** Trainable scalars (kernels and biases). */
  parameters: number;
  /** Output size of each layer for one sample ([height, width, channels], or [units]), in order. */
  layerOutputs: number[][];
}

/** Accumulates a model's footprint layer by layer, tracking the current output shape. */
class Tally {
  readonly footprint: ModelFootprint;
  private shape: number[];

  constructor(input: readonly number[]) {
    this.shape = [...input];
    this.footprint = { activationFloats: size(input), macs: 0, parameters: 0, layerOutputs: [] };
  }

  /** 3×3 convolution, 'same' padding, stride 1, with a bias. */
  conv(filters: number): this {
    const [h, w, c] = this.shape;
    const kernel = 3 * 3 * c * filters;
    return this.out([h, w, filters], kernel * h * w, kernel + filters);
  }

  /** 2×2 max pooling, stride 2, 'valid' padding. */
  pool(): this {
    const [h, w, c] = this.shape;
    return this.out([Math.floor(h / 2), Math.floor(w / 2), c], 0, 0);
  }

  flatten(): this {
    return this.out([size(this.shape)], 0, 0);
  }

  dense(units: number): this {
    const inputs = size(this.shape);
    return this.out([units], inputs * units, inputs * units + units);
  }

  private out(shape: number[], macs: number, parameters: number): this {
    this.shape = shape;
    const f = this.footprint;
    f.activationFloats += size(shape);
    f.macs += macs;
    f.parameters += parameters;
    f.layerOutputs.push(shape);
    return this;
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** conv(f1) [→ conv(f1)] → pool → conv(f2) → pool → flatten → dense(hidden) → logits, as zoo.ts builds it. */
function cnn(input: readonly number[], classes: number, f1: number, f2: number, hidden: number, doubleConv: boolean): ModelFootprint {
  const [h, w] = input;
  const t = new Tally(input).conv(f1);
  if (doubleConv) t.conv(f1);
  // zoo.ts pools only while the image is at least 2 (then 4) pixels on each side.
  if (h >= 2 && w >= 2) t.pool();
  t.conv(f2);
  if (h >= 4 && w >= 4) t.pool();
  return t.flatten().dense(hidden).dense(classes).footprint;
}

const FOOTPRINTS: Record<ModelName, (input: readonly number[], classes: number) => ModelFootprint> = {
  mlp: (input, classes) => new Tally(input).flatten().dense(128).dense(classes).footprint,
  'cnn-tiny': (input, classes) => cnn(input, classes, 8, 16, 64, false),
  'cnn-small': (input, classes) => cnn(input, classes, 16, 32, 128, true),
};

/** The footprint of one sample of a zoo model on images of `inputShape` ([height, width, channels]). */
export function modelFootprint(name: ModelName, inputShape: readonly [number, number, number], numClasses: number): ModelFootprint {
  const build = FOOTPRINTS[name];
  if (!build) throw new Error(`unknown model "${String(name)}"`);
  return build(inputShape, numClasses);
}
