#!/usr/bin/env node
// Bundles the TypeScript sources into dist/ with esbuild:
//   dist/index.js        the library (ESM), `import { openNodeEngine } from 'berth'`;
//   dist/cli.cjs         the CLI, loaded by bin/berth.cjs through the code cache (dist/boot.cjs);
//   dist/run.cjs         `run [--rm] IMAGE [ARG...]` alone (bin/run-fast.ts), loaded the same way;
//   dist/pull.cjs        `pull [-q] NAME` alone (bin/pull-fast.ts);
//   dist/worker.cjs      the process worker's boot script, which loads dist/worker-main.cjs the
//                        same way.
// The CLI and the worker are CommonJS because Node 20 can cache V8 bytecode only for scripts
// (shims/platform/node/code-cache.ts says why that matters). Each is one file: a chain of
// dynamically imported chunks costs a cold start more than reading a bigger file once.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Output of older layouts (code-split chunks, ESM cli/worker) would otherwise linger.
for (const f of existsSync(`${root}dist`) ? readdirSync(`${root}dist`, { withFileTypes: true }) : []) {
  if (f.name === 'chunks' || f.name === 'cli.js' || f.name === 'worker.js' || f.name.endsWith('.js.map')) {
    rmSync(`${root}dist/${f.name}`, { recursive: true, force: true });
  }
}

/**
 * An esbuild plugin that replaces the given source files by a module whose every export throws:
 * for code a bundle's entry never reaches (it checks before), left out to keep the bundle small.
 */
function leaveOut(files) {
  const paths = new Set(files.map((f) => `${root}${f}`));
  return {
    name: 'leave-out',
    setup(b) {
      b.onResolve({ filter: /\.ts$/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData?.leaveOut) return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { leaveOut: true },
        });
        return paths.has(r.path) ? { path: r.path, namespace: 'left-out' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
        contents: `const fail = () => { throw new Error(${JSON.stringify(`internal: ${args.path.slice(root.length)} is not in this bundle`)}); };
module.exports = new Proxy({}, { get: (_, name) => (name === '__esModule' ? false : fail) });`,
        loader: 'js',
      }));
    },
  };
}

const common = {
  absWorkingDir: root,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
};

/** CommonJS bundles: `import.meta.url` becomes the bundle file's own URL. */
const cjs = {
  ...common,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // Big dependencies only a few commands need stay in node_modules, required when used: every
  // byte of a bundle is read at each start (undici alone is 1 MB; only proxies use it). In a
  // CommonJS bundle their require() runs only when the module using them first runs.
  external: ['undici', 'dockerfile-ast'],
  // Whitespace and syntax only (names stay, so stack traces read; sourcemaps are linked): a third
  // less to read at each start, and less source every worker keeps for lazy compilation.
  minifyWhitespace: true,
  minifySyntax: true,
  define: { 'import.meta.url': '__berth_bundle_url' },
  banner: { js: "const __berth_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * The bundles loaded through the code cache (shims/platform/node/code-cache.ts loadBundle) are
 * written as the CommonJS wrapper function already (BUNDLE_WRAPPER_START there), so loading one
 * does not copy it into a wrapped string first. They are not require()-able.
 */
const loaded = {
  ...cjs,
  banner: { js: `(function (exports, require, module, __filename, __dirname) {${cjs.banner.js}` },
  footer: { js: '\n})' },
};

await Promise.all([
  build({
    ...common,
    entryPoints: { index: 'runtime/index.ts' },
    format: 'esm',
    sourcemap: 'linked',
    // CommonJS dependencies inside an ESM bundle need a real `require`.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  }),
  build({
    ...loaded,
    entryPoints: { cli: 'bin/cli.ts', 'worker-main': 'shims/platform/node/worker-entry.ts' },
    sourcemap: 'linked',
  }),
  // `run [--rm] IMAGE [ARG...]` alone: it hands an image to pull to the full CLI first thing, so
  // the registry client and the engine client (a fifth of its size) stay out.
  build({
    ...loaded,
    entryPoints: { run: 'bin/run-fast.ts' },
    sourcemap: 'linked',
    plugins: [
      leaveOut([
        'bin/commands/registry.ts',
        'bin/commands/engine.ts',
        'runtime/engine-server/node-engine-client.ts',
      ]),
    ],
  }),
  // `pull [-q] NAME` alone (bin/pull-fast.ts): a pull opens no engine, so none of it is bundled.
  build({
    ...loaded,
    entryPoints: { pull: 'bin/pull-fast.ts' },
    sourcemap: 'linked',
    plugins: [leaveOut(['runtime/engine/node-engine.ts', 'bin/commands/engine.ts'])],
  }),
  // The two boot scripts stay tiny: they only find and load the bundles above.
  build({
    ...cjs,
    entryPoints: { boot: 'shims/platform/node/code-cache.ts', worker: 'shims/platform/node/worker-boot.ts' },
  }),
]);
