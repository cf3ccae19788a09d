import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { SITE_CSP_HEADER } from './scripts/contentSecurityPolicy.mjs';

/**
 * The dev server injects an inline script (React refresh) and inline styles (CSS hot
 * reload), which index.html's Content-Security-Policy forbids: serve the page without it.
 * The build keeps it.
 */
function cspOnlyInBuild(): Plugin {
  return {
    name: 'csp-only-in-build',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/i, ''),
  };
}

/** The Emscripten module of tfjs-backend-wasm's threaded SIMD build (CommonJS). */
const THREADED_FACTORY = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

/**
 * tfjs-backend-wasm starts its threads (Web Workers on blob: URLs) with the source text of
 * its threaded factory function, `factory.toString()`, and each thread evaluates it on its
 * own. Minified, that function refers to a variable of the closure around it (Emscripten's
 * `_scriptDir`, renamed), which a thread does not have: every thread dies with "ReferenceError:
 * e is not defined" and the backend never starts. This gives the factory a toString that
 * returns the module's original, self-contained source (a string literal, which the minifier
 * leaves alone; ~55 kB). Applied to the worker bundle, where the engine imports the backend,
 * and to dependency pre-bundling in dev.
 */
export function keepThreadedWasmSource(): Plugin {
  return {
    name: 'keep-threaded-wasm-source',
    transform(code, id) {
      if (!THREADED_FACTORY.test(id.split('?')[0])) return null;
      if (!code.includes('var WasmBackendModuleThreadedSimd =')) {
        this.error('tfjs-backend-wasm changed: its threaded module no longer defines WasmBackendModuleThreadedSimd; check keepThreadedWasmSource');
      }
      const original = `(function () {\n${code}\nreturn WasmBackendModuleThreadedSimd;\n})()`;
      return { code: `${code}\nWasmBackendModuleThreadedSimd.toString = function () { return ${JSON.stringify(original)}; };\n`, map: null };
    },
  };
}

/**
 * Cross-origin isolation: with these two headers the page may use SharedArrayBuffer, so the
 * wasm backend loads its threaded SIMD binary (XNNPACK on several threads). Everything the
 * page loads is same-origin, so require-corp blocks nothing. `npm start` (scripts/start.mjs),
 * `npm run dev` and `npm run preview` send them; scripts/serve-static.mjs too. A host that
 * cannot (GitHub Pages) gets the single-thread SIMD binary (README, "Host your own demo").
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

// base './' keeps every asset, worker and data URL relative, so dist/ works from any sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), cspOnlyInBuild()],
  server: { headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS } },
  // The built site, as served by a host that sends headers: the site's policy covers the worker too.
  preview: { headers: { ...CROSS_ORIGIN_ISOLATION_HEADERS, 'Content-Security-Policy': SITE_CSP_HEADER } },
  // Plugins of the page's bundle do not reach the worker's: the worker gets its own list.
  worker: { format: 'es', plugins: () => [keepThreadedWasmSource()] },
  optimizeDeps: { rolldownOptions: { plugins: [keepThreadedWasmSource()] } },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
