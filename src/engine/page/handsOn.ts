// The page's hands-on views of the race, in the worker: both runs' answers for an image the
// person drew or picked ('probe'), their first-layer weights as images ('watchWeights'), and a
// run's model to keep ('exportModel'). The engine hands every command of these kinds to
// handle() and calls refresh() after each of its jobs (a command, a training round), so the
// work happens between blocks, off both clocks, like the evaluations: a refresh is one small
// forward pass or one small read, far less than a block.
//
// Refreshes are throttled while training (predictions at most every PREDICT_INTERVAL_MS,
// weights with the evaluations and at most every WEIGHTS_INTERVAL_MS) and happen at once when
// training is paused, so what the page shows is the models as they are.
import type * as tf from '@tensorflow/tfjs';
import type { LogitsModel } from '../../is';
import { firstLayerValues, modelFileSet, predictProbabilities, quantizeFirstLayer } from '../core/inspect';
import type { DatasetInfo, EngineCommand, EngineEvent, EvalPoint, FirstLayerView, FirstLayerViewKind, ProbeInput, ProbePrediction, RunId } from '../../contract/protocol';
import type { Settings } from '../../contract/settings';

export type HandsOnCommand = Extract<EngineCommand, { type: 'probe' | 'watchWeights' | 'exportModel' }>;

/** The command types handled here. */
export const HANDS_ON_COMMANDS: readonly HandsOnCommand['type'][] = ['probe', 'watchWeights', 'exportModel'];

export function isHandsOnCommand(cmd: EngineCommand): cmd is HandsOnCommand {
  return (HANDS_ON_COMMANDS as readonly string[]).includes(cmd.type);
}

/** Least time between two predictions while training, ms. */
export const PREDICT_INTERVAL_MS = 300;
/** Least time between two first-layer views while training, ms (they also wait for an evaluation). */
export const WEIGHTS_INTERVAL_MS = 1000;
/** First-layer maps per run: the first 16 units or filters (16 MLP units are 12.5 KB a run). */
export const MAX_MAPS = 16;

/** What a refresh needs of a run (src/engine/run.ts Run fits). */
export interface HandsOnRun {
  readonly id: string;
  readonly step: number;
  readonly samplesSeen: number;
  readonly clockMs: number;
  readonly active: boolean;
  /** Read, never disposed here. */
  readonly model: tf.LayersModel;
  readonly logits: LogitsModel;
}

/** The resident data, as far as the hands-on views read it (src/engine/residency.ts ResidentData fits). */
export interface HandsOnData {
  cpu: {
    imageShape: readonly [number, number, number];
    test: { count: number; images: Uint8Array; labels: Uint8Array };
  };
  info: DatasetInfo;
}

/** Where the race is now (the engine wires it to its PageRace). */
export interface HandsOnSource {
  runs(): readonly HandsOnRun[];
  data(): HandsOnData | null;
  /** The settings the runs were built with; null before they are built. */
  settings(): Settings | null;
  latestEval(run: HandsOnRun): EvalPoint | null;
  backend(): string | null;
}

/** A probe checked against the data: the model input and what to tell the page about it. */
interface PreparedProbe {
  requestId: number;
  pixels: Float32Array;
  input: ProbePrediction['input'];
}

/** When a view was last sent, and of what (runs and steps). */
interface Sent {
  key: string;
  at: number;
}

const NEVER: Sent = { key: '', at: -Infinity };

export class HandsOn {
  private probe: PreparedProbe | null = null;
  private watching = false;
  private view: FirstLayerViewKind = 'change';
  /** Each run's first-layer maps at step 0, read when it is first seen there: what 'change' subtracts. */
  private readonly initial = new WeakMap<HandsOnRun, Float32Array>();
  private predicted: Sent = NEVER;
  private weighed: Sent = NEVER;
  /** Tells runs apart across rebuilds (a reset makes new runs at the same steps). */
  private readonly identities = new WeakMap<HandsOnRun, number>();
  private nextIdentity = 1;

  constructor(
    private readonly source: HandsOnSource,
    private readonly emit: (event: EngineEvent) => void,
    private readonly now: () => number,
  ) {}

  /** A hands-on command; throws with a message naming the value to change when it cannot be done. */
  async handle(cmd: HandsOnCommand): Promise<void> {
    switch (cmd.type) {
      case 'probe':
        if (!cmd.input) {
          this.probe = null;
          return;
        }
        this.probe = this.prepare(cmd.requestId, cmd.input, true);
        this.predicted = NEVER;
        return this.refresh(true);
      case 'watchWeights':
        this.watching = cmd.on;
        this.view = cmd.view ?? 'change';
        this.weighed = NEVER;
        return cmd.on ? this.refresh(true) : undefined;
      case 'exportModel':
        return this.exportModel(cmd.requestId, cmd.run);
    }
  }

