// The one-way layering rule, checked on the real tree: overlay/ knows nothing of shims/ or
// runtime/, shims/ nothing of runtime/, and no Node builtin below web/ and bin/ outside the files
// meant for Node. The browser bundle test proves the same thing end to end; this one names the
// offending line.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFile, findImports, formatViolation, isNodeBuiltin, mayImportNode } from './import-scan.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourcesUnder(path));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const coreFiles = ['overlay', 'shims', 'runtime']
  .flatMap(sourcesUnder)
  .map((p) => relative(root, join(root, p)).split(sep).join('/'));

describe('layering of the real tree', () => {
  it('finds the core sources', () => {
    expect(coreFiles).toContain('overlay/types.ts');
    expect(coreFiles).toContain('shims/platform/types.ts');
  });

  it('no core file breaks the one-way rule', () => {
    const offenders = coreFiles.flatMap((f) => checkFile(f, readFileSync(join(root, f), 'utf8')));
    expect(offenders.map(formatViolation), 'layering offenders').toEqual([]);
  });
});

describe('the import scanner', () => {
  it('sees every import form and ignores comments', () => {
    const src = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from 'node:fs';",
      "export * from './star.ts';",
      "import 'side-effect';",
      "const m = await import('worker_threads');",
      "const r = require('path');",
      "// import { gone } from 'node:os';",
      "/* import { gone2 } from 'node:net'; */",
      'import {',
      '  multi,',
      "} from 'node:crypto';",
    ].join('\n');
    expect(findImports(src)).toEqual([
      { specifier: './a.ts', line: 1 },
      { specifier: '../b.ts', line: 2 },
      { specifier: 'node:fs', line: 3 },
      { specifier: './star.ts', line: 4 },
      { specifier: 'side-effect', line: 5 },
      { specifier: 'worker_threads', line: 6 },
      { specifier: 'path', line: 7 },
      { specifier: 'node:crypto', line: 10 },
    ]);
  });

  it('knows Node builtins with and without the prefix', () => {
    for (const s of ['node:fs', 'fs', 'fs/promises', 'path', 'worker_threads', 'node:test', 'crypto']) {
      expect(isNodeBuiltin(s), s).toBe(true);
    }
    for (const s of ['comlink', './fs.ts', 'tar-stream', '@types/node'])
      expect(isNodeBuiltin(s), s).toBe(false);
  });

  it('allows Node only in the Node platform and runtime files named for Node', () => {
    expect(mayImportNode('shims/platform/node/worker-entry.ts')).toBe(true);
    expect(mayImportNode('runtime/content/node-store.ts')).toBe(true);
    expect(mayImportNode('runtime/node/tcp.ts')).toBe(true);
    expect(mayImportNode('bin/cli.ts')).toBe(true);
    expect(mayImportNode('shims/platform/browser/platform.ts')).toBe(false);
    expect(mayImportNode('shims/platform/types.ts')).toBe(false);
    expect(mayImportNode('shims/wasi/node-ish.ts')).toBe(false);
    expect(mayImportNode('overlay/node-cache.ts')).toBe(false);
    expect(mayImportNode('runtime/containers/start.ts')).toBe(false);
  });

  it('reports each kind of offence with file and line', () => {
    expect(
      checkFile('overlay/vfs.ts', "import { x } from '../shims/wasi/fd.ts';").map(formatViolation),
    ).toEqual(["overlay/vfs.ts:1 imports '../shims/wasi/fd.ts' (overlay/ must not import from shims/)"]);
    expect(
      checkFile('shims/wasi/a.ts', "\nimport { r } from '../../runtime/index.ts';").map(formatViolation),
    ).toEqual(["shims/wasi/a.ts:2 imports '../../runtime/index.ts' (shims/ must not import from runtime/)"]);
    expect(
      checkFile('runtime/engine.ts', "import { readFile } from 'fs/promises';").map(formatViolation),
    ).toEqual(["runtime/engine.ts:1 imports 'fs/promises' (runtime/ must not import Node builtins)"]);
    expect(checkFile('runtime/engine.ts', "import { Vfs } from '../overlay/vfs.ts';")).toEqual([]);
    expect(checkFile('shims/wasi/a.ts', "import type { FileSystem } from '../../overlay/types.ts';")).toEqual(
      [],
    );
  });
});
