// Sampler name → implementation, from implementationList.ts (the worker's half of the sampler
// list; metaList.ts is the tfjs-free half both bundles read). The compiler checks that the two
// lists name the same samplers (below). registerSampler adds a sampler at run time, for code
// outside this repository: its description joins the catalogue (so validation and the trainer
// accept its name) and its factory joins this table; such a sampler has no settings of its own
// (a sampler with settings is a folder: docs/architecture.md).
import {
  defaultTauThreshold,
  registerSamplerInfo,
  samplerInfo,
  type SamplerCapabilities,
  type SamplerInfo,
  type SamplerKind,
  type SamplerSizes,
} from '../catalogue';
import * as IMPLEMENTATION_LIST from './implementationList';
import type { BuiltinSamplerKind } from './metas';
import type { Sampler, SamplerContext, SamplerFactory, SamplerRegistration } from './types';

type ImplementedKind = (typeof IMPLEMENTATION_LIST)[keyof typeof IMPLEMENTATION_LIST]['name'];
// The two lists agree, or the compiler names the sampler that is missing from one of them:
// a meta without an implementation ("Type 'true' is not assignable to type '"<name>"'" on the
// first line: add `export { <name>Sampler } from './<name>/sampler';` to implementationList.ts),
// or an implementation without a meta (the second line: add `export { <name>Meta } from
// './<name>/meta';` to metaList.ts).
const everyMetaImplemented: [Exclude<BuiltinSamplerKind, ImplementedKind>] extends [never] ? true : Exclude<BuiltinSamplerKind, ImplementedKind> = true;
const everyImplementationDescribed: [Exclude<ImplementedKind, BuiltinSamplerKind>] extends [never] ? true : Exclude<ImplementedKind, BuiltinSamplerKind> = true;
void [everyMetaImplemented, everyImplementationDescribed];

const factories = new Map<string, SamplerFactory>(Object.values(IMPLEMENTATION_LIST).map((s) => [s.name, s.create]));

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
