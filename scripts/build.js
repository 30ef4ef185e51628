#!/usr/bin/env node
// Bundles the TypeScript sources into dist/ with esbuild: the CLI, the library entry and the
// process worker. One bundle per entry keeps `berth` start-up to a single file read.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  index: 'runtime/index.ts',
  cli: 'bin/cli.ts',
  worker: 'shims/platform/node/worker-entry.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(root + p)));

await build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'dist',
  bundle: true,
  // Split shared code into chunks so each CLI command loads only what it uses (start-up time).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS dependencies inside an ESM bundle need a real `require`.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
