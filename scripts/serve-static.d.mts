// Types of scripts/serve-static.mjs, for the TypeScript tests that start it.
export type CorruptMode = 'flip' | 'truncate' | 'garbage';

export interface StaticServerOptions {
  root?: string;
  base?: string;
  host?: string;
  port?: number;
  corrupt?: Record<string, CorruptMode> | string[];
  log?: boolean;
  /** Send COOP same-origin + COEP require-corp on every response (default true). */
  isolate?: boolean;
  /** Send the site's Content-Security-Policy header on every response (default true). */
  csp?: boolean;
  /** Most open connections (default MAX_CONNECTIONS). */
  maxConnections?: number;
}

export interface LoggedRequest {
  method: string | undefined;
  path: string;
  status: number;
}

export interface StaticServer {
  origin: string;
  url: string;
  base: string;
  port: number;
  /** The most recent requests, at most MAX_LOGGED_REQUESTS. */
  requests: LoggedRequest[];
  readonly requestsDropped: number;
  setCorrupt(map: Record<string, CorruptMode>): void;
  close(): Promise<void>;
}

export const MAX_LOGGED_REQUESTS: number;
export const MAX_LOGGED_PATH: number;
export const MAX_CONNECTIONS: number;
export const CORRUPT_MODES: CorruptMode[];
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<'cross-origin-opener-policy' | 'cross-origin-embedder-policy', string>>;
export const USAGE: string;
export class UsageError extends Error {}
export function corruptBytes(buf: Uint8Array, mode?: CorruptMode): Buffer;
export function startStaticServer(opts?: StaticServerOptions): Promise<StaticServer>;
export function parseServeArgs(args: string[]): (Required<Pick<StaticServerOptions, 'root' | 'base' | 'port' | 'log'>> & StaticServerOptions & { corrupt: Record<string, CorruptMode> }) | null;
