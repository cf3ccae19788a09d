// The race's work off every clock between blocks, evaluations and variance-lab probes, run a
// piece at a time (docs/method.md §7). A worker answers a message only between synchronous
// stretches of work, and the engine takes commands only between turns of its command chain:
// an evaluation of 8,000 samples or a probe of 64 backward passes through a small CNN on the
// CPU used to hold Pause for 6-44 s. Here each turn of the training loop runs one piece of
// about the work budget's block time (workBudget.ts: offClockPieceSamples), so a command waits
// at most one piece. Pieces change nothing numerically (evaluate.ts, varianceLab.ts): the
// figures are those of the same work in one piece. No run trains while work is queued
// (pageRace.ts), so every evaluation and probe reads the model at the step it was queued for.

/** Work in pieces: run.ts's RunEvaluation and varianceLab.ts's VarianceLabMeasurement. */
export interface Piecewise<T> {
  /** True once every piece is queued: result() next. */
  readonly done: boolean;
  /** Queues the next `samples` samples' worth of the work (at least one). */
  step(samples: number): void;
  /** The one read at the end. */
  result(): Promise<T>;
  /** Frees what it holds; a no-op once finished. */
  dispose(): void;
}

interface Queued {
  work: Piecewise<unknown>;
  samplesPerPiece: number;
  then: (result: unknown) => void;
}

export class OffClockWork {
  private queue: Queued[] = [];

  /** True while work is queued: the runs train no further until it is done. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Queues `work` to run `samplesPerPiece` samples per piece, after what is queued already;
   * `then` gets its result. The queue owns `work` from here on (disposed when done or cleared).
   */
  add<T>(work: Piecewise<T>, samplesPerPiece: number, then: (result: T) => void): void {
    this.queue.push({ work, samplesPerPiece: Math.max(1, Math.floor(samplesPerPiece)), then: then as (result: unknown) => void });
  }

  /** One piece of the oldest work; when that was its last, its read and `then`. */
  async piece(): Promise<void> {
    const head = this.queue[0];
    if (!head) return;
    try {
      head.work.step(head.samplesPerPiece);
    } catch (e) {
      // The work is lost with its error (the round reports it); the rest stays queued.
      this.queue.shift();
      head.work.dispose();
      throw e;
    }
    if (!head.work.done) return;
    this.queue.shift();
    try {
      head.then(await head.work.result());
    } finally {
      head.work.dispose();
    }
  }

  /** Every queued piece, now (a step by hand, the end of a budget: nothing else waits on them). */
  async drain(): Promise<void> {
    while (this.pending) await this.piece();
  }

  /** Drops every queued piece unread (a reset, new runs, new data), freeing what it holds. */
  clear(): void {
    const dropped = this.queue;
    this.queue = [];
    for (const q of dropped) q.work.dispose();
  }
}
