// The complete history of one charted series at bounded memory. Points are numbered in the
// order they arrive; the history keeps those on an evenly spaced grid (every `stride`-th
// point), and doubles the stride, dropping every other grid point, whenever the grid outgrows
// its budget. So a run of any length is covered end to end at a uniform resolution that
// halves as the run doubles, unlike thinning only the oldest points, which empties the start
// of a long run. Besides the grid it keeps the first point, the newest point, and up to
// `pinBudget` points that `pin` marks (the steps where the importance mode or state changed,
// so shading and exports show every switch exactly).

export interface SeriesHistoryOptions<T> {
  /** Most grid points kept; the grid holds between half of this and this many. */
  gridBudget: number;
  /** Most pinned points kept; later points that `pin` marks are kept only if on the grid. */
  pinBudget?: number;
  /** True when `p` must be kept because it differs in kind from the point received before it. */
  pin?: (previous: T, p: T) => boolean;
}

interface Entry<T> {
  /** Arrival number, from 0. */
  index: number;
  point: T;
  pinned: boolean;
}

export class SeriesHistory<T> {
  private entries: Entry<T>[] = [];
  private gridCount = 0;
  private pinCount = 0;
  private strideNow = 1;
  private receivedCount = 0;
  private pinsRefused = 0;
  private previous: T | undefined;
  private readonly gridBudget: number;
  private readonly pinBudget: number;
  private readonly pin?: (previous: T, p: T) => boolean;

  constructor({ gridBudget, pinBudget = 0, pin }: SeriesHistoryOptions<T>) {
    if (!Number.isInteger(gridBudget) || gridBudget < 2) throw new RangeError(`gridBudget must be a whole number ≥ 2, got ${gridBudget}`);
    if (!Number.isInteger(pinBudget) || pinBudget < 0) throw new RangeError(`pinBudget must be a whole number ≥ 0, got ${pinBudget}`);
    this.gridBudget = gridBudget;
    this.pinBudget = pinBudget;
    this.pin = pin;
  }

  /** Every how many received points the grid keeps one (1 = all). */
  get stride(): number {
    return this.strideNow;
  }

  /** Points received in total. */
  get received(): number {
    return this.receivedCount;
  }

  /** Points `pin` marked and pinned (kept at their place whatever the stride): the first `pinBudget` of them. */
  get pinned(): number {
    return this.pinCount;
  }

  /** Points `pin` marked that were not pinned because the pin budget was spent. */
  get unpinned(): number {
    return this.pinsRefused;
  }

  /** Upper bound on `points().length`: grid, pins and the newest point. */
  get capacity(): number {
    return this.gridBudget + this.pinBudget + 1;
  }

  /** The kept points, oldest first, as a new array. */
  points(): T[] {
    return this.entries.map((e) => e.point);
  }

  push(points: readonly T[]): void {
    for (const p of points) this.pushOne(p);
  }

  private onGrid(index: number): boolean {
    return index % this.strideNow === 0;
  }

  private pushOne(p: T): void {
    const index = this.receivedCount++;
    let pinned = false;
    if (this.previous !== undefined && this.pin?.(this.previous, p)) {
      if (this.pinCount < this.pinBudget) pinned = true;
      else this.pinsRefused++;
    }
    this.previous = p;
    // The newest point is kept even off the grid; its predecessor goes once it is no longer newest.
    const tail = this.entries[this.entries.length - 1];
    if (tail && !tail.pinned && !this.onGrid(tail.index)) this.entries.pop();
    this.entries.push({ index, point: p, pinned });
    if (pinned) this.pinCount++;
    if (this.onGrid(index)) this.gridCount++;
    while (this.gridCount > this.gridBudget) this.doubleStride();
  }

  /** Drops every other grid point (index 0, the first point, is on every grid). */
  private doubleStride(): void {
    this.strideNow *= 2;
    const last = this.entries.length - 1;
    this.entries = this.entries.filter((e, i) => e.pinned || i === last || this.onGrid(e.index));
    this.gridCount = this.entries.reduce((n, e) => n + (this.onGrid(e.index) ? 1 : 0), 0);
  }
}
