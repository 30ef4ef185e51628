// The browser build of berth: web/ is the playground page; it bundles the same core (overlay/,
// shims/, runtime/) that runs on Node. SharedArrayBuffer (the workers' blocking channel) needs a
// cross-origin-isolated page, so every server Vite runs sends COOP/COEP.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: './',
  // The page imports built-in guest images from images/ (outside the web root).
  server: {
    headers: crossOriginIsolation,
    fs: { allow: [fileURLToPath(new URL('.', import.meta.url))] },
  },
  preview: { headers: crossOriginIsolation },
  // Process workers import the core as ES modules.
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Guests are fetched as files, never inlined as data: URLs.
    assetsInlineLimit: 0,
  },
});
