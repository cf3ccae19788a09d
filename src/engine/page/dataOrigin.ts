// Where the engine may load datasets from: the page's own origin only (issue 22 item 9). init
// may name the data/ folder (dataBaseUrl), and any script on the page can post an init; without
// this check it could point the worker at another site or a data: URL and have it train on
// whatever is there. The origin is the worker's location's: a module worker is always served
// from the page's origin.
import { quoteUntrusted } from '../../contract/untrustedText';

/**
 * `url` resolved against the worker's location `pageUrl`, when it lies on the same origin (same
 * scheme, host and port) and is served over http(s); otherwise an error that names the origin
 * allowed. A data:, blob: or javascript: URL is refused.
 */
export function checkDataBaseUrl(url: string, pageUrl: string): { url: string } | { error: string } {
  const origin = new URL(pageUrl).origin;
  let resolved: URL;
  try {
    resolved = new URL(url, pageUrl);
  } catch {
    return { error: `init: dataBaseUrl ${quoteUntrusted(url)} is not a URL; leave it out to load the site’s own data/ folder.` };
  }
  // A blob: URL carries its creator's origin, but its bytes are whatever a script put there.
  const served = resolved.protocol === 'https:' || resolved.protocol === 'http:';
  if (!served || resolved.origin !== origin || origin === 'null') {
    return {
      error: `init: dataBaseUrl ${quoteUntrusted(url)} must be on this page’s origin (${origin}); leave it out to load the site’s own data/ folder.`,
    };
  }
  return { url: resolved.href };
}

/** The location the engine runs at (a worker's), or undefined outside a browser (Node: any dataBaseUrl). */
export function ownLocation(): string | undefined {
  const location = (globalThis as { location?: { href?: unknown } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}
