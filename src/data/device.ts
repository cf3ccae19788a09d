// Device data: a dataset becomes tfjs tensors once (x float32 [N, h, w, c] in 0..1, y one-hot
// float32 [N, C], labels int32 [N]); batches are gathered on the device by index.
import * as tf from '@tensorflow/tfjs';
import type { Dataset, DatasetSplit, ImageShape } from './types';

export interface DeviceSplit {
  count: number;
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  labels: tf.Tensor1D;
}

/** A batch gathered on the device. The caller owns (and disposes) both tensors. */
export interface DeviceBatch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
}

function uploadSplit(split: DatasetSplit, shape: ImageShape, numClasses: number): DeviceSplit {
  const px = shape[0] * shape[1] * shape[2];
  if (split.images.length !== split.count * px) {
    throw new Error(`toDeviceData: ${split.images.length} pixel bytes do not fit ${split.count} samples of ${shape.join('×')}`);
  }
  const xs = new Float32Array(split.images.length);
  for (let i = 0; i < xs.length; i++) xs[i] = split.images[i] / 255;
  const x = tf.tensor4d(xs, [split.count, ...shape], 'float32');
  const labels = tf.tensor1d(Int32Array.from(split.labels), 'int32');
  const y = tf.tidy(() => tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D);
  return { count: split.count, x, y, labels };
}

export class DeviceData {
  readonly train: DeviceSplit;
  readonly test: DeviceSplit;
  readonly numClasses: number;
  readonly imageShape: ImageShape;
  private isDisposed = false;

  constructor(data: Dataset) {
    this.numClasses = data.numClasses;
    this.imageShape = [...data.imageShape] as ImageShape;
    this.train = uploadSplit(data.train, data.imageShape, data.numClasses);
    try {
      this.test = uploadSplit(data.test, data.imageShape, data.numClasses);
    } catch (e) {
      tf.dispose([this.train.x, this.train.y, this.train.labels]);
      throw e;
    }
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  private split(which: 'train' | 'test'): DeviceSplit {
    if (this.isDisposed) throw new Error('DeviceData: used after dispose()');
    return which === 'train' ? this.train : this.test;
  }

  /** x and y of the given samples (repetitions allowed), gathered on the device. */
  gather(indices: Int32Array | readonly number[] | tf.Tensor1D, which: 'train' | 'test' = 'train'): DeviceBatch {
    const s = this.split(which);
    return tf.tidy(() => {
      const idx = indices instanceof tf.Tensor ? indices : tf.tensor1d(Int32Array.from(indices), 'int32');
      return { x: tf.gather(s.x, idx) as tf.Tensor4D, y: tf.gather(s.y, idx) as tf.Tensor2D };
    });
  }

  /** Labels (int32) of the given samples, gathered on the device. The caller disposes. */
  gatherLabels(indices: Int32Array | readonly number[] | tf.Tensor1D, which: 'train' | 'test' = 'train'): tf.Tensor1D {
    const s = this.split(which);
    return tf.tidy(() => {
      const idx = indices instanceof tf.Tensor ? indices : tf.tensor1d(Int32Array.from(indices), 'int32');
      return tf.gather(s.labels, idx) as tf.Tensor1D;
    });
  }

  /** A contiguous slice [start, start + size) (clipped), e.g. to evaluate the test split in chunks. */
  slice(start: number, size: number, which: 'train' | 'test' = 'test'): DeviceBatch {
    const s = this.split(which);
    const from = Math.max(0, Math.min(start, s.count));
    const n = Math.max(0, Math.min(size, s.count - from));
    return {
      x: tf.slice(s.x, [from, 0, 0, 0], [n, -1, -1, -1]),
      y: tf.slice(s.y, [from, 0], [n, -1]),
    };
  }

  /** Frees every tensor. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    tf.dispose([this.train.x, this.train.y, this.train.labels, this.test.x, this.test.y, this.test.labels]);
  }
}

/** Uploads a (prepared) dataset to the current tfjs backend. Call dispose() when done. */
export function toDeviceData(data: Dataset): DeviceData {
  return new DeviceData(data);
}
