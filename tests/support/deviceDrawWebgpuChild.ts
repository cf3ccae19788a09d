// Child process of tests/unit/is/device-draw.test.ts (started with the WebGPU environment by
// spawnWithWebgpu): runs drawOnDevice on tfjs's WebGPU backend through Dawn, counts every
// device→host read while it runs, and draws again on the CPU backend with the same scores and
// uniforms. Prints one JSON line with what it saw; the parent asserts.
import { printChildResult } from './childOutput';
import { installNodeWebgpu } from './nodeWebgpu';

interface Out {
  ok: boolean;
  reason?: string;
  [k: string]: unknown;
}

/** Counts the three ways a tensor's values can come back from the device. */
interface ReadCounter {
  backendRead: number;
  backendReadSync: number;
  /** GPUBuffer.mapAsync: the WebGPU call every read of device memory goes through. */
  mapAsync: number;
}

async function main(): Promise<Out> {
  const gpu = await installNodeWebgpu();
  if (!gpu.ok) return { ok: false, reason: gpu.reason };
  const tf = await import('@tensorflow/tfjs');
  const { drawOnDevice, drawUniforms } = await import('../../src/is/deviceDraw');
  const { createRng } = await import('../../src/is/rng');
  const { samplingProbabilities } = await import('../../src/is/sampler');
  const out: Out = { ok: true, adapter: gpu.adapter };
  if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: 'tf.setBackend("webgpu") failed' };
  await tf.ready();
  const webgpu = tf.backend() as unknown as {
    read(dataId: object): Promise<unknown>;
    readSync(dataId: object): unknown;
    tensorMap: { get(dataId: object): { resource: unknown; values: unknown } };
  };

  const counter: ReadCounter = { backendRead: 0, backendReadSync: 0, mapAsync: 0 };
  const read = webgpu.read.bind(webgpu);
  const readSync = webgpu.readSync.bind(webgpu);
  webgpu.read = (dataId) => (counter.backendRead++, read(dataId));
  webgpu.readSync = (dataId) => (counter.backendReadSync++, readSync(dataId));
  const proto = GPUBuffer.prototype as unknown as { mapAsync: (...args: unknown[]) => Promise<undefined> };
  const mapAsync = proto.mapAsync;
  proto.mapAsync = function (this: GPUBuffer, ...args: unknown[]) {
    counter.mapAsync++;
    return mapAsync.apply(this, args);
  };
  const snapshot = (): ReadCounter => ({ ...counter });

  const rng = createRng(2024);
  const randomScores = (B: number): Float32Array =>
    Float32Array.from({ length: B }, () => (rng.next() < 0.25 ? 0 : -Math.log(1 - rng.next())));
  // Scores as the trainer has them: the output of a GPU kernel, living only in device memory
  // (relu has no CPU shortcut on this backend).
  const onDevice = (s: Float32Array): import('@tensorflow/tfjs').Tensor1D =>
    tf.tidy(() => tf.relu(tf.tensor1d(s)));
  const deviceOnly = (t: import('@tensorflow/tfjs').Tensor): boolean => {
    const data = webgpu.tensorMap.get(t.dataId);
    return data.resource != null && data.values == null;
  };

  // 1. No read inside drawOnDevice; the positive control shows the counters see a read.
  const scores = onDevice(randomScores(96));
  out.scoresDeviceOnly = deviceOnly(scores);
  const before = snapshot();
  const draw = drawOnDevice(scores, drawUniforms(rng, 32), 0);
  out.readsDuringDraw = { ...snapshot(), before };
  await draw.positions.data();
  out.readsAfterData = snapshot();
  draw.positions.dispose();
  draw.probabilities.dispose();
  draw.weights.dispose();
  scores.dispose();

  // 2. The same draws as the CPU backend, p and weights to float32 precision, no leak.
  interface Case {
    scores: Float32Array;
    uniforms: Float32Array;
    smoothing: number;
  }
  const cases: Case[] = [];
  for (let t = 0; t < 100; t++) {
    const B = t % 2 === 0 ? 96 : 500;
    cases.push({ scores: randomScores(B), uniforms: drawUniforms(rng, 256), smoothing: t % 3 === 0 ? 0.5 : 0 });
  }
  cases.push({ scores: new Float32Array(96), uniforms: drawUniforms(rng, 256), smoothing: 0 });
  const runAll = async (): Promise<{ positions: Int32Array[]; probabilities: Float32Array[]; weights: Float32Array[] }> => {
    const res = { positions: [] as Int32Array[], probabilities: [] as Float32Array[], weights: [] as Float32Array[] };
    for (const c of cases) {
      const s = tf.backend() === (webgpu as unknown) ? onDevice(c.scores) : tf.tensor1d(c.scores);
      const d = drawOnDevice(s, c.uniforms, c.smoothing);
      res.positions.push((await d.positions.data()) as Int32Array);
      res.probabilities.push((await d.probabilities.data()) as Float32Array);
      res.weights.push((await d.weights.data()) as Float32Array);
      tf.dispose([s, d.positions, d.probabilities, d.weights]);
    }
    return res;
  };
  const tensorsBefore = tf.memory().numTensors;
  const t0 = Date.now();
  const onGpu = await runAll();
  out.gpuSeconds = (Date.now() - t0) / 1000;
  out.tensorGrowth = tf.memory().numTensors - tensorsBefore;
  await tf.setBackend('cpu');
  const onCpu = await runAll();
  let agree = 0;
  let total = 0;
  let zeroDrawn = 0;
  let maxRelP = 0;
  let maxRelW = 0;
  cases.forEach((c, i) => {
    const p = samplingProbabilities(c.scores, c.smoothing);
    const B = c.scores.length;
    onGpu.positions[i].forEach((pos, k) => {
      total++;
      if (pos === onCpu.positions[i][k]) agree++;
      if (!(p[pos] > 0)) zeroDrawn++;
      maxRelP = Math.max(maxRelP, Math.abs(onGpu.probabilities[i][k] - p[pos]) / p[pos]);
      maxRelW = Math.max(maxRelW, Math.abs(onGpu.weights[i][k] * B * p[pos] - 1));
    });
  });
  out.agreement = { agree, total, zeroDrawn, maxRelP, maxRelW };
  out.allZeroCase = { positions: Array.from(onGpu.positions[cases.length - 1].slice(0, 8)), weights: Array.from(onGpu.weights[cases.length - 1].slice(0, 8)) };

  // 3. Boundaries at B = 32768 (the largest presample): a uniform at the exact midpoint of
  // an entry's interval draws that entry whenever the entry is wider than the float32 error.
  await tf.setBackend('webgpu');
  const big = Float32Array.from({ length: 32768 }, () => -Math.log(1 - rng.next()));
  const cdf = new Float64Array(big.length);
  let acc = 0;
  big.forEach((v, i) => (cdf[i] = acc += v));
  const mids = Float32Array.from(cdf, (c, i) => (c - big[i] / 2) / acc);
  const bigScores = onDevice(big);
  const bigDraw = drawOnDevice(bigScores, mids, 0);
  const bigPositions = (await bigDraw.positions.data()) as Int32Array;
  tf.dispose([bigScores, bigDraw.positions, bigDraw.probabilities, bigDraw.weights]);
  let checked = 0;
  let wrong = 0;
  big.forEach((v, i) => {
    if (v / acc <= 10 * 2 ** -23) return;
    checked++;
    if (bigPositions[i] !== i) wrong++;
  });
  // The backend's plain cumsum, for the report: how far its boundaries drift.
  const plain = tf.tidy(() => tf.cumsum(tf.relu(tf.tensor1d(big))));
  const plainCdf = await plain.data();
  plain.dispose();
  let plainErr = 0;
  plainCdf.forEach((c, i) => (plainErr = Math.max(plainErr, Math.abs(c - cdf[i]) / acc)));
  out.midpoints = { checked, wrong, plainCumsumMaxErrorOverTotal: plainErr };
  return out;
}

printChildResult(main());
