// The pace of the engine's messages to the page: the points of the runs go out at most once per
// metrics interval (a few per second, never one per step) and the status at least once per
// status interval while training; state changes and the end of a round of commands send them
// at once (engine.ts). What goes out is asked for when it is sent: the points the race has
// gathered since the last message, the status as it is now.
import type { EngineEvent, EngineStatus, RunId, RunMetrics } from '../../contract/protocol';

export interface PacedSources {
  /** The points gathered since the last message, or null when there are none (PageRace.takeMetrics). */
  takeMetrics(): Partial<Record<RunId, RunMetrics>> | null;
  /** The status now. */
  status(): EngineStatus;
}

export class MessagePacer {
  private lastMetricsAt = -Infinity;
  private lastStatusAt = -Infinity;

  constructor(
    private readonly emit: (event: EngineEvent) => void,
    private readonly now: () => number,
    private readonly intervals: { metricsMs: number; statusMs: number },
    private readonly sources: PacedSources,
  ) {}

  /** After a round: the points and the status, each when its interval has passed. */
  paced(): void {
    const t = this.now();
    if (t - this.lastMetricsAt >= this.intervals.metricsMs) this.metrics();
    if (t - this.lastStatusAt >= this.intervals.statusMs) this.status();
  }

  /** Sends the points gathered since the last message, if any. */
  metrics(): void {
    const runs = this.sources.takeMetrics();
    if (!runs) return;
    this.lastMetricsAt = this.now();
    this.emit({ type: 'metrics', runs });
  }

  status(): void {
    this.lastStatusAt = this.now();
    this.emit({ type: 'status', status: this.sources.status() });
  }
}
