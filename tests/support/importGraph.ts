// The import graph of src/, read with TypeScript's parser (no type checking): which modules a
// file imports, resolved to files. The layer test follows the UI's run-time imports to tfjs;
// the cycle test looks for a module that reaches itself, type-only imports included (a cycle of
// types still ties two modules together for a reader).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ImportedModule {
  specifier: string;
  /**
   * `import type` or `export type`: erased at run time. (`import { type A }` is not: under
   * verbatimModuleSyntax the statement stays, as an import for its side effects.)
   */
  typeOnly: boolean;
}

/** The module specifiers of a file: static imports and re-exports, and `import('…')` calls. */
export function importsOf(file: string): ImportedModule[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: ImportedModule[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: !!node.importClause?.isTypeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The file a relative specifier names (with .ts, .tsx or /index.ts), or null. */
export function resolveRelative(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (/\.tsx?$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return null;
}

export function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(dir, f));
}

/** The files a file imports (relative specifiers only), each once. */
export function localImports(file: string, { types = true } = {}): string[] {
  const out = new Set<string>();
  for (const { specifier, typeOnly } of importsOf(file)) {
    if (!specifier.startsWith('.') || (typeOnly && !types)) continue;
    const target = resolveRelative(file, specifier);
    if (target) out.add(target);
  }
  return [...out];
}

/**
 * Every import cycle among `files` (Tarjan's strongly connected components): each as the files
 * of one component, relative to the repository, sorted. Empty when the graph has no cycle.
 */
export function importCycles(files: readonly string[]): string[][] {
  const edges = new Map(files.map((f) => [f, localImports(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfImport = (edges.get(v) ?? []).includes(v);
    if (component.length > 1 || selfImport) cycles.push(component.map((f) => path.relative(ROOT, f)).sort());
  };
  for (const f of files) if (!index.has(f)) connect(f);
  return cycles;
}
