// No module of src/ imports itself through others (docs/architecture.md): every folder has a
// floor, and within a folder each module builds on the ones below it. Type-only imports count:
// a cycle of types still ties two modules together for whoever reads or moves them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, importCycles, sourcesUnder } from '../../support/importGraph';

describe('import cycles', () => {
  it('src/ has none, type-only imports included', () => {
    const files = sourcesUnder(path.join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(100);
    expect(importCycles(files)).toEqual([]);
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the check finds one where there is: through a type import, a re-export and a self-import', () => {
    const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    write('a.ts', "import { b } from './b';\nexport const a = b + 1;\n");
    write('b.ts', "import type { C } from './c';\nexport const b: C = 1;\n");
    write('c.ts', "export type C = number;\nexport { a } from './a';\n");
    write('d.ts', "import { a } from './a';\nexport const d = a;\n");
    write('e.ts', "export * from './e';\n");
    const cycles = importCycles(['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'].map((f) => path.join(dir, f)));
    const names = cycles.map((c) => c.map((f) => path.basename(f)));
    expect(names).toHaveLength(2);
    expect(names).toContainEqual(['a.ts', 'b.ts', 'c.ts']);
    expect(names).toContainEqual(['e.ts']);
  });
});
