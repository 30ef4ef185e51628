// What every command handler shares: the engine (opened once, on first use), output helpers and
// the one place errors become `berth: …` lines with Docker's exit codes.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../runtime/engine.ts';

export type Opts = Record<string, unknown>;

let opened: Promise<Engine> | undefined;

/** bin/berth.cjs, for the engine process: found walking up from this module, which may sit in
 * dist/ or dist/chunks/ (bundled) or bin/commands/ (sources). */
export function launcherPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'bin', 'berth.cjs');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'berth.cjs');
}

export function engine(): Promise<Engine> {
  opened ??= (async () => {
    const { openNodeEngine } = await import('../../runtime/engine/node-engine.ts');
    return openNodeEngine({
      launcher: launcherPath(),
      inline: true,
      pullImage: async (ref, o) => (await import('./registry.ts')).pullForRun(ref, o),
    });
  })();
  return opened;
}

export const out = (s: string): void => {
  process.stdout.write(s);
};
export const err = (s: string): void => {
  process.stderr.write(s);
};

/** Prints an error as one line and returns the exit code. Stack traces only with BERTH_DEBUG. */
export function reportError(e: unknown): number {
  const error = e as { message?: string; exitCode?: number; code?: string; stack?: string };
  const message = error?.message ?? String(e);
  err(`berth: ${message.split('\n').join('\nberth: ')}\n`);
  if (process.env.BERTH_DEBUG && error?.stack) err(`${error.stack}\n`);
  return typeof error?.exitCode === 'number' ? error.exitCode : 125;
}

/** Runs `fn` for each argument like Docker's multi-target verbs: print successes, report failures. */
export async function eachTarget(
  targets: string[],
  fn: (target: string) => Promise<string | undefined>,
): Promise<number> {
  let code = 0;
  for (const t of targets) {
    try {
      const line = await fn(t);
      if (line !== undefined) out(`${line}\n`);
    } catch (e) {
      const c = reportError(e);
      code = c;
    }
  }
  return code;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
