// The site's Content-Security-Policy as a response header, for hosts that send headers
// (scripts/serve-static.mjs, and `npm start` through scripts/start.mjs).
//
// index.html carries the policy as a <meta> tag, which holds on any host but covers only the
// page: the training worker is a separate document whose policy comes from its own response
// headers, so without a header it ran under none. The header is the same policy, plus what
// only a header can or must say:
//  - blob: in script-src and worker-src: the wasm backend's threads are Web Workers on blob:
//    URLs that load their code from another blob: URL (src/engine/backend/wasm.ts). Without
//    it they never start and the backend trains on one thread, saying why. On the page
//    itself the <meta> policy still holds, and both apply, so the page gains no blob: scripts.
//  - frame-ancestors 'none': no framing (a <meta> policy cannot set it).
// 'wasm-unsafe-eval' lets WebAssembly compile; it allows no JavaScript eval.
// tests/unit/repo/serve-static.test.ts checks that this stays index.html's policy plus these.

const DIRECTIVES = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval' blob:"],
  ['worker-src', "'self' blob:"],
  ['connect-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['style-src', "'self'"],
  ['font-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** The value of the `Content-Security-Policy` header. */
export const SITE_CSP_HEADER = DIRECTIVES.map(([name, sources]) => `${name} ${sources}`).join('; ');

/** A policy's directives as { name: [sources] } (names lower-cased), to compare two policies. */
export function parsePolicy(policy) {
  const out = {};
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}
