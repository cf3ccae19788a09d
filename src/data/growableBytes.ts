// A byte buffer that grows as a download or an inflate hands it bytes, up to the length the
// manifest declares. The loader used to allocate every file's declared lengths before the
// first byte came, so a 1 KB file whose manifest claimed 512 MiB compressed and 488 MiB raw
// held ~1 GB before failing as "truncated"; now a file holds about what has arrived: while a
// buffer grows, the old and the new one are held for a moment (at most 3× what has arrived,
// and at most 1.5× the declared length), and it never holds more than it declared.
import { DataLoadError } from './errors';

/** First capacity: one typical stream chunk. */
const INITIAL_BYTES = 64 * 1024;

export class GrowableBytes {
  private buffer: Uint8Array;
  private filled = 0;

  /**
   * `limit`: the most bytes it may hold (the declared length). `name` and `what` name the file
   * and the buffer in the error a failed allocation throws.
   */
  constructor(
    private readonly limit: number,
    private readonly name: string,
    private readonly what: string,
  ) {
    this.buffer = this.allocate(Math.min(limit, INITIAL_BYTES));
  }

  /** Bytes held so far. */
  get length(): number {
    return this.filled;
  }

  /** Appends `chunk`; false (nothing appended) when it would pass the limit. */
  push(chunk: Uint8Array): boolean {
    const needed = this.filled + chunk.length;
    if (needed > this.limit) return false;
    if (needed > this.buffer.length) {
      // Doubling keeps the copies linear in the final length; capped at the declared length,
      // so a file that arrives whole ends in a buffer of exactly its size.
      const grown = this.allocate(Math.min(this.limit, Math.max(needed, 2 * this.buffer.length)));
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.filled);
    this.filled = needed;
    return true;
  }

  /** The bytes held, as one array (no copy when the buffer is full, as for a complete file). */
  bytes(): Uint8Array {
    return this.filled === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.filled);
  }

  private allocate(bytes: number): Uint8Array {
    try {
      return new Uint8Array(bytes);
    } catch (e) {
      throw new DataLoadError(
        this.name,
        `could not set aside ${bytes} bytes for its ${this.what} (${e instanceof Error ? e.message : String(e)}); close other tabs or pick a smaller dataset`,
      );
    }
  }
}
