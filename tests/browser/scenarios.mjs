// Every browser scenario, by id (tests/browser/run.mjs runs them against the production build;
// `--only 3,5` picks some). The scenarios live in files by concern; ids are stable, since other
// files and the docs cite them. Each scenario gets `ctx` (see run.mjs) and throws a TestFailure
// with a clear message on failure.
import { compareScenarios } from './compareScenarios.mjs';
import { handsOnScenarios } from './handsOnScenarios.mjs';
import { linkScenarios } from './linkScenarios.mjs';
import { loopScenarios } from './loopScenarios.mjs';
import { pluginScenarios } from './pluginScenarios.mjs';
import { readoutScenarios } from './readoutScenarios.mjs';
import { safetyScenarios } from './safetyScenarios.mjs';
import { trainingScenarios } from './trainingScenarios.mjs';
import { wasmScenarios } from './wasmScenarios.mjs';

export const scenarios = [
  ...safetyScenarios, // 1, 6, 7, 9: origin, hostile links, damaged data, CSP
  ...trainingScenarios, // 2, 3, 4, 8, 10, 13: backend, Start/Pause, mode, sub-path, jank, variance lab
  ...linkScenarios, // 5, 11: share links, presets
  ...readoutScenarios, // 12, 21: who is ahead
  ...loopScenarios, // 14, 15: fair clocks, first point within seconds
  ...compareScenarios, // 16-19: history, repeats, keyboard
  ...wasmScenarios, // 20: WebAssembly by measurement
  ...pluginScenarios, // 22: a sampler added as a folder, in the built app
  ...handsOnScenarios, // 30-33: a phone-sized screen, a drawn digit, first layers, a kept model
].sort((a, b) => a.id - b.id);

const ids = scenarios.map((s) => s.id);
if (new Set(ids).size !== ids.length) throw new Error(`two browser scenarios share an id: ${ids.join(', ')}`);
