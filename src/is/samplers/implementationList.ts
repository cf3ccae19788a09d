// The built-in samplers' implementations: one line per sampler folder,
//     export { <name>Sampler } from './<name>/sampler';
// (the worker's bundle only: they use tfjs). Its twin is metaList.ts; the compiler checks that
// the two name the same samplers (registry.ts).
export { presampleSampler } from './presample/sampler';
export { tableSampler } from './table/sampler';
export { onlineBatchSampler } from './online-batch/sampler';
export { infobatchSampler } from './infobatch/sampler';
