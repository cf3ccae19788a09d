// A sum tree (as in prioritized experience replay): a Float64Array-backed complete binary
// tree whose leaves hold non-negative weights and whose internal nodes hold the sums of
// their children. set(i, v) and sample(u) cost O(log N).
//
// Layout: with L = the smallest power of two ≥ size, 2·L nodes; node 1 is the root, node
// k < L has children 2k and 2k+1, leaf i is node L + i (leaves size..L−1 are padding, 0),
// so leaves lie left to right in index order, all at depth log2 L. A tree may carry several
// channels per node (`channels`, default 1): every channel is summed independently, and
// `sampleLinear` descends by a linear combination of channel sums. The score table keeps a
// score and a 1 per leaf and draws ∝ score + c·mean (its smoothing) in one O(log N) descent.
//
// Numerics: after a leaf changes, each ancestor is recomputed as left + right from its
// children, never by adding a delta. Every internal node is therefore always the exact
// float64 sum of its two children, whatever happened before: no drift over millions of
// updates, and a node is positive exactly when one of its children is.

/** Throws unless i is an integer in [0, size). */
function checkIndex(where: string, i: number, size: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= size) {
    throw new RangeError(`${where}: index ${i} is out of range; use an integer with 0 ≤ index < ${size}`);
  }
}

function checkWeight(where: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) {
    throw new RangeError(`${where}: weight ${v} is not a finite non-negative number; pass a value ≥ 0`);
  }
}

export class SumTree {
  /** Number of leaves. */
  readonly size: number;
  /** Values per node. */
  readonly channels: number;
  /** Tree nodes visited (set, get's none, sample, rebuild): a cost measure for tests. */
  operations = 0;
  /** Number of leaf slots, a power of two ≥ size. */
  private readonly leaves: number;
  private readonly nodes: Float64Array;

  constructor(size: number, channels = 1) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new RangeError(`SumTree: size ${size} must be a positive integer (the number of samples)`);
    }
    if (!Number.isInteger(channels) || channels <= 0 || channels > 64) {
      throw new RangeError(`SumTree: channels ${channels} must be an integer in [1, 64]`);
    }
    this.size = size;
    this.channels = channels;
    let leaves = 1;
    while (leaves < size) leaves *= 2;
    this.leaves = leaves;
    this.nodes = new Float64Array(2 * leaves * channels);
  }

  /** Sets the weight of leaf i (channel 0). O(log N). */
  set(i: number, value: number): void {
    checkIndex('SumTree.set', i, this.size);
    checkWeight('SumTree.set', value);
    const ch = this.channels;
    const t = this.nodes;
    const k = this.leaves + i;
    t[k * ch] = value;
    this.updateAncestors(k, 1);
  }

  /** Sets every channel of leaf i at once (values.length === channels). O(channels·log N). */
  setLeaf(i: number, values: ArrayLike<number>): void {
    checkIndex('SumTree.setLeaf', i, this.size);
    const ch = this.channels;
    if (values.length !== ch) {
      throw new RangeError(`SumTree.setLeaf: got ${values.length} values for a tree with ${ch} channels`);
    }
    const t = this.nodes;
    const k = this.leaves + i;
    for (let j = 0; j < ch; j++) {
      checkWeight('SumTree.setLeaf', values[j]);
      t[k * ch + j] = values[j];
    }
    this.updateAncestors(k, ch);
  }

  /** Recomputes channels [0, count) of every ancestor of node k from its two children. */
  private updateAncestors(k: number, count: number): void {
    const ch = this.channels;
    const t = this.nodes;
    let visited = 1;
    for (k >>= 1; k >= 1; k >>= 1) {
      const a = k * ch;
      const l = 2 * k * ch;
      const r = l + ch;
      for (let j = 0; j < count; j++) t[a + j] = t[l + j] + t[r + j];
      visited++;
    }
    this.operations += visited;
  }

  /** Leaf i's value in a channel. O(1). */
  get(i: number, channel = 0): number {
    checkIndex('SumTree.get', i, this.size);
    return this.nodes[(this.leaves + i) * this.channels + channel];
  }

  /** Sum of all leaves of a channel (the root). O(1). */
  total(channel = 0): number {
    // With one leaf the root is the leaf itself (node 1).
    return this.nodes[this.channels + channel];
  }

  /**
   * The leaf i whose interval [Σ_{j<i} v_j, Σ_{j≤i} v_j) contains u, for u in [0, total)
   * (channel 0): leaf i comes out with probability v_i / total when u is uniform. Never
   * returns a zero-weight leaf. O(log N).
   */
  sample(u: number): number {
    const total = this.total(0);
    if (!(total > 0)) {
      throw new Error('SumTree.sample: the tree is empty (total weight 0); set a positive weight first');
    }
    if (!(u >= 0 && u < total)) {
      throw new RangeError(`SumTree.sample: u = ${u} must lie in [0, total) = [0, ${total})`);
    }
    const ch = this.channels;
    const t = this.nodes;
    const n = this.leaves;
    let k = 1;
    let visited = 1;
    while (k < n) {
      const l = 2 * k;
      const wl = t[l * ch];
      const wr = t[(l + 1) * ch];
      // Prefer a positive child: since parent = left + right exactly, a positive node has a
      // positive child, so rounding in u -= wl can never lead to a zero-weight leaf.
      if (wl > 0 && (u < wl || !(wr > 0))) {
        k = l;
      } else {
        u -= wl;
        k = l + 1;
      }
      visited++;
    }
    this.operations += visited;
    return k - n;
  }

  /**
   * Like sample, with node weights w = max(0, Σ_j coeffs[j]·sum_j) (coeffs.length ≤
   * channels). For non-negative combinations of channels, the leaf comes out with
   * probability w_leaf / w_root. The combination may have negative coefficients if it is
   * non-negative on every leaf; rounding can then leave a leaf with weight ≤ 0 in rare
   * cases, which the caller must check (weightOf). u beyond the root weight is clamped.
   */
  sampleLinear(u: number, coeffs: ArrayLike<number>): number {
    const ch = this.channels;
    const m = coeffs.length;
    if (m < 1 || m > ch) throw new RangeError(`SumTree.sampleLinear: ${m} coefficients for ${ch} channels`);
    if (!(u >= 0)) throw new RangeError(`SumTree.sampleLinear: u = ${u} must be ≥ 0`);
    const t = this.nodes;
    const n = this.leaves;
    let k = 1;
    let visited = 1;
    while (k < n) {
      const l = 2 * k;
      const a = l * ch;
      const b = a + ch;
      let wl = 0;
      let wr = 0;
      for (let j = 0; j < m; j++) {
        wl += coeffs[j] * t[a + j];
        wr += coeffs[j] * t[b + j];
      }
      if (wl > 0 && (u < wl || !(wr > 0))) {
        k = l;
      } else {
        if (wl > 0) u -= wl;
        k = l + 1;
      }
      visited++;
    }
    this.operations += visited;
    return k - n;
  }

  /** Σ_j coeffs[j]·value_j at leaf i (not clamped). O(channels). */
  weightOf(i: number, coeffs: ArrayLike<number>): number {
    const base = (this.leaves + i) * this.channels;
    let w = 0;
    for (let j = 0; j < coeffs.length; j++) w += coeffs[j] * this.nodes[base + j];
    return w;
  }

  /** Σ_j coeffs[j]·total_j (not clamped). O(channels). */
  totalOf(coeffs: ArrayLike<number>): number {
    let w = 0;
    for (let j = 0; j < coeffs.length; j++) w += coeffs[j] * this.nodes[this.channels + j];
    return w;
  }
}
