// The training loop: while the engine runs, one round after another, each through the engine's
// one promise chain (so a command never lands in the middle of a round), yielding to the event
// loop between rounds so that commands get in (engine.ts). After a pause it goes on with the
// evaluations and probes still queued for steps already trained, a piece per turn
// (offClockWork.ts), so that a paused race shows every point of the steps it made.
export interface TrainingLoopHooks {
  /** Whether to go on (the engine's state is 'running'). */
  running(): boolean;
  /** Runs `fn` in the engine's command chain. */
  exclusive(fn: () => Promise<void>): Promise<void>;
  /** One round and what follows it (messages, the budget); called only while running. */
  round(): Promise<void>;
  /** Whether, not running, queued off-clock work is left to finish. */
  finishing(): boolean;
  /** One piece of that work; called only while finishing. */
  piece(): Promise<void>;
  /** Lets the event loop in (a macrotask). */
  yieldToEvents(): Promise<void>;
  /** After the last round: `error` is what escaped a round, if anything did. */
  stopped(error: unknown): void;
}

export class TrainingLoop {
  private loop: Promise<void> | null = null;

  constructor(private readonly hooks: TrainingLoopHooks) {}

  /** Starts the loop unless it is going already. */
  start(): void {
    if (this.loop) return;
    const h = this.hooks;
    this.loop = (async () => {
      let error: unknown = undefined;
      try {
        while (h.running() || h.finishing()) {
          await h.exclusive(async () => {
            if (h.running()) await h.round();
            else if (h.finishing()) await h.piece();
          });
          await h.yieldToEvents();
        }
      } catch (e) {
        error = e;
      } finally {
        this.loop = null;
        h.stopped(error);
      }
    })();
  }

  /** Resolves once the loop has stopped. */
  async whenStopped(): Promise<void> {
    while (this.loop) await this.loop;
  }
}
