// The data on the device: the training and test splits, and the two fixed evaluation sets
// of the honest metrics (docs/method.md §6): a seeded subset of the training set and a seeded
// subset of the test split. Built once per dataset and data settings (page/dataLoading.ts says
// which settings those are); the engine and the benchmarks share it.
import * as tf from '@tensorflow/tfjs';
import { datasetSummary, evalSubsetIndices, toDeviceData, type DeviceData, type PreparedDataset } from '../../data';
import { deriveSeed } from '../../is';
import type { EvalSet } from './evaluate';
import type { DatasetInfo } from '../../contract/protocol';

export const DEFAULT_TEST_EVAL_CAP = 2000;

/** Owns its device tensors: dispose() frees them. */
export interface ResidentData {
  cpu: PreparedDataset;
  device: DeviceData;
  evalTrain: EvalSet;
  evalTest: EvalSet;
  info: DatasetInfo;
  dispose(): void;
}

export interface ResidencyOptions {
  /** Size of the evaluation subset of the training set. */
  evalSize: number;
  /** Seeds both evaluation subsets. */
  seed: number;
  /** Test samples evaluated: a seeded subset of at most this many (default 2000). */
  testEvalCap?: number;
}

/** Uploads a prepared dataset and gathers its evaluation sets. */
export function makeResident(cpu: PreparedDataset, o: ResidencyOptions): ResidentData {
  if (o.evalSize > cpu.train.count) {
    throw new Error(`Evaluation subset size (${o.evalSize}) exceeds the ${cpu.train.count} training samples: lower evalSize`);
  }
  const device = toDeviceData(cpu);
  try {
    const trainIdx = evalSubsetIndices(cpu.train.count, o.evalSize, o.seed);
    const testCap = Math.min(cpu.test.count, o.testEvalCap ?? DEFAULT_TEST_EVAL_CAP);
    const testIdx = evalSubsetIndices(cpu.test.count, testCap, deriveSeed(o.seed, 'engine.testSubset'));
    const tr = device.gather(trainIdx, 'train');
    const te = device.gather(testIdx, 'test');
    const summary = datasetSummary(cpu);
    const info: DatasetInfo = {
      name: summary.name,
      title: summary.title,
      trainCount: summary.trainCount,
      testCount: summary.testCount,
      imageShape: summary.imageShape,
      classNames: summary.classNames,
      flippedCount: summary.flippedCount,
      trainEvalCount: trainIdx.length,
      testEvalCount: testIdx.length,
    };
    const evalTrain: EvalSet = { x: tr.x, y: tr.y, count: trainIdx.length };
    const evalTest: EvalSet = { x: te.x, y: te.y, count: testIdx.length };
    return {
      cpu,
      device,
      evalTrain,
      evalTest,
      info,
      dispose: () => {
        tf.dispose([evalTrain.x, evalTrain.y, evalTest.x, evalTest.y]);
        device.dispose();
      },
    };
  } catch (e) {
    device.dispose();
    throw e;
  }
}
