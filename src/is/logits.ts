// Adapts a tfjs LayersModel to the logits the method needs.
import * as tf from '@tensorflow/tfjs';
import type { LogitsModel } from './types';

type Layer = tf.layers.Layer;

function activationOf(layer: Layer): string | null {
  const activation = layer.getConfig().activation;
  return typeof activation === 'string' ? activation : null;
}

function isSoftmaxLayer(layer: Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'Softmax' || (cls === 'Activation' && activationOf(layer) === 'softmax');
}

function asVariable(t: tf.Tensor, name: string): tf.Variable {
  if (!(t instanceof tf.Variable)) throw new Error(`trainable weight ${name} is not a tf.Variable`);
  return t;
}

/** The model's trainable weights as the variables an optimizer updates. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => asVariable(w.read(), w.name));
}

function lastOutputUnits(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  const units = shape[shape.length - 1];
  if (shape.length !== 2 || units == null) {
    throw new Error(`asLogitsModel: the model's output has shape [${shape.join(', ')}]; expected [batch, classes]`);
  }
  return units;
}

/**
 * The logits of a classifier: its output if the last layer is linear, else the pre-activation
 * of a final softmax. Nothing in the model is changed: a softmax Dense is evaluated as the
 * model up to its input (a second graph sharing the same layers) times its kernel plus bias;
 * a separate Softmax/Activation layer is simply not run.
 */
export function asLogitsModel(model: tf.LayersModel): LogitsModel {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`asLogitsModel: expected one input and one output, got ${model.inputs.length} and ${model.outputs.length}`);
  }
  const classes = lastOutputUnits(model);
  const last = model.layers[model.layers.length - 1];
  const weights = (): tf.Variable[] => trainableVariables(model);
  const cls = last.getClassName();
  const activation = activationOf(last);

  if (isSoftmaxLayer(last) || (cls === 'Dense' && activation === 'softmax')) {
    const lastInput = last.input;
    if (Array.isArray(lastInput)) throw new Error('asLogitsModel: the softmax layer has several inputs');
    const trunk = tf.model({ inputs: model.inputs, outputs: lastInput });
    let head: (h: tf.Tensor) => tf.Tensor2D = (h) => h as tf.Tensor2D;
    if (cls === 'Dense') {
      if (lastInput.shape.length !== 2) {
        throw new Error(`asLogitsModel: the softmax Dense layer has input shape [${lastInput.shape.join(', ')}]; flatten before it`);
      }
      const kernel = last.weights.find((w) => w.shape.length === 2);
      const bias = last.weights.find((w) => w.shape.length === 1);
      if (!kernel) throw new Error('asLogitsModel: the softmax Dense layer has no kernel');
      head = (h) => {
        const z: tf.Tensor2D = tf.matMul(h as tf.Tensor2D, kernel.read() as tf.Tensor2D);
        return bias ? (tf.add(z, bias.read()) as tf.Tensor2D) : z;
      };
    }
    return {
      classes,
      logits: (x, training) =>
        tf.tidy(() => head(trunk.apply(x, { training }) as tf.Tensor)),
      trainableWeights: weights,
    };
  }

  if (activation != null && activation !== 'linear') {
    throw new Error(
      `asLogitsModel: the last layer (${last.name}) has activation '${activation}'; ` +
        `use 'linear' (logits) or 'softmax' as the last activation`,
    );
  }
  return {
    classes,
    logits: (x, training) => model.apply(x, { training }) as tf.Tensor2D,
    trainableWeights: weights,
  };
}
