// Test support: builds the process worker bundle when it is missing or stale, compiles guest C
// programs from images/tests/ with clang (cached in the OS tmpdir by source hash), and gives each
// test file a process runtime of its own.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProcessRuntime, type ProcessRuntime } from '../../runtime/run-wasm.ts';
import { createNodePlatform } from '../../shims/platform/node/node-platform.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs scripts/build.js when dist/ is missing or older than the sources it bundles. */
export function ensureWorkerBundle(): void {
  const bundle = join(root, 'dist/worker-main.cjs');
  const sources = Math.max(...['shims', 'overlay', 'runtime', 'bin'].map((d) => newestSource(join(root, d))));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= sources) return;
  // Test files may run in parallel: one builds, the others wait for its lock to go.
  const lock = join(root, 'dist/.build-lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    const until = Date.now() + 120_000;
    while (existsSync(lock) && Date.now() < until) execFileSync('sleep', ['0.2']);
    return;
  }
  try {
    execFileSync(process.execPath, [join(root, 'scripts/build.js')], { cwd: root, stdio: 'inherit' });
  } finally {
    rmdirSync(lock);
  }
}

const cacheDir = join(tmpdir(), 'berth-process-tests');

/**
 * Compiles images/tests/<name>.c against images/include to wasm, cached by the hash of the source
 * and of the headers it uses (berth_proc.h by default; the net tests pass berth_socket.h).
 */
export function guest(name: string, headers: readonly string[] = ['berth_proc.h']): Uint8Array {
  const source = join(root, 'images/tests', `${name}.c`);
  const include = join(root, 'images/include');
  const text = Buffer.concat([readFileSync(source), ...headers.map((h) => readFileSync(join(include, h)))]);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const out = join(cacheDir, `${name}-${hash}.wasm`);
  if (!existsSync(out)) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync('clang', [
      '--target=wasm32-wasi',
      '-O2',
      '-Wl,--strip-all',
      `-I${include}`,
      source,
      '-o',
      tmp,
    ]);
    renameSync(tmp, out);
  }
  return new Uint8Array(readFileSync(out));
}

export function processRuntime(poolSize = 2): ProcessRuntime {
  ensureWorkerBundle();
  return createProcessRuntime(createNodePlatform(), { poolSize });
}

/** An OutputSink collecting text. */
export function collector(): { sink: (chunk: Uint8Array) => void; text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    sink: (chunk) => {
      chunks.push(chunk);
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
