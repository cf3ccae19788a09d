// Measured costs of this device, for the measured τ_th (docs/method.md §3): exponential
// moving averages of the time per step of importance steps (with whatever the sampler does
// beyond a uniform step: a presample's scoring pass, a table's draw and update) and of
// uniform steps, reset whenever the sampler, b, B or the score changes (the timings then
// describe other work). τ_th = t_importance / t_uniform = (t_score(B) + t_step(b)) / t_step(b). Steps run in
// blocks whose steps all sample the same way, so a block's time per step is one kind's cost.
// Before any importance step has been timed, a probe times the scoring pass over B.
import * as tf from '@tensorflow/tfjs';
import type { DeviceData } from '../../data';
import { createRng, deriveSeed, presampleSize, scoreRows, tauThresholdFor, uniformIndices, type LogitsModel, type StepReport } from '../../is';
import type { MeasuredCosts } from '../../contract/protocol';
import { Ema } from './ema';
import type { RunTrainer } from './run';
import type { Settings } from '../../contract/settings';

/** EMA momentum of the measured timings. */
const COST_MOMENTUM = 0.9;

type CostSettings = Pick<Settings, 'batchSize' | 'presampleFactor' | 'score' | 'sampler'>;
/** What a scoring probe needs: the cost settings and the seed its presample is drawn from. */
type ProbeSettings = CostSettings & Pick<Settings, 'seed'>;

export class CostMeter {
  /** ms per importance step of the current sampler. */
  private readonly importanceStep = new Ema(COST_MOMENTUM);
  /** ms per uniform step. */
  private readonly uniformStep = new Ema(COST_MOMENTUM);
  /** ms of one scoring pass over B, from the probe (presample samplers, before importance steps are timed). */
  private probed: number | null = null;
  private key = '';
  /** The measured τ_th last handed to a trainer (null: hand it again). */
  private applied: number | null = null;

  /** Forgets the timings when b, B or the score changed since they were taken. */
  sync(s: CostSettings): void {
    const key = `${s.sampler}:${s.batchSize}:${presampleSize(s)}:${s.score}`;
    if (key === this.key) return;
    this.key = key;
    this.importanceStep.reset();
    this.uniformStep.reset();
    this.probed = null;
  }

  /** Takes the time per step of one block's steps. */
  record(s: CostSettings, reports: readonly StepReport[]): void {
    this.sync(s);
    for (const r of reports) (r.importanceActive ? this.importanceStep : this.uniformStep).add(r.trainMs + r.scoreMs);
  }

  /** The importance step's extra work, ms: importance step − uniform step once both are timed, else the probe. */
  private scoreMs(): number | null {
    const imp = this.importanceStep.value;
    const uni = this.uniformStep.value;
    if (imp !== null && uni !== null) return Math.max(0, imp - uni);
    return this.probed;
  }

  get hasScoreCost(): boolean {
    return this.scoreMs() !== null;
  }

  /** (t_score(B) + t_step(b)) / t_step(b), or null until both are measured. */
  tauThreshold(s: CostSettings): number | null {
    this.sync(s);
    const ts = this.scoreMs();
    const tt = this.uniformStep.value;
    if (ts === null || tt === null || !(tt > 0)) return null;
    return (ts + tt) / tt;
  }

  /**
   * Times a scoring pass over B on `model` (the second of two: the first compiles kernels);
   * returns its ms. Forward only, no update; ends with a read, so the queue is empty after.
   */
  async probeScoring(s: ProbeSettings, model: LogitsModel, data: DeviceData, now: () => number): Promise<number> {
    this.sync(s);
    const n = data.train.count;
    const B = Math.min(presampleSize(s), n);
    const rng = createRng(deriveSeed(s.seed, 'engine.probe'));
    let ms = 0;
    for (let k = 0; k < 2; k++) {
      const t0 = now();
      const out = tf.tidy(() => {
        // In chunks, as the sampler scores (scoreRows): the memory of one chunk, whatever B is.
        const idx = tf.tensor1d(uniformIndices(n, B, rng), 'int32');
        return tf.sum(scoreRows(model, data.train.x, data.train.y, idx, s.score).scores);
      });
      await out.data();
      out.dispose();
      ms = now() - t0;
    }
    this.probed = ms;
    return ms;
  }

  /** The next applyTo() hands the threshold over even if unchanged (after new runs or settings). */
  forgetApplied(): void {
    this.applied = null;
  }

  /**
   * Measured τ_th for a run: before the scoring pass over B has been timed, probe it (the ms
   * are returned, to be charged to that run's clock), then hand the current threshold to its
   * trainer when it changed.
   */
  async applyTo(
    trainer: Pick<RunTrainer, 'updateSettings'>,
    s: ProbeSettings,
    probe: { scoresPresample: boolean; model: LogitsModel; data: DeviceData; now: () => number },
  ): Promise<number> {
    let probeMs = 0;
    if (probe.scoresPresample && !this.hasScoreCost) probeMs = await this.probeScoring(s, probe.model, probe.data, probe.now);
    const th = this.tauThreshold(s);
    if (th !== null && th !== this.applied) {
      trainer.updateSettings({ tauThreshold: th });
      this.applied = th;
    }
    return probeMs;
  }

  snapshot(s: CostSettings): MeasuredCosts {
    this.sync(s);
    const B = presampleSize(s);
    return {
      scoreMs: this.scoreMs(),
      stepMs: this.uniformStep.value,
      measuredTauThreshold: this.tauThreshold(s),
      presampleSize: B,
      batchSize: s.batchSize,
      costModelTauThreshold: tauThresholdFor(B, s.batchSize),
    };
  }
}
