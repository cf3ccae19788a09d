// Benchmark 2 (docs/method.md §3): what importance sampling costs per step. Time per step in
// importance mode (the paper's presample: score B, draw b, train) over uniform mode, next to
// the paper's cost model (B + 3b)/(3b); and the scoring forward pass per sample over the
// training step per sample, which the cost model assumes to be about 1/3.
import type { DatasetName } from '../src/data/index.ts';
import type { ModelName } from '../src/models/index.ts';
import { loadBenchData } from './lib/data.ts';
import { runBenchmark } from './lib/env.ts';
import { STAGES, presampleStages, type Stage } from './lib/presampleBreakdown.ts';
import { makeRun, stepBlock } from './lib/race.ts';

/** Steps per timed block (the page's default blockSteps). */
const BLOCK = 8;
import { median } from './lib/stats.ts';
import { fmt, times, type Table } from './lib/table.ts';

interface Case {
  model: ModelName;
  b: number;
  factor: number;
  /** Timed blocks of BLOCK steps per mode (split in rounds that alternate the modes). */
  steps: number;
}

interface Measured extends Case {
  B: number;
  uniformMs: number;
  importanceMs: number;
  scoreMs: number;
  trainMs: number;
  /** The table sampler (docs/method.md §5) in forced mode: draw + train + table update. */
  tableMs: number;
  /** The presample step re-enacted stage by stage (bench/lib/presampleBreakdown.ts). */
  stages: Record<Stage, number> | null;
}

