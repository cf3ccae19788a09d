// The k highest of a stream of (index, score) pairs, highest first, ties to the lower index,
// with a min-heap of k entries: O(n log k) time, O(k) memory. Used for the score table's top
// entries (the image grid), never per training step.

/** Keeps the k best pairs offered; `take()` returns them highest first. */
export class TopK {
  private readonly hs: Float64Array;
  private readonly hi: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`TopK: k = ${k} must be an integer ≥ 0`);
    this.hs = new Float64Array(k);
    this.hi = new Int32Array(k);
  }

  /** Offers one pair. */
  offer(index: number, score: number): void {
    const { hs, hi } = this;
    if (this.k === 0) return;
    if (this.size < this.k) {
      let p = this.size++;
      hs[p] = score;
      hi[p] = index;
      while (p > 0) {
        const q = (p - 1) >> 1;
        if (!this.less(p, q)) break;
        this.swap(p, q);
        p = q;
      }
    } else if (hs[0] < score || (hs[0] === score && hi[0] > index)) {
      hs[0] = score;
      hi[0] = index;
      this.siftDown(0);
    }
  }

  /** The kept pairs, highest first (ties: lower index first). Empties the heap. */
  take(): { indices: Int32Array; scores: Float64Array } {
    const m = this.size;
    const indices = new Int32Array(m);
    const scores = new Float64Array(m);
    for (let r = m - 1; r >= 0; r--) {
      indices[r] = this.hi[0];
      scores[r] = this.hs[0];
      this.size--;
      this.hs[0] = this.hs[this.size];
      this.hi[0] = this.hi[this.size];
      this.siftDown(0);
    }
    return { indices, scores };
  }

  /** Heap order: a lower score, or an equal score with a higher index, is "less" (leaves first). */
  private less(a: number, b: number): boolean {
    return this.hs[a] < this.hs[b] || (this.hs[a] === this.hs[b] && this.hi[a] > this.hi[b]);
  }

  private swap(a: number, b: number): void {
    [this.hs[a], this.hs[b]] = [this.hs[b], this.hs[a]];
    [this.hi[a], this.hi[b]] = [this.hi[b], this.hi[a]];
  }

  private siftDown(start: number): void {
    let p = start;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= this.size) return;
      let q = l;
      if (l + 1 < this.size && this.less(l + 1, l)) q = l + 1;
      if (!this.less(q, p)) return;
      this.swap(p, q);
      p = q;
    }
  }
}