  /**
   * Sends what is due: a prediction when the runs have stepped (at most every
   * PREDICT_INTERVAL_MS unless `idle`), the first-layer views when they have evaluated (at most
   * every WEIGHTS_INTERVAL_MS unless `idle`). `idle`: training is not running. Never throws: a
   * failure is reported and stops the view that failed.
   */
  async refresh(idle: boolean): Promise<void> {
    const runs = this.source.runs();
    if (runs.length === 0) return;
    await this.keepInitial(runs);
    const now = this.now();
    if (this.probe) {
      const key = this.key(runs, (r) => r.step);
      if (this.due(this.predicted, key, now, idle, PREDICT_INTERVAL_MS)) {
        try {
          this.predicted = { key, at: now };
          await this.predict(runs);
        } catch (e) {
          this.probe = null;
          this.report('The models could not classify the picture', e);
        }
      }
    }
    if (this.watching) {
      const key = this.key(runs, (r) => this.source.latestEval(r)?.step ?? -1);
      if (this.due(this.weighed, key, now, idle, WEIGHTS_INTERVAL_MS)) {
        try {
          this.weighed = { key, at: now };
          await this.sendWeights(runs);
        } catch (e) {
          this.watching = false;
          this.report('The first-layer weights could not be read', e);
        }
      }
    }
  }

  // ---- probes ---------------------------------------------------------------------------

  /**
   * The probe as model input. With `strict`, an input that does not fit the data throws a
   * message naming it; otherwise (the data changed under an old probe) it gives null.
   */
  private prepare(requestId: number, input: ProbeInput, strict: true): PreparedProbe;
  private prepare(requestId: number, input: ProbeInput, strict: false): PreparedProbe | null;
  private prepare(requestId: number, input: ProbeInput, strict: boolean): PreparedProbe | null {
    const data = this.source.data();
    const fail = (message: string): null => {
      if (strict) throw new Error(message);
      return null;
    };
    if (!data || this.source.runs().length === 0) return fail('Cannot classify a picture: the engine is not initialized (send init first).');
    const [h, w, c] = data.cpu.imageShape;
    const size = h * w * c;
    if (input.kind === 'pixels') {
      const { pixels } = input;
      if (pixels.length !== size) {
        return fail(`A picture for ${data.info.name} must have ${h}×${w}×${c} = ${size} values, got ${pixels.length}: draw on the page's canvas`);
      }
      const bad = pixels.findIndex((v) => !(v >= 0 && v <= 1));
      if (bad >= 0) return fail(`Picture value ${pixels[bad]} at ${bad} is outside [0, 1]: grey levels go from 0 (background) to 1 (ink)`);
      return { requestId, pixels: Float32Array.from(pixels), input: { kind: 'pixels' } };
    }
    const { count, images, labels } = data.cpu.test;
    if (!Number.isInteger(input.index) || input.index < 0 || input.index >= count) {
      return fail(`Test image ${input.index} does not exist: ${data.info.name} has test images 0 to ${count - 1}`);
    }
    const bytes = images.slice(input.index * size, (input.index + 1) * size);
    const pixels = Float32Array.from(bytes, (b) => b / 255);
    return { requestId, pixels, input: { kind: 'test', index: input.index, label: labels[input.index], pixels: bytes } };
  }

  private async predict(runs: readonly HandsOnRun[]): Promise<void> {
    const probe = this.probe ? this.refit(this.probe) : null;
    this.probe = probe;
    const data = this.source.data();
    if (!probe || !data) return;
    const probs = await predictProbabilities(
      runs.map((r) => (x: tf.Tensor) => r.logits.logits(x, false)),
      probe.pixels,
      data.cpu.imageShape,
    );
    const out: ProbePrediction['runs'] = {};
    runs.forEach((r, k) => {
      out[r.id as RunId] = { step: r.step, probabilities: Array.from(probs[k]) };
    });
    this.emit({ type: 'prediction', prediction: { requestId: probe.requestId, input: probe.input, runs: out } });
  }

  /** The probe again against the data now (a dataset change may have made it meaningless): null when it no longer fits. */
  private refit(probe: PreparedProbe): PreparedProbe | null {
    const data = this.source.data();
    if (!data) return null;
    const [h, w, c] = data.cpu.imageShape;
    if (probe.input.kind === 'pixels') return probe.pixels.length === h * w * c ? probe : null;
    return this.prepare(probe.requestId, { kind: 'test', index: probe.input.index }, false);
  }

