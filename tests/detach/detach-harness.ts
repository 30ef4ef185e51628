// Helpers for the detached-container tests: the real CLI against a temporary BERTH_ROOT, with a
// short engine idle time, plus ways to look at (and end) the per-user engine it starts.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '../../runtime/content/node-file-lock.ts';
import { type CliResult, berth, newRoot, removeRoot, repo } from '../cli/cli-harness.ts';

export { newRoot };

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ only when a source is newer, under a lock: test files run in parallel, and a
 * rebuild under a running CLI would change its bundle under it. */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(repo, 'dist'), { recursive: true });
  await withLock(join(repo, 'dist', '.build.lock'), async () => {
    let built = 0;
    try {
      built = statSync(join(repo, 'dist', 'cli.cjs')).mtimeMs;
    } catch {}
    const newest = Math.max(
      ...['bin', 'runtime', 'shims', 'overlay'].map((d) => newestSource(join(repo, d))),
    );
    if (newest > built) execFileSync(process.execPath, [join(repo, 'scripts', 'build.js')], { cwd: repo });
  });
}

export const ENV = { BERTH_ENGINE_IDLE_MS: '2000' };

export function cli(root: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return berth(root, args, { env: { ...ENV, ...env } });
}

export interface EngineFile {
  pid: number;
  socket: string;
}

export function engineFile(root: string): EngineFile | undefined {
  try {
    return JSON.parse(readFileSync(join(root, 'engine', 'engine.json'), 'utf8')) as EngineFile;
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function inspect(root: string, ref: string): Promise<Record<string, any>> {
  const r = await cli(root, ['inspect', ref]);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as Record<string, any>[])[0]!;
}

/** Ends the root's engine (it was started by this test) and removes the root. */
export async function cleanup(root: string): Promise<void> {
  const info = engineFile(root);
  if (info && alive(info.pid)) {
    process.kill(info.pid, 'SIGKILL');
    await waitFor(() => !alive(info.pid) || undefined, 5000).catch(() => {});
  }
  removeRoot(root);
}
