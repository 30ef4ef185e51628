// Runs a module through berth's public runWasm and collects its output as text.

import { type ProcessExit, runWasm, type SpawnOptions } from '../../runtime/index.ts';
import { guestBytes } from './compile-guest.ts';

export interface GuestRun extends ProcessExit {
  readonly stdout: string;
  readonly stderr: string;
}

export async function runModule(module: Uint8Array, options: SpawnOptions = {}): Promise<GuestRun> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const exit = await runWasm(module, {
    ...options,
    stdout: (c) => {
      out.push(c.slice());
    },
    stderr: (c) => {
      err.push(c.slice());
    },
  });
  return {
    ...exit,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** Runs images/tests/<name>.c with `args` (argv[0] is the name) and a tmpfs root unless given. */
export function runGuest(
  name: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<GuestRun> {
  const mounts = options.mounts ?? [];
  return runModule(guestBytes(name), {
    ...options,
    args: [name, ...args],
    mounts: mounts.some((m) => m.target === '/') ? mounts : [{ type: 'tmpfs', target: '/' }, ...mounts],
  });
}

/** The guest's lines as a map from "<op> <args>" to the result after ': '. */
export function results(stdout: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) map.set(line.slice(0, at), line.slice(at + 2));
  }
  return map;
}
