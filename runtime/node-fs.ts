// node:fs as the module object itself, for Node-only files of runtime/. `import * as fs from
// 'node:fs'` makes esbuild's CommonJS bundles copy its ~100 exports into a new namespace object
// for each importing module, at every start of the CLI.

export const fs = (
  process as unknown as { getBuiltinModule(id: 'node:fs'): typeof import('node:fs') }
).getBuiltinModule('node:fs');
