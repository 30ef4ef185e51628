// node:fs as the module object itself, for berth's Node-only files. `import * as fs from
// 'node:fs'` (or a default import) makes esbuild's CommonJS bundles copy its ~100 exports into a
// new object for each importing module, at every start of the CLI.

import { builtin } from './builtin.ts';

export const fs = builtin('node:fs');
