// Builds the app with a sampler added the way docs/architecture.md ("Where to add: a sampler")
// says: a temporary copy of the app's tree (src/, index.html, the Vite and TypeScript configs,
// package.json; node_modules, public/ and scripts/ (which the Vite config imports) linked), the fixture's folder copied to
// src/is/samplers/<name>/, one line added to metaList.ts and one to implementationList.ts,
// then the TypeScript check of the app and `vite build`. Nothing in the repository changes.
// Browser scenario 22 serves the result; by hand:
//
//   node tests/browser/pluginBuild.mjs      (prints the folder of the built site; remove it after)
import { spawnSync } from 'node:child_process';
import { appendFile, cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The fixture sampler: its folder under tests/browser/fixtures/, and the names its files export. */
export const FIXTURE_SAMPLER = { name: 'fixture-tau', meta: 'fixtureTauMeta', implementation: 'fixtureTauSampler', setting: 'fixtureTau' };

function run(cwd, args, what) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed in the copy with the fixture sampler (${cwd}):\n${(r.stdout + r.stderr).trim().slice(-3000)}`);
}

/**
 * Builds the app with the fixture sampler added as a folder; returns { dir, dist, cleanup }.
 * `dist` is the built site. Throws with the compiler's or Vite's output if either refuses it.
 */
export async function buildWithFixtureSampler(sampler = FIXTURE_SAMPLER) {
  const dir = await mkdtemp(join(tmpdir(), 'is-plugin-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    for (const entry of ['src', 'index.html', 'vite.config.ts', 'tsconfig.app.json', 'package.json']) {
      await cp(join(repoRoot, entry), join(dir, entry), { recursive: true });
    }
    await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    for (const linked of ['public', 'scripts']) await symlink(join(repoRoot, linked), join(dir, linked), 'dir');
    // The route: the sampler's folder, and one line in each of the two lists.
    const samplers = join(dir, 'src/is/samplers');
    await cp(join(repoRoot, 'tests/browser/fixtures', sampler.name), join(samplers, sampler.name), { recursive: true });
    await appendFile(join(samplers, 'metaList.ts'), `export { ${sampler.meta} } from './${sampler.name}/meta';\n`);
    await appendFile(join(samplers, 'implementationList.ts'), `export { ${sampler.implementation} } from './${sampler.name}/sampler';\n`);
    run(dir, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.app.json', '--noEmit'], 'the TypeScript check');
    const dist = join(dir, 'dist');
    run(dir, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', dist], '`vite build`');
    return { dir, dist, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { dist } = await buildWithFixtureSampler();
  console.log(dist);
}
