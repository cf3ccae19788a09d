// Text in notices that came from outside the page's own code: a link's keys and values, a
// stored record, a message relayed from the worker. React renders it as text, so nothing can
// be injected; what remains is spoofing. A character that draws nothing or reorders what
// follows (U+202E RIGHT-TO-LEFT OVERRIDE, zero-width spaces, NUL) could make a notice say
// something it does not: `?se%00ed=5` read as *Ignored unknown setting "seed"* once NUL was
// dropped. So user text is quoted with such characters written as escapes (`\u0000`), and
// every notice loses its format characters when it is rendered.

/**
 * Characters shown as escapes inside a quotation: controls (Cc), format characters (Cf: bidi
 * controls, zero-width joiners, tags), lone surrogates (Cs), line and paragraph separators, and
 * the rest of Unicode's default-ignorable code points (drawn as nothing, e.g. U+3164).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
/** Format characters, removed from a whole notice when it is rendered. */
const FORMAT = /\p{Cf}/gu;
/** Controls other than those rendered as a space, turned into spaces. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const escapeOf = (codePoint: number): string =>
  codePoint > 0xffff ? `\\u{${codePoint.toString(16).toUpperCase()}}` : `\\u${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

export interface QuoteOptions {
  /** Most characters (code points) of `raw` quoted; longer text is cut and ends with "…". */
  limit?: number;
  /**
   * Escape every character outside printable ASCII too. For text that should be ASCII (the
   * settings' names): a key spelled in look-alike letters ("ѕееd") then shows as what it is.
   */
  asciiOnly?: boolean;
}

/**
 * `raw` in double quotes for a notice: shortened, with `"` and `\` escaped (so the text cannot
 * close the quotation and write the rest of the sentence) and every hidden character written
 * as an escape (`\u202E`), never dropped (dropping a NUL turns "se\0ed" into "seed").
 */
export function quoteUserText(raw: string, { limit = 40, asciiOnly = false }: QuoteOptions = {}): string {
  // Cut before escaping, so a huge value costs no more than a short one; by code points, so a
  // surrogate pair is never split into two lone halves.
  const head = Array.from(raw.slice(0, 2 * limit + 2)).slice(0, limit);
  const cut = head.join('').length < raw.length;
  let out = '';
  for (const ch of head) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (HIDDEN.test(ch) || (asciiOnly && (cp < 0x20 || cp > 0x7e))) out += escapeOf(cp);
    else out += ch;
  }
  return `"${out}${cut ? '…' : ''}"`;
}

/**
 * A notice as it is rendered: format characters (Unicode category Cf) removed and control
 * characters turned into spaces, whoever wrote the message (the page, the worker, a stored record).
 */
export function noticeText(message: string): string {
  return message.replace(FORMAT, '').replace(CONTROL, ' ');
}
