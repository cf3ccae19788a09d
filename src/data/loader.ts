// Loads dataset files from a ByteSource: streams each .gz through DecompressionStream,
// reports progress, and validates length and sha256 of both the compressed file and its
// contents. All files are validated before anything is returned, so a truncated or
// corrupted file never yields a half-loaded dataset.
import { sha256Hex } from './checksum';
import { DataLoadError, REBUILD_HINT } from './errors';
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
 * A buffer of `bytes` for the file `name`. parseManifest bounds the sizes already; this guards
 * entries built some other way, and a device that cannot spare the memory, with an error that
 * names the file instead of a bare RangeError.
 */
function allocate(name: string, bytes: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MANIFEST_LIMITS.fileBytes) {
    throw new DataLoadError(name, `the manifest gives ${what} of ${bytes} bytes; at most ${MANIFEST_LIMITS.fileBytes} are allowed — ${REBUILD_HINT}`);
  }
  try {
    return new Uint8Array(bytes);
  } catch (e) {
    throw new DataLoadError(name, `could not set aside ${bytes} bytes for its ${what} (${errorText(e)}); close other tabs or pick a smaller dataset`);
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
  const gz = allocate(name, file.gzipBytes, 'compressed length');
  const raw = allocate(name, file.rawBytes, 'decompressed length');
  const stream = await source.open(file.path, signal);

  let mode: 'gzip' | 'decoded' | null = null;
  let gzLen = 0;
  let tooLong = false;
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
        if (rawLen + value.length > raw.length) {
          rawTooLong = true;
          rawLen += value.length;
          await outReader.cancel();
          return;
        }
        raw.set(value, rawLen);
        rawLen += value.length;
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
        const got = mode === 'decoded' ? `${rawLen} of ${file.rawBytes} decompressed` : `${gzLen} of ${file.gzipBytes}`;
        throw new DataLoadError(name, `download failed after ${got} bytes (${errorText(e)}) — reload`);
      }
      if (chunk.done) break;
      const value = chunk.value;
      if (value.length === 0) continue;
      mode ??= value[0] === GZIP_MAGIC[0] && (value.length < 2 || value[1] === GZIP_MAGIC[1]) ? 'gzip' : 'decoded';
      if (mode === 'decoded') {
        if (rawLen + value.length > raw.length) {
          rawTooLong = true;
          await reader.cancel().catch(() => undefined);
          break;
        }
        raw.set(value, rawLen);
        rawLen += value.length;
        onBytes?.((value.length * file.gzipBytes) / file.rawBytes);
        continue;
      }
      if (gzLen + value.length > gz.length) {
        tooLong = true;
        await reader.cancel().catch(() => undefined);
        break;
      }
      gz.set(value, gzLen);
      gzLen += value.length;
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
    const rawSha = await sha256Hex(raw);
    if (rawSha !== file.sha256Raw) {
      throw new DataLoadError(name, `sha256 mismatch of the decompressed contents (expected ${file.sha256Raw}, got ${rawSha}) — ${corrupted}`);
    }
    return raw;
  }
  if (tooLong) {
    throw new DataLoadError(name, `longer than the manifest's ${file.gzipBytes} bytes — the file does not match the manifest; ${REBUILD_HINT}`);
  }
  if (gzLen !== file.gzipBytes) {
    throw new DataLoadError(name, `truncated: ${gzLen} of ${file.gzipBytes} bytes — the file is incomplete; ${REBUILD_HINT}`);
  }
  const gzSha = await sha256Hex(gz);
  if (gzSha !== file.sha256Gzip) {
    throw new DataLoadError(name, `sha256 mismatch (expected ${file.sha256Gzip}, got ${gzSha}) — ${corrupted}`);
  }
  if (gzipError !== null) {
    throw new DataLoadError(name, `not valid gzip data (${errorText(gzipError)}) — ${corrupted}`);
  }
  if (rawTooLong || rawLen !== file.rawBytes) {
    throw new DataLoadError(name, `decompressed to ${rawTooLong ? 'more than ' : ''}${rawLen} bytes, expected ${file.rawBytes} — ${corrupted}`);
  }
  const rawSha = await sha256Hex(raw);
  if (rawSha !== file.sha256Raw) {
    throw new DataLoadError(name, `sha256 mismatch of the decompressed contents (expected ${file.sha256Raw}, got ${rawSha}) — ${corrupted}`);
  }
  return raw;
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
