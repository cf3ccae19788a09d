import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// base './' keeps every asset, worker and data URL relative, so dist/ works from any sub-path.
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
