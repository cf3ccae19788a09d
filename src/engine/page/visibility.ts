// Whether the page is hidden, as the UI reports it (the 'visibility' command). A browser may
// freeze a hidden page, its worker included, for any length of time; a block of steps in
// flight then measures the freeze as its own time. The runs read these marks before and after
// each block and do not put such time on their clocks (core/run.ts, core/hiddenTime.ts,
// docs/method.md §7).
import type { HiddenMark } from '../core/hiddenTime';

export class PageVisibility {
  private hiddenSince: number | null = null;
  private times = 0;
  private pastMs = 0;

  constructor(private readonly now: () => number) {}

  get hidden(): boolean {
    return this.hiddenSince !== null;
  }

  /** The page was hidden (true) or shown again (false); repeats are ignored. */
  set(hidden: boolean): void {
    if (hidden === this.hidden) return;
    const t = this.now();
    if (hidden) {
      this.hiddenSince = t;
      this.times++;
    } else {
      this.pastMs += t - (this.hiddenSince ?? t);
      this.hiddenSince = null;
    }
  }

  mark(): HiddenMark {
    const current = this.hiddenSince === null ? 0 : this.now() - this.hiddenSince;
    return { hidden: this.hidden, times: this.times, hiddenMs: this.pastMs + current };
  }
}
