// Bundles bench/lib/internals-entry.ts with esbuild (already a devDependency) so plain-JS
// benchmarks can use overlay classes without a TypeScript loader.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
let loaded;

export function internals() {
  loaded ??= (async () => {
    const outfile = here('../.out/internals.js');
    await build({
      entryPoints: [here('./internals-entry.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    return import(pathToFileURL(outfile).href);
  })();
  return loaded;
}
