// The built-in samplers as both bundles know them: one line per sampler folder,
//     export { <name>Meta } from './<name>/meta';
// (tfjs-free: the page's bundle reads it). Its twin is implementationList.ts, one line per folder
// too, which only the worker's bundle reads; the compiler checks that the two name the same
// samplers (registry.ts). Everything else about a sampler follows from its folder (metas.ts).
export { presampleMeta } from './presample/meta';
export { tableMeta } from './table/meta';
export { onlineBatchMeta } from './online-batch/meta';
export { infobatchMeta } from './infobatch/meta';