  // ---- first-layer weights ----------------------------------------------------------------

  private async sendWeights(runs: readonly HandsOnRun[]): Promise<void> {
    const out: Partial<Record<RunId, FirstLayerView>> = {};
    for (const run of runs) {
      const now = await firstLayerValues(run.model, MAX_MAPS);
      if (!now) continue;
      // The change since step 0 where that is known (a run first seen later shows its weights).
      const baseline = this.view === 'change' ? (this.initial.get(run) ?? null) : null;
      const { kind, units, shown, height, width, values, scales } = quantizeFirstLayer(now, baseline);
      out[run.id as RunId] = { kind, view: baseline ? 'change' : 'weights', step: run.step, units, shown, height, width, values, scales };
    }
    this.emit({ type: 'firstLayer', runs: out });
  }

  /**
   * Reads the first layer of runs at step 0 not seen before (after init, reset or a restart; a
   * small read off the clocks), so that their change can be shown whenever the page asks.
   */
  private async keepInitial(runs: readonly HandsOnRun[]): Promise<void> {
    for (const run of runs) {
      if (run.step !== 0 || this.initial.has(run)) continue;
      try {
        const maps = await firstLayerValues(run.model, MAX_MAPS);
        if (maps) this.initial.set(run, maps.values);
      } catch {
        /* the weights view then shows the weights themselves; a failing device reports elsewhere */
      }
    }
  }

  // ---- keeping a model --------------------------------------------------------------------

  private async exportModel(requestId: number, id: RunId): Promise<void> {
    const settings = this.source.settings();
    const data = this.source.data();
    const run = this.source.runs().find((r) => r.id === id);
    if (!settings || !data) throw new Error(`Cannot keep the ${id} run's model: the engine is not initialized (send init first).`);
    if (!run) throw new Error(`Cannot keep the ${id} run's model: this race has no ${id} run (turn on "Compare with uniform" for one).`);
    // A worked example travels with the model, to check a reload: the picture on the page, else test image 0.
    const check = this.probe ? this.refit(this.probe) : null;
    const example = check ?? this.prepare(0, { kind: 'test', index: 0 }, false);
    const [probabilities] = example ? await predictProbabilities([(x) => run.logits.logits(x, false)], example.pixels, data.cpu.imageShape) : [null];
    const evaluation = this.source.latestEval(run);
    const base = `is-playground-${settings.dataset}-${settings.model}-seed${settings.seed}-${id}-step${run.step}`;
    const metadata = {
      isPlayground: {
        about: 'Importance Sampling Playground: one run of a race of importance sampling (Katharopoulos & Fleuret, ICML 2018) against uniform sampling',
        run: id,
        step: run.step,
        samplesSeen: run.samplesSeen,
        ownClockMs: run.clockMs,
        halted: !run.active,
        evaluation: evaluation ? { ...evaluation, testConfusion: undefined } : null,
        settings,
        backend: this.source.backend(),
        dataset: { name: data.info.name, classNames: data.info.classNames, imageShape: [...data.cpu.imageShape] },
        input: 'float32 [n, height, width, channels], grey levels in [0, 1]: the dataset bytes / 255, ink or light high',
        output: 'logits [n, classes]: apply softmax for class probabilities',
        check: example && probabilities ? { input: Array.from(example.pixels), probabilities: Array.from(probabilities), of: example.input.kind === 'test' ? `test image ${example.input.index}` : 'the picture drawn on the page' } : null,
        savedAt: new Date().toISOString(),
      },
    };
    // JSON drops the undefined confusion counts (100 numbers the metadata does not need).
    const files = await modelFileSet(run.model, base, JSON.parse(JSON.stringify(metadata)) as Record<string, object>);
    this.emit({ type: 'modelFiles', requestId, run: id, files });
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Which runs (across rebuilds) at which point: equal keys, nothing new to show. */
  private key(runs: readonly HandsOnRun[], at: (run: HandsOnRun) => number): string {
    return runs.map((r) => `${this.identity(r)}:${r.id}:${at(r)}`).join(' ');
  }

  private identity(run: HandsOnRun): number {
    let n = this.identities.get(run);
    if (n === undefined) {
      n = this.nextIdentity++;
      this.identities.set(run, n);
    }
    return n;
  }

  private due(last: Sent, key: string, now: number, idle: boolean, interval: number): boolean {
    return key !== last.key && (idle || now - last.at >= interval);
  }

  private report(what: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.emit({ type: 'error', fatal: false, message: `${what}: ${message}` });
  }
}
