// The optimizers the trainer offers, and changing their learning rate between steps.
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from './types';

/** 'sgd' is SGD with (heavy-ball) momentum; momentum 0 is plain SGD. */
export function createOptimizer(name: OptimizerName, learningRate: number, momentum: number): tf.Optimizer {
  return name === 'adam' ? tf.train.adam(learningRate) : tf.train.momentum(learningRate, momentum);
}

/** Sets the learning rate of a live optimizer, keeping its state. False if the kind is not supported. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): boolean {
  // Not `instanceof`: tfjs optimizers answer instanceof by duck typing (Adam "is" an SGDOptimizer).
  const name = optimizer.getClassName();
  if (name === 'SGD' || name === 'Momentum') {
    (optimizer as tf.SGDOptimizer).setLearningRate(learningRate);
    return true;
  }
  if (name === 'Adam') {
    // tfjs 4.22 has no setter for Adam, but applyGradients reads this field on every step
    // (checked by a test), so writing it changes the step size and keeps the moments.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    return true;
  }
  return false;
}

/** Disposes an optimizer and all its tensors. */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  // tfjs 4.22's MomentumOptimizer.dispose skips its learning-rate scalar, which SGD's frees.
  if (optimizer.getClassName() === 'Momentum') tf.SGDOptimizer.prototype.dispose.call(optimizer);
}
