// Sampler name → implementation: the worker's half of the sampler list (metas.ts is the
// tfjs-free half both bundles read). The compiler checks that every name in metas.ts has
// exactly one factory here and that there is none other. registerSampler adds a sampler at
// runtime, for code outside this repository: its description joins the catalogue (so
// validation and the trainer accept its name) and its factory joins this table; such a
// sampler has no settings of its own (a sampler with settings is a folder: docs/architecture.md).
import {
  defaultTauThreshold,
  registerSamplerInfo,
  samplerInfo,
  type SamplerCapabilities,
  type SamplerInfo,
  type SamplerKind,
  type SamplerSizes,
} from '../catalogue';
import type { BuiltinSamplerKind } from './metas';
import { createPresampleSampler } from './presample/sampler';
import { createTableSampler } from './table/sampler';
import type { Sampler, SamplerContext, SamplerFactory, SamplerRegistration } from './types';

// One line per sampler of metas.ts.
const BUILTIN_FACTORIES = {
  presample: createPresampleSampler,
  table: createTableSampler,
} satisfies Record<BuiltinSamplerKind, SamplerFactory>;

const factories = new Map<string, SamplerFactory>(Object.entries(BUILTIN_FACTORIES));

/**
 * Registers a sampler under `registration.name`, for every trainer created or stepped from
 * now on in this program. Throws if the name is taken or the entry is incomplete.
 */
export function registerSampler(registration: SamplerRegistration): SamplerInfo {
  const { create, capabilities, tauThreshold, ...described } = registration;
  if (typeof create !== 'function') {
    throw new Error(`sampler '${registration.name}' has no create(context) function: pass one that returns the Sampler`);
  }
  const full: SamplerCapabilities = { scoresPresample: false, keepsTable: false, ...capabilities };
  registerSamplerInfo({
    ...described,
    settings: {},
    capabilities: full,
    tauThreshold: tauThreshold ?? ((sizes: SamplerSizes) => defaultTauThreshold(full, sizes)),
  });
  factories.set(registration.name, create);
  return samplerInfo(registration.name);
}

/** A new sampler of this kind. Throws, naming the choices, for an unknown name. */
export function createSampler(kind: SamplerKind, context: SamplerContext): Sampler {
  const factory = factories.get(kind);
  if (factory) return factory(context);
  samplerInfo(kind); // an unknown name: throws, listing the choices
  throw new Error(`sampler '${kind}' is in the catalogue but has no implementation: register it with registerSampler`);
}
