import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// ---- layers (docs/architecture.md) -------------------------------------------------------
// src/ has one direction of flow: is ← data, models ← contract ← engine, ui. Each pattern below
// is a forbidden import; tests/unit/repo/lint-layers.test.ts plants one of each and expects lint
// to fail. Patterns match the import text: `(\.\./)+X` is the folder X of src/ seen from any depth.
const up = (folders) => `^(\\.\\./)+(${folders})($|/)`;
/** Folder X of src/, except the listed modules of it (names without .ts). */
const except = (folder, ...modules) => `^(\\.\\./)+${folder}($|/(?!(${modules.join('|')})(\\.ts)?$))`;
const forbid = (regex, message, extra = {}) => ({ regex, message: `${message} (see docs/architecture.md)`, ...extra });

const TFJS_FREE = forbid('^@tensorflow/', 'The UI imports this module, so it stays tfjs-free');
/** src/is/types.ts holds only types: import it with `import type`. */
const IS_TYPES_AS_TYPES = forbid('^(\\.\\./)+is/types(\\.ts)?$', 'Import src/is/types.ts with `import type` only', {
  allowTypeImports: true,
});
const IS_UP = forbid(up('data|models|contract|engine|ui'), 'src/is is the library: it imports no layer of the app');
const DATA_UP = forbid(up('contract|engine|ui|models'), 'src/data sits below the contract, the engine and the UI, beside src/models: it imports none of them');
const DATA_IS = forbid(except('is', 'rng', 'types'), 'src/data uses only src/is/rng.ts (and its types) of the library');
const MODELS_UP = forbid(up('contract|engine|ui|data'), 'src/models sits below the contract, the engine and the UI, beside src/data: it imports none of them');
const MODELS_IS = forbid(except('is', 'rng', 'types'), 'src/models uses only src/is/rng.ts and src/is/types.ts of the library');
const ENGINE_UP = forbid(up('ui'), 'The engine does not import the UI; it sends it messages (src/contract/protocol.ts)');
/** What the UI, and the contract it reads, may see of the lower layers: their tfjs-free vocabularies. */
const UI_VIEW = [
  forbid(except('data', 'catalogue'), 'The UI reads src/data only through src/data/catalogue.ts (no tfjs, no loaders); the data itself is the engine\'s'),
  forbid(except('models', 'catalogue'), 'The UI reads src/models only through src/models/catalogue.ts (tfjs-free); the models are the engine\'s'),
];

const LAYER_RULES = [
  { files: ['src/is/**'], ignores: ['src/is/catalogue.ts'], patterns: [IS_UP] },
  { files: ['src/is/catalogue.ts'], patterns: [IS_UP, TFJS_FREE] },
  {
    // What both bundles read of a sampler: its meta.ts, the list of them, their types.
    files: ['src/is/samplers/meta.ts', 'src/is/samplers/metas.ts', 'src/is/samplers/metaList.ts', 'src/is/samplers/*/meta.ts'],
    patterns: [
      IS_UP,
      TFJS_FREE,
      forbid('(^|/)(sampler|registry)(\\.ts)?$', "A sampler's meta is read by the page's bundle: it imports no sampler implementation"),
    ],
  },
  // src/data is tfjs-free except device.ts, which puts the data on the device.
  { files: ['src/data/**'], ignores: ['src/data/device.ts'], patterns: [DATA_UP, DATA_IS, IS_TYPES_AS_TYPES, TFJS_FREE] },
  { files: ['src/data/device.ts'], patterns: [DATA_UP, DATA_IS, IS_TYPES_AS_TYPES] },
  { files: ['src/models/**'], ignores: ['src/models/catalogue.ts'], patterns: [MODELS_UP, MODELS_IS] },
  { files: ['src/models/catalogue.ts'], patterns: [MODELS_UP, MODELS_IS, TFJS_FREE] },
  {
    // What crosses the worker boundary (messages, the settings schema): both bundles read it,
    // so it imports only what the UI may import, and neither side of the boundary.
    files: ['src/contract/**'],
    patterns: [
      forbid(up('engine|ui'), 'src/contract sits below the engine and the UI: both import it, it imports neither'),
      TFJS_FREE,
      forbid(
        except('is', 'catalogue', 'types', 'samplers/metas'),
        'The UI imports src/contract: of the library it reads only src/is/catalogue.ts, src/is/samplers/metas.ts (tfjs-free) and types',
      ),
      IS_TYPES_AS_TYPES,
      ...UI_VIEW,
    ],
  },
  { files: ['src/engine/**'], ignores: ['src/engine/core/**', 'src/engine/backend/**'], patterns: [ENGINE_UP] },
  // The engine's rooms: page → backend, core. The race core is what the benchmarks share, so it
  // reaches neither the page's engine nor the backend session; the backend does not reach the page.
  {
    files: ['src/engine/core/**'],
    patterns: [ENGINE_UP, forbid('^\\.\\./(page|backend)($|/)', 'src/engine/core is the race core the benchmarks share: it imports neither src/engine/page nor src/engine/backend')],
  },
  {
    files: ['src/engine/backend/**'],
    patterns: [ENGINE_UP, forbid('^\\.\\./page($|/)', 'src/engine/backend sits below the page\'s engine: it does not import src/engine/page')],
  },
  {
    files: ['src/ui/**'],
    patterns: [
      forbid('^@tensorflow/', 'The UI never touches tfjs: the engine owns every tensor'),
      forbid(up('engine'), 'The UI talks to the engine only through src/contract (its messages and the settings schema)'),
      forbid(except('is', 'catalogue'), 'The UI reads the library only through src/is/catalogue.ts (tfjs-free)'),
      ...UI_VIEW,
    ],
  },
].map(({ files, ignores, patterns }) => ({
  name: `layers: ${files.join(', ')}`,
  files,
  ...(ignores ? { ignores } : {}),
  rules: { 'no-restricted-imports': ['error', { patterns }] },
}));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public/data', 'bench/results', 'test-results'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  ...LAYER_RULES,
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
);
