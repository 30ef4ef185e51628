// How the engine starts a container's main process: a seam over shims/process spawnWasm so the
// container verbs do not depend on worker details (and a runc backend can slot in later).

import type { Layer } from '../../overlay/layer.ts';
import type { Vfs } from '../../overlay/vfs.ts';
import type { ProcessNetwork } from '../../shims/net/net-protocol.ts';
import type { InputSource, Mount, Signal } from '../run-wasm.ts';

export interface BindMount {
  source: string;
  target: string;
  readonly: boolean;
}

export interface ProcessStdio {
  /** The guest's stdin; absent: EOF at once. */
  stdin?: InputSource;
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
}

export interface LaunchSpec extends ProcessStdio {
  module: Uint8Array;
  args: string[];
  env: string[];
  cwd: string;
  layers: Layer[];
  upper?: Uint8Array;
  binds: BindMount[];
  memoryLimit?: number;
  /** The container's place on berth's networks (sockets, LISTEN_FDS). */
  network?: ProcessNetwork;
  /** Serve the filesystem so `exec` can add processes that share it (engine-hosted). */
  shareFs?: boolean;
  /** No writable layer comes back at exit (`--rm`: the container is removed anyway). */
  discardUpper?: boolean;
  /** `-t`: the container's stdio is a terminal (isatty() says yes). */
  terminal?: boolean;
}

/** A process added to a running container (`exec`). */
export interface ExecLaunchSpec {
  module: Uint8Array;
  args: string[];
  env: string[];
  cwd: string;
  /** `exec -t`: the process's stdio is a terminal. */
  terminal?: boolean;
  stdin?: InputSource;
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
}

export interface ProcessExit {
  exitCode: number;
  upper?: Uint8Array;
  /** The process could not start (bad module, mount failure). */
  error?: string;
}

export interface LaunchedProcess {
  readonly exited: Promise<ProcessExit>;
  kill(signal?: Signal): void;
  /** Docker's stop: stdin EOF as the ask, then SIGKILL after the grace period. */
  stop(graceMs: number): Promise<unknown>;
  pause(): void;
  unpause(): void;
  /** Starts another process sharing this one's filesystem (launched with shareFs). */
  exec?(spec: ExecLaunchSpec): LaunchedProcess;
  /** The live filesystem for a few blocking lookups; close it after. */
  openFs?(): { fs: Pick<Vfs, 'stat' | 'open'>; close(): void } | undefined;
}

export type ProcessLauncher = (spec: LaunchSpec) => Promise<LaunchedProcess>;

/** The container's mounts: image layers (+ its writable layer) at /, then its bind mounts. */
export function launchMounts(spec: LaunchSpec): Mount[] {
  return [
    { type: 'layers', target: '/', layers: spec.layers, ...(spec.upper ? { upper: spec.upper } : {}) },
    ...spec.binds.map((b) => ({
      type: 'bind' as const,
      source: b.source,
      target: b.target,
      readonly: b.readonly,
    })),
  ];
}

/** A process that runs on the calling thread once run() is called (and returns when it ends). */
export interface InlineProcessHandle extends LaunchedProcess {
  run(): void;
}

/**
 * Runs a foreground container's process on the CLI's own thread, with no worker to boot: for
 * modules that need nothing an event loop serves (no sockets, no child processes, no stdin).
 */
export interface InlineLauncher {
  /** Whether this module can run inline (decided from its imports, before anything starts). */
  accepts(module: Uint8Array): boolean;
  /** `poll` is called every few ms while the guest runs: the host's control requests. */
  launch(spec: LaunchSpec, poll: () => void): Promise<InlineProcessHandle>;
}
