// Compiles the proof guests (images/tests/proof-*.c) with Debian clang + wasi-libc, caching the
// .wasm in the OS temp dir by a hash of source and flags, so repeated runs cost nothing.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const flags = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,--strip-all'];

/** The path of images/tests/<name>.c built to wasm (cached). */
export function guestPath(name: string): string {
  const source = join(repoRoot, 'images/tests', `${name}.c`);
  const text = readFileSync(source);
  const key = createHash('sha256')
    .update(flags.join(' '))
    .update('\0')
    .update(text)
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'berth-proof-guests');
  const out = join(dir, `${name}-${key}.wasm`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  const r = spawnSync('clang', [...flags, source, '-o', partial], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run clang to build ${name}.c: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`clang failed on ${name}.c:\n${r.stderr}`);
  renameSync(partial, out);
  return out;
}

/** The guest's bytes (compiled on first use). */
export function guestBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(guestPath(name)));
}

/** Writes bytes to a fresh file in the temp dir (for fixtures a subprocess must read). */
export function tempFile(name: string, data: Uint8Array | string): string {
  const dir = join(tmpdir(), 'berth-proof-fixtures');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${process.pid}-${name}`);
  writeFileSync(path, data);
  return path;
}
