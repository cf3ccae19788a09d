// Loads dataset files from a ByteSource: streams each .gz through DecompressionStream,
// reports progress, and validates length and sha256 of both the compressed file and its
// contents. Buffers grow as bytes arrive, never past the declared lengths. All files are validated before anything is returned, so a truncated or
// corrupted file never yields a half-loaded dataset.
import { sha256Hex } from './checksum';
import { DataLoadError, REBUILD_HINT } from './errors';
import { GrowableBytes } from './growableBytes';
import { MANIFEST_LIMITS, type Manifest, type ManifestDataset, type ManifestFile, parseManifest } from './manifest';
import { classCounts } from './samples';
import type { ByteSource, Dataset, DatasetName, DatasetSplit, ProgressCallback } from './types';

export const MANIFEST_PATH = 'manifest.json';

export interface LoadFileOptions {
  /** Called with the number of compressed bytes just received (scaled when the server decompressed). */
  onBytes?: (delta: number) => void;
  signal?: AbortSignal;
}

export interface LoadFilesOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** The whole stream, or null (and the stream cancelled) once it passes `limit` bytes. */
async function readAll(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
    if (n > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Reads and validates manifest.json from the source. */
export async function loadManifest(source: ByteSource, signal?: AbortSignal): Promise<Manifest> {
  const name = source.describe(MANIFEST_PATH);
  const bytes = await readAll(await source.open(MANIFEST_PATH, signal), MANIFEST_LIMITS.manifestBytes);
  if (bytes === null) throw new DataLoadError(name, `longer than ${MANIFEST_LIMITS.manifestBytes} bytes; this is not a dataset manifest`);
  return parseManifest(new TextDecoder().decode(bytes), name);
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Checks a declared length before anything is read. parseManifest bounds the sizes already;
 * this guards entries built some other way, with an error that names the file.
 */
function checkDeclared(name: string, bytes: number, what: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MANIFEST_LIMITS.fileBytes) {
    throw new DataLoadError(name, `the manifest gives ${what} of ${bytes} bytes; at most ${MANIFEST_LIMITS.fileBytes} are allowed — ${REBUILD_HINT}`);
  }
}

/**
 * One file: its decompressed, validated contents. Rejects with a DataLoadError naming it.
 *
 * Some servers (Vite's dev server among them) send a .gz file with `Content-Encoding: gzip`,
 * so the browser hands over the contents already decompressed. Such a response (it does not
 * start with the gzip magic bytes) is taken as the raw contents and checked against the raw
 * length and sha256; progress is then scaled to the compressed size.
 */
export async function loadFile(source: ByteSource, file: ManifestFile, opts: LoadFileOptions = {}): Promise<Uint8Array> {
  const { signal, onBytes } = opts;
  const name = source.describe(file.path);
  checkDeclared(name, file.gzipBytes, 'a compressed length');
  checkDeclared(name, file.rawBytes, 'a decompressed length');
  // Both grow as bytes arrive, up to the declared lengths (growableBytes.ts).
  const gz = new GrowableBytes(file.gzipBytes, name, 'compressed bytes');
  const raw = new GrowableBytes(file.rawBytes, name, 'decompressed bytes');
  const stream = await source.open(file.path, signal);

  let mode: 'gzip' | 'decoded' | null = null;
  let tooLong = false;
  /** Decompressed bytes received, counting those past the declared length. */
  let rawLen = 0;
  let rawTooLong = false;
  let gzipError: unknown = null;

  const inflate = new DecompressionStream('gzip');
  const writer = inflate.writable.getWriter();
  const outReader = inflate.readable.getReader();
  const drained = (async () => {
    try {
      for (;;) {
        const { done, value } = await outReader.read();
        if (done) return;
        rawLen += value.length;
        if (!raw.push(value)) {
          // A gzip bomb, or the wrong file: stop inflating at the declared length.
          rawTooLong = true;
          await outReader.cancel();
          return;
        }
      }
    } catch (e) {
      gzipError ??= e;
    }
  })();

  const reader = stream.getReader();
  try {
    for (;;) {
      signal?.throwIfAborted();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        signal?.throwIfAborted();
        const got = mode === 'decoded' ? `${rawLen} of ${file.rawBytes} decompressed` : `${gz.length} of ${file.gzipBytes}`;
        throw new DataLoadError(name, `download failed after ${got} bytes (${errorText(e)}) — reload`);
      }
      if (chunk.done) break;
      const value = chunk.value;
      if (value.length === 0) continue;
      mode ??= value[0] === GZIP_MAGIC[0] && (value.length < 2 || value[1] === GZIP_MAGIC[1]) ? 'gzip' : 'decoded';
      if (mode === 'decoded') {
        rawLen += value.length;
        if (!raw.push(value)) {
          rawTooLong = true;
          await reader.cancel().catch(() => undefined);
          break;
        }
        onBytes?.((value.length * file.gzipBytes) / file.rawBytes);
        continue;
      }
      if (!gz.push(value)) {
        tooLong = true;
        await reader.cancel().catch(() => undefined);
        break;
      }
      onBytes?.(value.length);
      if (gzipError === null && !rawTooLong) {
        try {
          await writer.write(value as Uint8Array<ArrayBuffer>);
        } catch (e) {
          gzipError ??= e;
        }
      }
    }
  } catch (e) {
    await writer.abort(e).catch(() => undefined);
    await drained;
    throw e;
  }
  if (mode !== 'gzip' || tooLong || rawTooLong) await writer.abort().catch(() => undefined);
  else await writer.close().catch((e: unknown) => void (gzipError ??= e));
  await drained;

  const corrupted = `the file is corrupted; ${REBUILD_HINT}`;
  if (mode === 'decoded') {
    // The server decompressed it (Content-Encoding: gzip): only the raw checks apply.
    if (rawTooLong || rawLen !== file.rawBytes) {
      const got = rawTooLong ? `more than ${file.rawBytes}` : `${rawLen}`;
      throw new DataLoadError(
        name,
        `is neither the expected gzip file nor its contents (${got} bytes without the gzip signature; expected ${file.gzipBytes} gzip'd or ${file.rawBytes} raw) — ${corrupted}`,
      );
    }
    const rawSha = await sha256Hex(raw.bytes());
    if (rawSha !== file.sha256Raw) {
      throw new DataLoadError(name, `sha256 mismatch of the decompressed contents (expected ${file.sha256Raw}, got ${rawSha}) — ${corrupted}`);
    }
    return raw.bytes();
  }
  if (tooLong) {
    throw new DataLoadError(name, `longer than the manifest's ${file.gzipBytes} bytes — the file does not match the manifest; ${REBUILD_HINT}`);
  }
  if (gz.length !== file.gzipBytes) {
    throw new DataLoadError(name, `truncated: ${gz.length} of ${file.gzipBytes} bytes — the file is incomplete; ${REBUILD_HINT}`);
  }
  const gzSha = await sha256Hex(gz.bytes());
  if (gzSha !== file.sha256Gzip) {
    throw new DataLoadError(name, `sha256 mismatch (expected ${file.sha256Gzip}, got ${gzSha}) — ${corrupted}`);
  }
  // Before the gzip error: stopping the inflate at the declared length aborts it, and "not
  // valid gzip data (The operation was aborted)" would hide what happened.
  if (rawTooLong) {
    throw new DataLoadError(name, `decompresses to more than ${file.rawBytes} bytes, the size the manifest gives — ${corrupted}`);
  }
  if (gzipError !== null) {
    throw new DataLoadError(name, `not valid gzip data (${errorText(gzipError)}) — ${corrupted}`);
  }
  if (rawLen !== file.rawBytes) {
    throw new DataLoadError(name, `decompressed to ${rawLen} bytes, expected ${file.rawBytes} — ${corrupted}`);
  }
  const rawSha = await sha256Hex(raw.bytes());
  if (rawSha !== file.sha256Raw) {
    throw new DataLoadError(name, `sha256 mismatch of the decompressed contents (expected ${file.sha256Raw}, got ${rawSha}) — ${corrupted}`);
  }
  return raw.bytes();
}

/**
 * Loads the four files of a manifest entry (train/test images/labels) concurrently, and
 * returns the dataset only when every file is complete and valid. On the first failure the
 * other downloads are cancelled and that failure is thrown.
 */
export async function loadDatasetFiles(source: ByteSource, entry: ManifestDataset, opts: LoadFilesOptions = {}): Promise<Dataset> {
  const files = [entry.train.images, entry.train.labels, entry.test.images, entry.test.labels];
  const total = files.reduce((a, f) => a + f.gzipBytes, 0);
  let loaded = 0;
  const report = (file: string): void =>
    opts.onProgress?.({ loaded, total, percent: total > 0 ? Math.min(100, (100 * loaded) / total) : 100, file });
  report('');

  const inner = new AbortController();
  const onOuterAbort = (): void => inner.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) onOuterAbort();
  let contents: Uint8Array[];
  try {
    contents = await Promise.all(
      files.map((f) =>
        loadFile(source, f, {
          signal: inner.signal,
          onBytes: (delta) => {
            loaded += delta;
            report(source.describe(f.path));
          },
        }).catch((e: unknown) => {
          inner.abort(e);
          throw e;
        }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  loaded = total;
  report('');

  const split = (images: Uint8Array, labels: Uint8Array, which: 'train' | 'test'): DatasetSplit => {
    const m = entry[which];
    const labelsName = source.describe(m.labels.path);
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] >= entry.numClasses) {
        throw new DataLoadError(labelsName, `label ${labels[i]} at sample ${i} is not below ${entry.numClasses} — ${REBUILD_HINT}`);
      }
    }
    const counts = classCounts(labels, entry.numClasses);
    if (counts.some((c, k) => c !== m.classCounts[k])) {
      throw new DataLoadError(labelsName, `class counts ${JSON.stringify(counts)} differ from the manifest's ${JSON.stringify(m.classCounts)} — ${REBUILD_HINT}`);
    }
    return { count: m.count, images, labels };
  };
  const dataset: Dataset = {
    name: entry.name as DatasetName,
    title: entry.title,
    imageShape: [...entry.imageShape],
    numClasses: entry.numClasses,
    classNames: [...entry.classNames],
    train: split(contents[0], contents[1], 'train'),
    test: split(contents[2], contents[3], 'test'),
    description: `${entry.source}. ${entry.split}`,
  };
  return dataset;
}
