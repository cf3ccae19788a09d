// Writes the tables of BENCHMARKS.md from bench/results/*.json. The prose of BENCHMARKS.md
// is kept: each results file owns the text between `<!-- results:KEY -->` and
// `<!-- /results:KEY -->` (KEY = file name without .json), and a file with no such markers
// yet is appended as a new section.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const cellText = (c) => (c === null || c === undefined ? '—' : typeof c === 'number' ? formatNumber(c) : String(c));

function formatNumber(x) {
  if (!Number.isFinite(x)) return '—';
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 0.01) return x.toFixed(3);
  return x === 0 ? '0' : x.toExponential(2);
}

const esc = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(t) {
  const out = [`**${esc(t.title)}**`, ''];
  if (t.note) out.push(`_${esc(t.note)}_`, '');
  out.push(`| ${t.columns.map(esc).join(' | ')} |`);
  out.push(`|${t.columns.map(() => '---').join('|')}|`);
  for (const r of t.rows) out.push(`| ${r.map((c) => esc(cellText(c))).join(' | ')} |`);
  return out.join('\n');
}

export function renderResult(r) {
  const m = r.machine;
  const load = `load average ${m.loadAvgStart?.[0] ?? '?'} at start, ${m.loadAvgEnd?.[0] ?? '?'} at end`;
  const lines = [
    `_Run ${r.finishedAt.replace('T', ' ').slice(0, 16)} UTC · ${r.backend.label} · adapter: ${r.backend.adapter} · ` +
      `${m.cores}× ${m.cpu}, ${m.memoryGiB} GiB${m.gpu ? `, GPU ${m.gpu}` : ', no GPU'} · ${m.node} · ${load} · ` +
      `${Math.round(r.wallSeconds)} s${r.quick ? ' · QUICK run (smoke check, not a measurement)' : ''}` +
      `${r.scale !== 1 ? ` · scale ${r.scale}` : ''}_`,
    '',
  ];
  if (r.backend.emulated) {
    lines.push('> SwiftShader is a CPU emulation of a GPU: these timings say nothing about real GPUs.', '');
  }
  for (const t of r.tables) lines.push(markdownTable(t), '');
  if (r.notes?.length) {
    lines.push('Notes from the run:', '');
    for (const n of r.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

/** Regenerates the marked sections of `mdFile` from the committed (non-quick) results. */
export function writeReport(resultsDir, mdFile, order = []) {
  const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')) : [];
  const key = (f) => f.replace(/\.json$/, '');
  const rank = (f) => {
    const i = order.indexOf(key(f).split('.')[0]);
    return i < 0 ? order.length : i;
  };
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  let md = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmarks\n';
  const updated = [];
  for (const f of files) {
    let r;
    try {
      r = JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8'));
    } catch (e) {
      console.warn(`report: skipping ${f}: ${e.message}`);
      continue;
    }
    if (r.quick) continue;
    const k = key(f);
    const begin = `<!-- results:${k} -->`;
    const end = `<!-- /results:${k} -->`;
    const block = `${begin}\n${renderResult(r)}\n${end}`;
    const i = md.indexOf(begin);
    const j = md.indexOf(end);
    if (i >= 0 && j > i) md = md.slice(0, i) + block + md.slice(j + end.length);
    else md = `${md.trimEnd()}\n\n## ${r.title} (${r.backend.name})\n\n${block}\n`;
    updated.push(k);
  }
  writeFileSync(mdFile, md.endsWith('\n') ? md : `${md}\n`);
  return updated;
}
