// Messages between the engine thread and a process worker. A run costs two messages: `run` in,
// `exit` out. Everything that happens while the guest runs (stdio, pause, wake-ups) goes through
// SharedArrayBuffers, never through messages.

import type { LayerTransfer } from '../../overlay/layer.ts';
import type { NetSpec } from '../net/net-protocol.ts';
import type { DoorbellTransfer } from './doorbell.ts';
import type { FsChannelTransfer } from './fs-channel.ts';
import type { MemoryDecl } from './memory-limit.ts';
import type { PipeTransfer } from './sab-pipe.ts';

/** A filesystem to mount, described so it can cross to a worker. */
export type MountSpec =
  | { readonly type: 'host'; readonly source: string; readonly target: string; readonly readonly: boolean }
  | {
      readonly type: 'layers';
      readonly target: string;
      readonly layers: readonly LayerTransfer[];
      /** A diff tar (the container's previous upper layer) to restore first. */
      readonly upper?: Uint8Array;
    }
  | { readonly type: 'memory'; readonly target: string };

export type StdioSpec = { readonly type: 'pipe'; readonly pipe: PipeTransfer } | { readonly type: 'null' };

/**
 * Cells of the process control block (`RunRequest.control`, an Int32Array). CONTROL_STATE is a
 * bit set the guest's thread checks with one load at every import and pause point: 0 is the fast
 * path; any bit sends it to the gate (worker-main.ts).
 */
export const CONTROL_STATE = 1;
export const STATE_RUNNING = 0;
export const STATE_PAUSED = 1;
/** A member process posted a filesystem request, or a channel was attached (serving leader). */
export const FLAG_SERVE = 2;
/** Killed: leave the guest at its next check so the writable layer can still be handed back. */
export const FLAG_UNWIND = 4;
/** Always set for a guest on the CLI's own thread: its gate polls for control requests. */
export const FLAG_POLL = 8;
/** Whether the leader serves its filesystem to channels: SERVER_NONE, SERVING or GONE. */
export const CONTROL_SERVER = 0;
export const SERVER_NONE = 0;
export const SERVER_SERVING = 1;
export const SERVER_GONE = 2;

export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly key: string;
  /** Omitted when the worker already holds `key`. */
  readonly module?: WebAssembly.Module;
  readonly memories: readonly MemoryDecl[];
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly mounts: readonly MountSpec[];
  readonly stdio: readonly [StdioSpec, StdioSpec, StdioSpec];
  /** The stdio is the container's terminal (`-t`): isatty() says yes. */
  readonly terminal?: boolean;
  /** The container's doorbell (shared by all its processes and the engine's stdio pumps). */
  readonly bell: DoorbellTransfer;
  /** This process's control block (pause state). */
  readonly control: SharedArrayBuffer;
  readonly captureUpper: boolean;
  /** Set for a member of a multi-process container: the filesystem is its leader's, over this. */
  readonly fs?: FsChannelTransfer;
  /**
   * The leader of a container whose filesystem other processes may share (exec, proc_spawn): it
   * keeps its Vfs in its own worker and serves it to channels attached later (`fs-attach`).
   */
  readonly serveFs?: boolean;
  /** The module imports "berth" process functions (berth_proc.h). */
  readonly processImports: boolean;
  /** The container's network (shims/net); its MessagePort is in the transfer list. */
  readonly net?: NetSpec;
}

/** Worker -> engine: a guest called berth.proc_spawn; the caller blocks on `reply`. */
export interface SpawnRequest {
  readonly type: 'spawn';
  readonly runId: number;
  readonly module: Uint8Array;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly stdio: readonly [StdioSpec, StdioSpec, StdioSpec];
  /** Int32 [done, wait status], written by the engine when the child exits. */
  readonly status: SharedArrayBuffer;
  /** Int32 [state, pid or -errno]. */
  readonly reply: SharedArrayBuffer;
}

export interface KillRequest {
  readonly type: 'kill';
  readonly runId: number;
  readonly pid: number;
  readonly signal: number;
}

/**
 * Engine -> serving leader (run `runId`): one more process shares the filesystem over `channel`.
 * Taken by the leader's event loop before the guest starts, else synchronously at its next check.
 */
export interface AttachFsRequest {
  readonly type: 'fs-attach';
  readonly runId: number;
  readonly channel: FsChannelTransfer;
}
/** Engine -> serving leader: the process on channel `id` ended. */
export interface DetachFsRequest {
  readonly type: 'fs-detach';
  readonly runId: number;
  readonly id: number;
}

export interface ExitReport {
  readonly type: 'exit';
  readonly id: number;
  readonly exitCode: number;
  /** Set when the guest trapped: the engine's message (e.g. 'unreachable'). */
  readonly trap?: string;
  /** Set when the process could not start (bad module, missing import, mount failure). */
  readonly error?: string;
  readonly upper?: Uint8Array;
}

export type WorkerRequest = RunRequest | AttachFsRequest | DetachFsRequest;
export type WorkerReport = ExitReport | SpawnRequest | KillRequest | { readonly type: 'ready' };

/** Docker's exit codes for failures before or outside the guest's own exit. */
export const EXIT_ENGINE_ERROR = 125;
export const EXIT_CANNOT_EXECUTE = 126;
/** A trap ends the process like an abort (128 + SIGABRT), as wasmtime reports it. */
export const EXIT_TRAP = 134;
