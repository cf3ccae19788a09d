// Tables as data: each benchmark builds these, prints them, and stores them in its results
// JSON; the runner turns the stored ones into the tables of BENCHMARKS.md.

export type Cell = string | number | null;

export interface Table {
  title: string;
  /** One line under the title: settings, backend, units. */
  note?: string;
  columns: string[];
  rows: Cell[][];
}

/** A number with a sensible number of digits; null/NaN as an em dash. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(Math.max(0, digits - 3));
  if (a >= 10) return x.toFixed(Math.max(1, digits - 2));
  if (a >= 0.01) return x.toFixed(digits);
  return x.toExponential(2);
}

/** "1.23 ± 0.04" */
export function pm(mean: number, sd: number, digits = 3): string {
  if (!Number.isFinite(mean)) return '—';
  return Number.isFinite(sd) ? `${fmt(mean, digits)} ± ${fmt(sd, digits)}` : fmt(mean, digits);
}

/** "+12.3%" / "−4.0%" */
export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const s = (x * 100).toFixed(digits);
  return x > 0 ? `+${s}%` : s.replace('-', '−') + '%';
}

/** "2.10×" */
export function times(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${x.toFixed(digits)}×`;
}

const cellText = (c: Cell): string => (c === null ? '—' : typeof c === 'number' ? fmt(c) : c);

/** Plain-text rendering for the terminal. */
export function renderText(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(cellText))];
  const widths = t.columns.map((_, j) => Math.max(...cells.map((r) => [...(r[j] ?? '')].length)));
  const line = (r: string[]): string => r.map((c, j) => c + ' '.repeat(widths[j] - [...c].length)).join('  ');
  const out = [`\n${t.title}`];
  if (t.note) out.push(t.note);
  out.push(line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line));
  return out.join('\n');
}

export function printTable(t: Table): void {
  console.log(renderText(t));
}
