// Byte sources: where dataset files come from. fetchSource reads from the app's own origin
// (relative to the page, so the app works under any sub-path); fileSource reads from disk in
// Node (tests, benchmarks). Both hand back web ReadableStreams, so one loader serves both.
import { DataLoadError, REBUILD_HINT } from './errors';
import type { ByteSource } from './types';

/**
 * The data folder next to the page: new URL('data/', document.baseURI). A Web Worker has no
 * document, and its own URL points into assets/, so the page must compute this and pass it
 * to the worker (e.g. in the init message).
 */
export function defaultDataBaseUrl(): string {
  if (typeof document !== 'undefined' && document.baseURI) return new URL('data/', document.baseURI).href;
  throw new Error('defaultDataBaseUrl() needs a page (document.baseURI); in a worker, pass the base URL computed by the page');
}

function absoluteBase(baseUrl: string | URL): URL {
  let href = baseUrl.toString();
  if (!href.endsWith('/')) href += '/';
  try {
    return new URL(href);
  } catch {
    // A relative base such as 'data/': resolve it against the page (or the worker).
    const anchor =
      typeof document !== 'undefined' && document.baseURI
        ? document.baseURI
        : typeof location !== 'undefined'
          ? location.href
          : undefined;
    if (!anchor) throw new Error(`fetchSource: cannot resolve the relative base URL "${href}" here; pass an absolute URL`);
    return new URL(href, anchor);
  }
}

/** Files fetched over HTTP(S) relative to `baseUrl` (absolute, or relative to the page). */
export function fetchSource(baseUrl: string | URL, init?: Omit<RequestInit, 'signal'>): ByteSource {
  const base = absoluteBase(baseUrl);
  const urlOf = (path: string): URL => new URL(path, base);
  return {
    describe: (path) => urlOf(path).href,
    async open(path, signal) {
      const url = urlOf(path);
      let res: Response;
      try {
        res = await fetch(url, { ...init, signal });
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new DataLoadError(url.href, `could not be fetched (${(e as Error).message}) — check the connection and reload`);
      }
      if (!res.ok) {
        throw new DataLoadError(url.href, `HTTP ${res.status} ${res.statusText} — the file is missing on the server; ${REBUILD_HINT}`);
      }
      if (res.body) return res.body;
      const bytes = new Uint8Array(await res.arrayBuffer());
      return chunkedStream(bytes);
    },
  };
}

interface NodeFsPromises {
  readFile(path: string): Promise<Uint8Array>;
}

/** Files read from a folder on disk (Node only), e.g. fileSource('public/data'). */
export function fileSource(dir: string): ByteSource {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const pathOf = (path: string): string => `${prefix}${path}`;
  return {
    describe: pathOf,
    async open(path, signal) {
      signal?.throwIfAborted();
      // A computed specifier keeps bundlers from pulling node:fs into the browser build.
      const specifier = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ specifier)) as NodeFsPromises;
      let bytes: Uint8Array;
      try {
        bytes = await fs.readFile(pathOf(path));
      } catch (e) {
        const code = (e as { code?: string }).code;
        const why = code === 'ENOENT' ? 'file not found' : `cannot be read (${(e as Error).message})`;
        throw new DataLoadError(pathOf(path), `${why} — rebuild with npm run build (node scripts/build-datasets.mjs)`);
      }
      return chunkedStream(bytes);
    },
  };
}

/** Bytes in memory, served as `files[path]` (tests, or data already at hand). */
export function memorySource(files: Record<string, Uint8Array>, label = 'memory'): ByteSource {
  return {
    describe: (path) => `${label}/${path}`,
    async open(path) {
      const bytes = files[path];
      if (!bytes) throw new DataLoadError(`${label}/${path}`, 'file not found');
      return chunkedStream(bytes);
    },
  };
}

/** A stream that hands out `bytes` in chunks, so progress is reported as for a download. */
export function chunkedStream(bytes: Uint8Array, chunkSize = 1 << 16): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      const end = Math.min(bytes.length, offset + chunkSize);
      controller.enqueue(bytes.slice(offset, end));
      offset = end;
    },
  });
}
