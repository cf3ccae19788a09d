// The share link: the page URL always carries the current settings (history.replaceState,
// no navigation, no history entries), and the Share button copies it.
import { BACKEND_PREFERENCES, type Settings } from '../contract/settings';
import { urlWithSettings } from './urlState';

/**
 * The settings a shared link should carry: with backend 'auto', the backend actually in
 * force. 'auto' measures where there is no GPU and may pick another backend next time (two
 * backends can be within noise of each other), and numbers are reproducible on one backend
 * only; the link pins it. A forced backend, or none known yet, stays as it is.
 */
export function pinBackend(settings: Settings, inForce: string | null | undefined): Settings {
  if (settings.backend !== 'auto' || !inForce) return settings;
  const pinned = BACKEND_PREFERENCES.find((b) => b !== 'auto' && b === inForce);
  return pinned ? { ...settings, backend: pinned } : settings;
}

/** The link that reproduces `settings` on this page. */
export function shareLink(settings: Settings, href: string = window.location.href): string {
  return urlWithSettings(href, settings);
}

/** Rewrites the address bar to carry `settings`; returns the new URL. */
export function syncUrl(settings: Settings): string {
  const next = shareLink(settings);
  if (next !== window.location.href) {
    try {
      window.history.replaceState(window.history.state, '', next);
    } catch {
      // Some sandboxed frames refuse replaceState; the Share button still works.
    }
  }
  return next;
}

/**
 * Copies `text` to the clipboard. Uses the async Clipboard API where allowed and falls back
 * to a hidden textarea with execCommand('copy'). Resolves true when either worked.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission denied or not focused: try the fallback.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
