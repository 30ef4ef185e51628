// Where the per-user engine keeps its files: <root>/engine/{engine.sock, engine.json, start.lock,
// engine.log, heartbeat}. A unix socket path is limited to ~107 bytes, so a long BERTH_ROOT puts
// the socket under $XDG_RUNTIME_DIR (or the temp dir) in a name derived from the root instead.

import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EnginePaths {
  readonly dir: string;
  readonly socket: string;
  readonly info: string;
  readonly lock: string;
  readonly log: string;
  readonly heartbeat: string;
}

const MAX_SOCKET_PATH = 100;

export function enginePaths(root: string): EnginePaths {
  const dir = join(root, 'engine');
  let socket = join(dir, 'engine.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    const tag = createHash('sha256').update(root).digest('hex').slice(0, 16);
    const base = process.env.XDG_RUNTIME_DIR || tmpdir();
    socket = join(base, `berth-${process.getuid?.() ?? 0}-${tag}.sock`);
  }
  return {
    dir,
    socket,
    info: join(dir, 'engine.json'),
    lock: join(dir, 'start.lock'),
    log: join(dir, 'engine.log'),
    heartbeat: join(dir, 'heartbeat'),
  };
}

/** How often the engine touches its heartbeat file, and when a silent engine counts as hung. */
export const HEARTBEAT_MS = 1000;
export const HEARTBEAT_STALE_MS = 15_000;
