// What a run's clock knows of a hidden page: marks of the page's visibility taken before and
// after a block (page/visibility.ts keeps them from the UI's 'visibility' commands), and the
// hidden time between two marks. A block that spanned any is not timed by the wall clock
// (run.ts, docs/method.md §7).

/** Where the page's visibility stands at one moment. */
export interface HiddenMark {
  /** Hidden now. */
  hidden: boolean;
  /** How many times the page has been hidden so far. */
  times: number;
  /** ms the page has spent hidden so far, the current hidden spell included. */
  hiddenMs: number;
}

/** ms the page was hidden between two marks, or null when it stayed visible throughout. */
export function hiddenBetween(before: HiddenMark, after: HiddenMark): number | null {
  if (!before.hidden && !after.hidden && before.times === after.times) return null;
  return after.hiddenMs - before.hiddenMs;
}
