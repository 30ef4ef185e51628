// Helpers for the detached-container tests: the real CLI against a temporary BERTH_ROOT, with a
// short engine idle time, plus ways to look at (and end) the per-user engine it starts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, berth, newRoot, removeRoot } from '../cli/cli-harness.ts';
import { ensureWorkerBundle } from '../process/guest.ts';

export { newRoot };

/** Builds dist/ when a source is newer than it (the process tests' one rebuilder). */
export async function ensureBuilt(): Promise<void> {
  ensureWorkerBundle();
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
