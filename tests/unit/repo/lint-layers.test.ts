// The layers of src/ are enforced, not just described (docs/architecture.md): ESLint's
// no-restricted-imports rules in eslint.config.js fail on every import against the one
// direction of flow. Here each forbidden direction is planted as a snippet and must be
// reported, and each allowed one must not, so the rules cannot silently disappear or widen.
// A second check follows the UI's run-time imports to the end: none may reach tfjs.
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, importsOf, resolveRelative, sourcesUnder } from '../../support/importGraph';
const RULE = 'no-restricted-imports';

interface Plant {
  /** Where the snippet pretends to live. */
  file: string;
  code: string;
}

// Every forbidden direction, from each layer (and from a sub-folder, where imports climb further).
const FORBIDDEN: Plant[] = [
  // src/is imports no layer of the app.
  { file: 'src/is/planted.ts', code: "import { DATASET_NAMES } from '../data/catalogue';" },
  { file: 'src/is/planted.ts', code: "import { MODEL_ZOO } from '../models';" },
  { file: 'src/is/planted.ts', code: "import { SETTINGS_SCHEMA } from '../contract/settings';" },
  { file: 'src/is/planted.ts', code: "import type { EngineEvent } from '../contract/protocol';" },
  { file: 'src/is/planted.ts', code: "import { Engine } from '../engine/page/engine';" },
  { file: 'src/is/planted.ts', code: "import { App } from '../ui/App';" },
  { file: 'src/is/samplers/planted.ts', code: "export { DATASET_NAMES } from '../../data/catalogue';" },
  { file: 'src/is/catalogue.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  // A sampler's meta and the list of metas are read by the page's bundle: no tfjs, no implementation.
  { file: 'src/is/samplers/table/meta.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  { file: 'src/is/samplers/table/meta.ts', code: "import { TableSampler } from './sampler';" },
  { file: 'src/is/samplers/metas.ts', code: "import { createSampler } from './registry';" },
  { file: 'src/is/samplers/metaList.ts', code: "export { tableSampler } from './table/sampler';" },
  { file: 'src/is/samplers/metas.ts', code: "import { SETTINGS_SCHEMA } from '../../contract/settings';" },
  // src/data and src/models import neither the engine nor the UI, nor each other.
  { file: 'src/data/planted.ts', code: "import { SETTINGS_SCHEMA } from '../contract/settings';" },
  { file: 'src/data/planted.ts', code: "import { Engine } from '../engine/page/engine';" },
  { file: 'src/data/planted.ts', code: "import { App } from '../ui/App';" },
  { file: 'src/data/planted.ts', code: "import { MODEL_NAMES } from '../models/catalogue';" },
  { file: 'src/models/planted.ts', code: "import type { Settings } from '../contract/settings';" },
  { file: 'src/models/planted.ts', code: "import { Run } from '../engine/core/run';" },
  { file: 'src/models/planted.ts', code: "import { App } from '../ui/App';" },
  { file: 'src/models/planted.ts', code: "import { DATASET_NAMES } from '../data/catalogue';" },
  // ... and of the library only its PRNG and types.
  { file: 'src/data/planted.ts', code: "import { tauFromScores } from '../is/tau';" },
  { file: 'src/models/planted.ts', code: "import { ImportanceTrainer } from '../is';" },
  // src/data (except device.ts) and src/models/catalogue.ts are read by the UI: no tfjs.
  { file: 'src/data/planted.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  { file: 'src/models/catalogue.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  // The engine does not import the UI (from any of its rooms).
  { file: 'src/engine/planted.ts', code: "import { App } from '../ui/App';" },
  { file: 'src/engine/page/planted.ts', code: "import type { MetricsSnapshot } from '../../ui/metricsStore';" },
  { file: 'src/engine/core/planted.ts', code: "import { App } from '../../ui/App';" },
  // The rooms of the engine: the race core reaches neither the page nor the backend; the backend not the page.
  { file: 'src/engine/core/planted.ts', code: "import type { PageRace } from '../page/pageRace';" },
  { file: 'src/engine/core/planted.ts', code: "import { selectBackend } from '../backend/select';" },
  { file: 'src/engine/backend/planted.ts', code: "import { Engine } from '../page/engine';" },
  // The contract, which both bundles read, imports only what the UI may import.
  { file: 'src/contract/settings.ts', code: "import { Engine } from '../engine/page/engine';" },
  { file: 'src/contract/protocol.ts', code: "import type { Run } from '../engine/core/run';" },
  { file: 'src/contract/protocol.ts', code: "import { App } from '../ui/App';" },
  { file: 'src/contract/protocol.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  { file: 'src/contract/settings.ts', code: "import { presampleSize } from '../is/settings';" },
  { file: 'src/contract/settings.ts', code: "import { MODEL_ZOO } from '../models/zoo';" },
  { file: 'src/contract/settings.ts', code: "import { DATASET_REGISTRY } from '../data/registry';" },
  { file: 'src/contract/settings.ts', code: "import { createSampler } from '../is/samplers/registry';" },
  { file: 'src/contract/settings.ts', code: "import { tableMeta } from '../is/samplers/table/meta';" },
  // The UI: no tfjs, no engine internals, no library or data/model internals.
  { file: 'src/ui/planted.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  { file: 'src/ui/planted.ts', code: "import '@tensorflow/tfjs-backend-webgpu';" },
  { file: 'src/ui/planted.ts', code: "import { Engine } from '../engine/page/engine';" },
  { file: 'src/ui/planted.ts', code: "import { evaluate } from '../engine/core/evaluate';" },
  { file: 'src/ui/charts/planted.tsx', code: "import type { EvalResult } from '../../engine/core/evaluate';" },
  { file: 'src/ui/planted.ts', code: "import type { BackendName } from '../engine/backend/select';" },
  { file: 'src/ui/planted.ts', code: "import { ImportanceTrainer } from '../is';" },
  { file: 'src/ui/planted.ts', code: "import { presampleSize } from '../is/settings';" },
  { file: 'src/ui/planted.ts', code: "import type { StepReport } from '../is/types';" },
  { file: 'src/ui/planted.ts', code: "import { loadDataset } from '../data';" },
  { file: 'src/ui/planted.ts', code: "import { toDeviceData } from '../data/device';" },
  { file: 'src/ui/planted.ts', code: "import { DATASET_REGISTRY } from '../data/registry';" },
  { file: 'src/ui/planted.ts', code: "import { MODEL_ZOO } from '../models';" },
  { file: 'src/ui/planted.ts', code: "import { buildModel } from '../models/zoo';" },
];

// What the layers may import: each must pass.
const ALLOWED: Plant[] = [
  { file: 'src/is/planted.ts', code: "import * as tf from '@tensorflow/tfjs';\nimport { createRng } from './rng';" },
  { file: 'src/is/samplers/planted.ts', code: "import { presampleSize } from '../catalogue';" },
  { file: 'src/is/samplers/table/meta.ts', code: "import { TABLE_TAU_THRESHOLD } from '../../tau';\nimport { defineSamplerMeta } from '../meta';" },
  { file: 'src/is/samplers/other/sampler.ts', code: "import { ScoreTable } from '../table/scoreTable';\nimport { UniformSampler } from '../uniform';" },
  { file: 'src/data/planted.ts', code: "import { createRng } from '../is/rng';\nimport type { Rng } from '../is/types';" },
  { file: 'src/data/device.ts', code: "import * as tf from '@tensorflow/tfjs';" },
  { file: 'src/models/planted.ts', code: "import * as tf from '@tensorflow/tfjs';\nimport { createRng } from '../is/rng';\nimport type { Rng } from '../is/types';" },
  {
    file: 'src/engine/planted.ts',
    code: "import * as tf from '@tensorflow/tfjs';\nimport { loadDataset } from '../data';\nimport { MODEL_ZOO } from '../models';\nimport { ImportanceTrainer } from '../is';",
  },
  { file: 'src/engine/backend/planted.ts', code: "import { errorText } from '../core/faults';\nimport type { BackendInfo } from '../../contract/protocol';" },
  {
    file: 'src/engine/page/planted.ts',
    code: "import type { EngineEvent } from '../../contract/protocol';\nimport { SETTINGS_SCHEMA } from '../../contract/settings';\nimport { Run } from '../core/run';",
  },
  {
    file: 'src/contract/settings.ts',
    code: "import type * as is from '../is/types';\nimport { SAMPLER_KINDS } from '../is/catalogue';\nimport { SAMPLER_SETTINGS } from '../is/samplers/metas';\nimport { DATASET_NAMES } from '../data/catalogue';\nimport { MODEL_NAMES } from '../models/catalogue';",
  },
  { file: 'src/contract/protocol.ts', code: "import type { Settings } from './settings';" },
  {
    file: 'src/ui/planted.ts',
    code: "import type { EngineEvent } from '../contract/protocol';\nimport { SETTINGS_SCHEMA } from '../contract/settings';\nimport { SAMPLER_KINDS } from '../is/catalogue';",
  },
  {
    file: 'src/ui/charts/planted.tsx',
    code: "import type { RunId } from '../../contract/protocol';\nimport { DATASET_CATALOGUE } from '../../data/catalogue';\nimport { MODEL_CATALOGUE } from '../../models/catalogue';",
  },
];

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function layerErrors({ file, code }: Plant): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('layer rules of eslint.config.js', () => {
  it.each(FORBIDDEN.map((p) => [p.file, p.code, p] as const))('%s: %s is reported', async (_file, _code, plant) => {
    const errors = await layerErrors(plant);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('docs/architecture.md');
  });

  it.each(ALLOWED.map((p) => [p.file, p.code, p] as const))('%s may: %s', async (_file, _code, plant) => {
    expect(await layerErrors(plant)).toEqual([]);
  });
});

// ---- the UI's run-time import graph --------------------------------------------------------

/** The first chain of run-time imports from `roots` to a '@tensorflow/' package, or null. */
function pathToTfjs(roots: string[]): string[] | null {
  const parent = new Map<string, string | null>(roots.map((r) => [r, null]));
  const queue = [...roots];
  const chain = (file: string): string[] => {
    const out: string[] = [];
    for (let f: string | null = file; f; f = parent.get(f) ?? null) out.unshift(path.relative(ROOT, f));
    return out;
  };
  while (queue.length) {
    const file = queue.shift()!;
    for (const { specifier: spec, typeOnly } of importsOf(file)) {
      if (typeOnly) continue;
      if (spec.startsWith('@tensorflow/')) return [...chain(file), spec];
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file, spec);
      if (target && !parent.has(target)) {
        parent.set(target, file);
        queue.push(target);
      }
    }
  }
  return null;
}

describe("the UI's run-time imports", () => {
  it('reach no tfjs, through any module (the worker is a separate bundle, started by URL)', () => {
    const roots = [path.join(ROOT, 'src/main.tsx'), ...sourcesUnder(path.join(ROOT, 'src/ui'))];
    expect(pathToTfjs(roots)).toBeNull();
  });

  it('the walk finds tfjs where it is: from the worker', () => {
    const found = pathToTfjs([path.join(ROOT, 'src/engine/page/worker.ts')]);
    expect(found?.at(-1)).toMatch(/^@tensorflow\//);
  });
});
