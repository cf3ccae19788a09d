// Benchmark 4 (docs/method.md §1, §3): how much each score reduces the variance of the
// gradient estimate. At a few checkpoints of a uniform training run, one presample of B
// samples is drawn; every sample's exact gradient g_i (all trainable weights) is computed;
// then for each sampling distribution p over the presample (uniform, loss, upper bound,
// exact gradient norm) many batches of b are drawn with the library's importanceSample
// (with replacement, weights 1/(B·p)) and the squared error of the weighted batch gradient
// against the presample's mean gradient μ is averaged. With the Gram matrix K = G·Gᵀ,
// ‖Σ_k c_k g_k − μ‖² = (c − u)ᵀ K (c − u), so each draw costs O(B²), not O(#weights).
// The exact expectation (1/b)[(1/B²) Σ K_ii/p_i − ‖μ‖²] is reported as a check.
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, importanceSample, perSampleLoss, samplingProbabilities, tauFromScores, uniformIndices, upperBoundScores } from '../src/is/index.ts';
import { loadBenchData } from './lib/data.ts';
import { runBenchmark } from './lib/env.ts';
import { evalTrain, makeRun, stepOnce } from './lib/race.ts';
import { fmt, times, type Table } from './lib/table.ts';

type Dist = 'uniform' | 'loss' | 'upperBound' | 'gnorm';
const DISTS: Dist[] = ['uniform', 'loss', 'upperBound', 'gnorm'];

interface Row {
  step: number;
  trainLoss: number;
  dist: Dist;
  /** Mean squared error of the batch gradient over the draws. */
  measured: number;
  /** Its closed form. */
  exact: number;
  /** τ of this distribution's scores (paper Eq. 26), unsmoothed. */
  tau: number;
}

await runBenchmark('variance', 'Variance lab: gradient-estimate variance by score (paper RQ4)', async ({ args, tag }) => {
  const quick = args.quick;
  const model = 'mlp';
  const dataset = 'fashion-mnist';
  const b = 32;
  const B = quick ? 64 : 192;
  const draws = quick ? 300 : 4000;
  const checkpoints = (quick ? [0, 60] : [0, 100, 400, 1200]).map((k, i) => (i === 0 ? 0 : Math.max(1, Math.round(k * args.scale))));
  const data = await loadBenchData(dataset, { trainCap: 10000, evalSize: 1000 });
  const run = makeRun(model, 1, { label: 'uniform', settings: { mode: 'uniform', batchSize: 64, optimizer: 'adam', learningRate: 0.002 } }, data);
  const lm = run.logits;
  const rng = createRng(deriveSeed(7, 'bench.variance'));
  const rows: Row[] = [];
  let done = 0;
  for (const step of checkpoints) {
    while (done < step) {
      await stepOnce(run);
      done++;
    }
    const trainLoss = (await evalTrain(run, data)).loss;
    const presample = uniformIndices(data.cpu.train.count, B, rng);
    const { x, y } = data.device.gather(presample, 'train');
    // Scores from one forward pass (inference mode), as the trainer computes them.
    const sc = tf.tidy(() => {
      const z = lm.logits(x, false);
      return tf.stack([perSampleLoss(z, y), upperBoundScores(z, y)]);
    });
    const scv = await sc.data();
    sc.dispose();
    // Per-sample gradients, one backward pass each, as rows of G [B, P]; then K = G Gᵀ.
    const vars = lm.trainableWeights();
    const rowsG: tf.Tensor1D[] = [];
    for (let i = 0; i < B; i++) {
      rowsG.push(
        tf.tidy(() => {
          const xi = tf.slice(x, i, 1);
          const yi = tf.slice(y, i, 1);
          const { value, grads } = tf.variableGrads(() => tf.sum(perSampleLoss(lm.logits(xi, false), yi)) as tf.Scalar, vars);
          value.dispose();
          return tf.concat(vars.map((v) => tf.reshape(grads[v.name], [-1]))) as tf.Tensor1D;
        }),
      );
    }
    const Kt = tf.tidy(() => {
      const G = tf.stack(rowsG) as tf.Tensor2D;
      return tf.matMul(G, G, false, true);
    });
    tf.dispose([...rowsG, x, y]);
    const K = Float64Array.from(await Kt.data());
    Kt.dispose();
    const scores: Record<Dist, Float64Array> = {
      uniform: new Float64Array(B).fill(1),
      loss: Float64Array.from(scv.subarray(0, B)),
      upperBound: Float64Array.from(scv.subarray(B, 2 * B)),
      gnorm: Float64Array.from({ length: B }, (_, i) => Math.sqrt(Math.max(0, K[i * B + i]))),
    };
    let muSq = 0;
    for (let i = 0; i < K.length; i++) muSq += K[i];
    muSq /= B * B;
    const c = new Float64Array(B);
    for (const dist of DISTS) {
      const s = scores[dist];
      const p = samplingProbabilities(s);
      let exact = 0;
      for (let i = 0; i < B; i++) if (p[i] > 0) exact += K[i * B + i] / p[i];
      exact = (exact / (B * B) - muSq) / b;
      let sum = 0;
      for (let d = 0; d < draws; d++) {
        const draw = importanceSample(s, b, rng);
        c.fill(-1 / B);
        for (let k = 0; k < b; k++) c[draw.positions[k]] += draw.weights[k] / b;
        let q = 0;
        for (let i = 0; i < B; i++) {
          if (c[i] === 0) continue;
          let acc = 0;
          const row = i * B;
          for (let j = 0; j < B; j++) acc += K[row + j] * c[j];
          q += c[i] * acc;
        }
        sum += q;
      }
      rows.push({ step, trainLoss, dist, measured: sum / draws, exact, tau: tauFromScores(s) });
    }
    const u = rows.find((r) => r.step === step && r.dist === 'uniform')!;
    console.log(`step ${step} (train loss ${fmt(trainLoss)}): ` + rows.filter((r) => r.step === step).map((r) => `${r.dist} ×${fmt(u.measured / r.measured, 3)} τ ${fmt(r.tau, 3)}`).join(', '));
  }
  run.dispose();
  data.dispose();
  const uniformAt = (step: number): Row => rows.find((r) => r.step === step && r.dist === 'uniform')!;
  const table: Table = {
    title: `Variance of the batch gradient by sampling distribution, ${dataset}, ${model}, presample B = ${B}, b = ${b}, ${draws} draws ${tag}`,
    note:
      'One uniform training run (Adam lr 0.002, b = 64) stopped at each checkpoint; one presample per checkpoint, the same for every distribution. Reduction = Var(uniform) / Var(distribution), ' +
      'an equivalent batch-size factor (variance ∝ 1/b). τ is the paper\'s estimate from that distribution\'s scores (Eq. 26, unsmoothed); for p ∝ the true gradient norms, τ² is the reduction if ‖μ‖² is negligible.',
    columns: ['step', 'train loss', 'sampling ∝', 'Var (measured)', 'Var (exact)', 'reduction (measured)', 'reduction (exact)', 'τ', 'τ²'],
    rows: rows.map((r) => {
      const u = uniformAt(r.step);
      return [r.step, fmt(r.trainLoss), r.dist, r.measured.toExponential(3), r.exact.toExponential(3), times(u.measured / r.measured), times(u.exact / r.exact), fmt(r.tau, 3), fmt(r.tau * r.tau, 3)];
    }),
  };
  return {
    settings: { dataset, model, b, B, draws, checkpoints, trainCap: 10000, optimizer: 'adam', learningRate: 0.002, trainBatch: 64 },
    tables: [table],
    figures: rows,
    notes: [],
  };
});