await runBenchmark('cost', 'Cost of importance sampling per step', async ({ args, backend, tag }) => {
  const s = args.scale;
  const n = (k: number): number => Math.max(2, Math.round(k * s));
  let cases: Case[];
  if (backend.name === 'wasm') {
    cases = args.quick
      ? [{ model: 'mlp', b: 64, factor: 3, steps: n(6) }, { model: 'cnn-tiny', b: 64, factor: 3, steps: n(3) }]
      : [
          { model: 'mlp', b: 64, factor: 2, steps: n(24) },
          { model: 'mlp', b: 64, factor: 3, steps: n(24) },
          { model: 'mlp', b: 64, factor: 5, steps: n(24) },
          { model: 'cnn-tiny', b: 64, factor: 2, steps: n(12) },
          { model: 'cnn-tiny', b: 64, factor: 3, steps: n(12) },
          { model: 'cnn-tiny', b: 64, factor: 5, steps: n(12) },
          { model: 'cnn-small', b: 64, factor: 3, steps: n(6) },
        ];
  } else if (backend.name === 'cpu') {
    cases = args.quick
      ? [{ model: 'mlp', b: 64, factor: 3, steps: n(3) }, { model: 'cnn-tiny', b: 16, factor: 3, steps: n(2) }]
      : [
          { model: 'mlp', b: 64, factor: 2, steps: n(10) },
          { model: 'mlp', b: 64, factor: 3, steps: n(10) },
          { model: 'mlp', b: 64, factor: 5, steps: n(10) },
          { model: 'cnn-tiny', b: 64, factor: 3, steps: n(2) },
        ];
  } else if (backend.emulated) {
    // SwiftShader: tiny settings, it is slow and its timings say nothing about GPUs.
    cases = [{ model: 'mlp', b: 16, factor: 3, steps: n(args.quick ? 2 : 6) }, { model: 'cnn-tiny', b: 8, factor: 3, steps: n(args.quick ? 1 : 3) }];
  } else {
    cases = (['mlp', 'cnn-tiny', 'cnn-small'] as ModelName[]).flatMap((model) =>
      [2, 3, 5].map((factor) => ({ model, b: 64, factor, steps: n(args.quick ? 10 : 60) })),
    );
  }
  const dataset: DatasetName = 'mnist';
  const data = await loadBenchData(dataset, { trainCap: 0, evalSize: 32 });
  const measured: Measured[] = [];
  for (const c of cases) {
    const run = makeRun(c.model, 1, { label: 'cost', settings: { batchSize: c.b, presampleFactor: c.factor, mode: 'uniform' } }, data);
    const B = Math.round(c.b * c.factor);
    const uni: number[] = [];
    const imp: number[] = [];
    const tab: number[] = [];
    const timeSteps = async (mode: 'uniform' | 'importance', sampler: 'presample' | 'table', k: number, into: number[] | null): Promise<void> => {
      run.trainer.updateSettings({ mode, sampler });
      // In blocks of BLOCK steps with one read each, as the page and the races train (docs/method.md §7).
      for (let i = 0; i < k; i++) {
        const t0 = performance.now();
        await stepBlock(run, BLOCK);
        const dt = (performance.now() - t0) / BLOCK;
        if (into) into.push(dt);
      }
    };
    // Warm-up (kernels, shader compilation), then rounds alternating the modes so that load
    // from other processes falls on all of them alike.
    await timeSteps('uniform', 'presample', 2, null);
    await timeSteps('importance', 'presample', 2, null);
    await timeSteps('importance', 'table', 2, null);
    const rounds = Math.min(8, c.steps);
    const per = Math.max(1, Math.round(c.steps / rounds));
    const blocks = [
      () => timeSteps('uniform', 'presample', per, uni),
      () => timeSteps('importance', 'presample', per, imp),
      () => timeSteps('importance', 'table', per, tab),
    ];
    // The order rotates every round, so no mode always follows the same other mode.
    for (let r = 0; r < rounds; r++) for (let k = 0; k < blocks.length; k++) await blocks[(r + k) % blocks.length]();
    // Where the presample step's time goes (B = 3b only; on the CPU backend not for the slow CNNs).
    const breakdown = c.factor === 3 && !(backend.name === 'cpu' && c.model !== 'mlp');
    const stages = breakdown
      ? await presampleStages({ model: run.logits, x: data.device.train.x, y: data.device.train.y, b: c.b, B, reps: Math.max(4, c.steps * 2) })
      : null;
    run.dispose();
    const m: Measured = {
      ...c,
      B,
      uniformMs: median(uni),
      importanceMs: median(imp),
      // The presample's extra work (score B, draw on the device) is what an importance step costs beyond a uniform one.
      scoreMs: Math.max(0, median(imp) - median(uni)),
      trainMs: median(uni),
      tableMs: median(tab),
      stages,
    };
    measured.push(m);
    console.log(`${c.model} b=${c.b} B=${B}: uniform ${fmt(m.uniformMs)} ms, importance ${fmt(m.importanceMs)} ms (score ${fmt(m.scoreMs)} + train ${fmt(m.trainMs)}), table ${fmt(m.tableMs)} ms`);
  }
  data.dispose();

  const tables: Table[] = [
    {
      title: `Time per step, importance (presample) over uniform, next to the cost model ${tag}`,
      note: `${dataset}, Adam; medians over ${measured.map((m) => m.steps).join('/')} timed blocks per mode after warm-up, modes alternating in rounds whose order rotates. ` +
        `A step is 1/${BLOCK} of an awaited block of ${BLOCK} trainer steps (draw, gather, (score,) train) with one read-back, as the page trains.`+'  Score pass = importance step − uniform step (presample draw, forward pass over B, draw on the device); train = the uniform step.',
      columns: ['model', 'b', 'B', 'uniform ms/step', 'importance ms/step', 'measured ratio', 'cost model (B+3b)/(3b)', 'score pass ms', 'score fwd per sample / train step per sample', 'score table ms/step (ratio)'],
      rows: measured.map((m) => [
        m.model,
        m.b,
        m.B,
        fmt(m.uniformMs),
        fmt(m.importanceMs),
        times(m.importanceMs / m.uniformMs),
        times((m.B + 3 * m.b) / (3 * m.b)),
        fmt(m.scoreMs),
        fmt(m.scoreMs / m.B / (m.uniformMs / m.b), 3),
        `${fmt(m.tableMs)} (${times(m.tableMs / m.uniformMs)})`,
      ]),
    },
  ];
  const broken = measured.filter((m) => m.stages);
  if (broken.length) {
    const scoring = (m: Measured) => m.stages!['scoring forward over B'];
    tables.push({
      title: `Where a presample step's milliseconds go (B = 3b) ${tag}`,
      note:
        'The step the trainer runs, re-enacted stage by stage with the same library functions, each stage ended by a read (medians). ' +
        'Target: the importance step within ~10 % of one training step plus the scoring forward pass (the work presampling cannot avoid). ' +
        `${backend.name === 'webgpu' ? 'On WebGPU the per-stage reads stall the pipeline: the stages add up to more than the pipelined step.' : 'On this synchronous backend a read only copies, so the stages add up to the step.'}`,
      columns: ['model', 'b', 'B', ...STAGES, 'sum of stages', 'importance step (measured)', 'uniform step + scoring forward', 'importance step over that'],
      rows: broken.map((m) => {
        const sum = STAGES.reduce((a, st) => a + m.stages![st], 0);
        const floor = m.uniformMs + scoring(m);
        return [m.model, m.b, m.B, ...STAGES.map((st) => fmt(m.stages![st], 3)), fmt(sum), fmt(m.importanceMs), fmt(floor), `${((m.importanceMs / floor - 1) * 100).toFixed(1)} %`];
      }),
    });
  }
  return {
    settings: { dataset, optimizer: 'adam', learningRate: 0.001, cases },
    tables,
    figures: measured,
    notes: [
      'The paper assumes a forward pass costs about a third of a training step per sample, hence τ_th = (B + 3b)/(3b). ' +
        'The measured per-sample ratio (column 9) shows how far that holds on this backend; where it is far below 1/3, the cost model overstates the price of presampling.',
    ],
  };
});
