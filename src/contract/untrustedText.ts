// Text that came from outside (a key of a posted message, a URL in a command) quoted for a
// message the engine sends back: never verbatim. A page script can post a 1 MB key or one that
// hides a right-to-left override; the error naming it must stay short and show what it is.

/** Characters of an untrusted string a quote shows before cutting it short. */
export const QUOTED_CHARACTERS = 40;

/**
 * `s` in double quotes, cut after `max` characters (with an ellipsis and the full length), with
 * `"` and `\` escaped and every character outside printable ASCII written as \uXXXX: setting
 * names are ASCII, so a control, format (a U+202E override, a zero-width space) or look-alike
 * letter shows as an escape, never as the character it imitates.
 */
export function quoteUntrusted(s: string, max = QUOTED_CHARACTERS): string {
  const shown = s.length > max ? s.slice(0, max) : s;
  let out = '"';
  for (let i = 0; i < shown.length; i++) {
    const code = shown.charCodeAt(i);
    const c = shown[i];
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (code >= 0x20 && code <= 0x7e) out += c;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  out += s.length > max ? '…"' : '"';
  return s.length > max ? `${out} (${s.length.toLocaleString('en-US')} characters)` : out;
}
