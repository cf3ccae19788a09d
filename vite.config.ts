import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

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

// base './' keeps every asset, worker and data URL relative, so dist/ works from any sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), cspOnlyInBuild()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
