// Measured costs of this device, for the measured τ_th (docs/method.md §3): an exponential
// moving average of the scoring pass over the presample B and of a training step over b,
// reset whenever b, B or the score changes (the timings then describe other work).
import * as tf from '@tensorflow/tfjs';
import type { DeviceData } from '../data';
import { createRng, deriveSeed, presampleSize, scoreBatch, tauThresholdFor, uniformIndices, type LogitsModel, type StepReport } from '../is';
import type { MeasuredCosts } from './protocol';
import type { RunTrainer } from './run';
import type { Settings } from './settings';

/** EMA momentum of the measured timings. */
const COST_MOMENTUM = 0.9;

/** An exponential moving average that starts at its first value. */
export class Ema {
  value: number | null = null;
  constructor(private readonly momentum: number) {}
  add(x: number): number {
    this.value = this.value === null ? x : this.momentum * this.value + (1 - this.momentum) * x;
    return this.value;
  }
  reset(): void {
    this.value = null;
  }
}

type CostSettings = Pick<Settings, 'batchSize' | 'presampleFactor' | 'score'>;

export class CostMeter {
  private readonly scoreCost = new Ema(COST_MOMENTUM);
  private readonly stepCost = new Ema(COST_MOMENTUM);
  private key = '';
  /** The measured τ_th last handed to a trainer (null: hand it again). */
  private applied: number | null = null;

  /** Forgets the timings when b, B or the score changed since they were taken. */
  sync(s: CostSettings): void {
    const key = `${s.batchSize}:${presampleSize(s)}:${s.score}`;
    if (key === this.key) return;
    this.key = key;
    this.scoreCost.reset();
    this.stepCost.reset();
  }

  /** Takes the timings of one step. `scoresPresample`: the step's sampler scored a presample. */
  record(s: CostSettings, report: StepReport, scoresPresample: boolean): void {
    this.sync(s);
    if (report.importanceActive && scoresPresample) this.scoreCost.add(report.scoreMs);
    this.stepCost.add(report.trainMs);
  }

  get hasScoreCost(): boolean {
    return this.scoreCost.value !== null;
  }

  /** (t_score(B) + t_step(b)) / t_step(b), or null until both are measured. */
  tauThreshold(s: CostSettings): number | null {
    this.sync(s);
    const ts = this.scoreCost.value;
    const tt = this.stepCost.value;
    if (ts === null || tt === null || !(tt > 0)) return null;
    return (ts + tt) / tt;
  }

  /**
   * Times a scoring pass over B on `model` (the second of two: the first compiles kernels)
   * and takes it as the score cost; returns its ms. Forward only, no update.
   */
  async probeScoring(s: Settings, model: LogitsModel, data: DeviceData, now: () => number): Promise<number> {
    this.sync(s);
    const n = data.train.count;
    const B = Math.min(presampleSize(s), n);
    const rng = createRng(deriveSeed(s.seed, 'engine.probe'));
    let ms = 0;
    for (let k = 0; k < 2; k++) {
      const t0 = now();
      const out = tf.tidy(() => {
        const { x, y } = data.gather(uniformIndices(n, B, rng));
        return tf.sum(scoreBatch(model, x, y, s.score).scores);
      });
      await out.data();
      out.dispose();
      ms = now() - t0;
    }
    this.scoreCost.add(ms);
    return ms;
  }

  /** The next applyTo() hands the threshold over even if unchanged (after new runs or settings). */
  forgetApplied(): void {
    this.applied = null;
  }

  /**
   * Measured τ_th for a run: before any presample step has timed the scoring pass over B,
   * time one (returned, to be charged to that run's clock), then hand the current
   * (t_score(B) + t_step(b)) / t_step(b) to its trainer when it changed.
   */
  async applyTo(
    trainer: Pick<RunTrainer, 'updateSettings'>,
    s: Settings,
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
    const B = presampleSize(s);
    return {
      scoreMs: this.scoreCost.value,
      stepMs: this.stepCost.value,
      measuredTauThreshold: this.tauThreshold(s),
      presampleSize: B,
      batchSize: s.batchSize,
      costModelTauThreshold: tauThresholdFor(B, s.batchSize),
    };
  }
}
