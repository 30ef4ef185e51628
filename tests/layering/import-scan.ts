// Finds the module specifiers a TypeScript source imports, and judges them against berth's
// one-way layering rule (ARCHITECTURE.md): overlay/ < shims/ < runtime/, and no Node builtin
// below web/ and bin/ except in the files that exist to hold Node-only code.

import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

export interface ImportRef {
  specifier: string;
  line: number;
}

// Static `import … from 'x'`, `export … from 'x'`, side-effect `import 'x'`, dynamic `import('x')`,
// `require('x')`. Comments are blanked first so a commented-out import does not count.
const patterns = [
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function blankComments(source: string): string {
  // Keeps offsets (and so line numbers) intact; string literals containing '//' are rare enough in
  // import lines that a simple scanner suffices.
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`])\/\/[^\n]*/g, (m, pre: string) => pre + ' '.repeat(m.length - pre.length));
}

export function findImports(source: string): ImportRef[] {
  const text = blankComments(source);
  const found: ImportRef[] = [];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) {
      const line = text.slice(0, m.index).split('\n').length;
      found.push({ specifier: m[1]!, line });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** True for `node:x` and for bare names of Node builtins (`fs`, `fs/promises`, `worker_threads`). */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return builtins.has(specifier) || builtins.has(specifier.split('/')[0]!);
}

export type Area = 'overlay' | 'shims' | 'runtime' | 'other';

export function areaOf(repoPath: string): Area {
  const top = repoPath.split('/')[0];
  return top === 'overlay' || top === 'shims' || top === 'runtime' ? top : 'other';
}

/**
 * Where Node builtins are allowed inside the core: the Node platform (shims/platform/, a file or
 * folder whose name contains 'node') and runtime/ files or folders whose name contains 'node'.
 * Everything else must bundle for the browser.
 */
export function mayImportNode(repoPath: string): boolean {
  const parts = repoPath.split('/');
  const area = areaOf(repoPath);
  if (area === 'other') return true;
  const hasNodePart = parts.slice(1).some((p) => p.includes('node'));
  if (area === 'runtime') return hasNodePart;
  if (area === 'shims') return parts[1] === 'platform' && hasNodePart;
  return false;
}

const forbiddenTargets: Record<Area, Area[]> = {
  overlay: ['shims', 'runtime'],
  shims: ['runtime'],
  runtime: [],
  other: [],
};

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

/** Judges one file's imports. `repoPath` is relative to the repository root, with '/'. */
export function checkFile(repoPath: string, source: string): Violation[] {
  const out: Violation[] = [];
  const area = areaOf(repoPath);
  for (const { specifier, line } of findImports(source)) {
    if (isNodeBuiltin(specifier) && !mayImportNode(repoPath)) {
      out.push({ file: repoPath, line, specifier, reason: `${area}/ must not import Node builtins` });
      continue;
    }
    if (specifier.startsWith('.')) {
      const target = relative('.', join(dirname(repoPath), specifier))
        .split(sep)
        .join('/');
      const targetArea = areaOf(target);
      if (forbiddenTargets[area].includes(targetArea)) {
        out.push({ file: repoPath, line, specifier, reason: `${area}/ must not import from ${targetArea}/` });
      }
    }
  }
  return out;
}

export const formatViolation = (v: Violation): string =>
  `${v.file}:${v.line} imports '${v.specifier}' (${v.reason})`;
