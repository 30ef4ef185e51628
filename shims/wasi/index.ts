// berth's wasi_snapshot_preview1: every function, over the overlay Vfs and the process's Fds.

import type { FileHandle } from '../../overlay/types.ts';
import { type StringBlock, type WasiClock, type WasiContext, stringBlock } from './context.ts';
import { RIGHTS_DIRECTORY_BASE, RIGHTS_DIRECTORY_INHERITING } from './defs.ts';
import { DirFd } from './dir-fd.ts';
import type { Doorbell, Fd } from './fd.ts';
import { FdTable } from './fd-table.ts';
import type { GuestFs } from './guest-fs.ts';
import { makeDirs } from './make-dirs.ts';
import { GuestMemory } from './memory.ts';
import { argsEnvSyscalls } from './syscalls/args-env.ts';
import { clockSyscalls } from './syscalls/clock.ts';
import { fdSyscalls } from './syscalls/fd.ts';
import { pathSyscalls } from './syscalls/path.ts';
import { pollSyscalls } from './syscalls/poll.ts';
import { ProcExit, procSyscalls } from './syscalls/proc.ts';
import { randomSyscalls } from './syscalls/random.ts';
import { sockSyscalls } from './syscalls/sock.ts';
import { wasixSockSyscalls } from './syscalls/sock-wasix.ts';
import type { GuestNet } from '../net/guest-net.ts';
import { SocketFd } from '../net/socket-fd.ts';

export { DirFd } from './dir-fd.ts';
export type { Doorbell, FdStat, Readiness, Result } from './fd.ts';
export { Fd, Filetype } from './fd.ts';
export { FdTable } from './fd-table.ts';
export { FileFd } from './file-fd.ts';
export type { GuestFs } from './guest-fs.ts';
export { ProcExit } from './syscalls/proc.ts';

export interface WasiOptions {
  args: string[];
  /** 'K=V' strings, passed exactly as given. */
  env: string[];
  vfs: GuestFs;
  /** Guest directories preopened as fds 3, 4, … (usually ['/']). */
  preopens: string[];
  /**
   * The working directory. preview1 has no cwd, wasi-libc starts every program in '/' and keeps
   * its cwd inside the guest (a preopen named '.' would capture absolute paths too), so it reaches
   * the guest as PWD (set by the engine) for guests that chdir($PWD). Here it is only created when
   * missing, as Docker creates a WORKDIR.
   */
  cwd?: string;
  stdio: [Fd, Fd, Fd];
  clock: WasiClock;
  randomFill(buf: Uint8Array): void;
  /** Rung by whatever changes an fd's readiness; poll_oneoff and blocking reads wait on it. */
  doorbell: Doorbell;
  /**
   * The process's network (shims/net): WASIX sockets (`wasix_32v1`) and the pre-opened
   * listeners, placed right after the preopens (LISTEN_FDS). Without it sock_open is ENOTSUP.
   */
  net?: GuestNet;
}

/** A preopen that cannot be opened (missing, not a directory). */
export class WasiPreopenError extends Error {
  readonly code = 'BERTH_WASI_PREOPEN' as const;
  constructor(path: string, options?: { cause?: unknown }) {
    super(`cannot preopen '${path}'`, options);
    this.name = 'WasiPreopenError';
  }
}

const encoder = new TextEncoder();

export class Wasi {
  readonly imports: {
    wasi_snapshot_preview1: Record<string, Function>;
    wasix_32v1: Record<string, Function>;
  };
  readonly fds = new FdTable();
  private readonly mem = new GuestMemory();

  constructor(options: WasiOptions) {
    const { vfs } = options;
    if (options.cwd && options.cwd !== '/') makeDirs(vfs, options.cwd);
    for (let n = 0; n < 3; n++) this.fds.set(n, options.stdio[n]!);
    for (const path of options.preopens) {
      const handle = vfs.open(path, { read: true, directory: true, follow: true });
      if (handle instanceof Error) throw new WasiPreopenError(path, { cause: handle });
      const real = vfs.realpath(path);
      if (typeof real !== 'string') throw new WasiPreopenError(path, { cause: real });
      this.fds.add(preopenFd(vfs, real, handle, path));
    }
    const net = options.net;
    for (const l of net?.spec.listeners ?? []) this.fds.add(SocketFd.listening(net!, l.id, l.local));
    const args: StringBlock = stringBlock(options.args);
    const ctx: WasiContext = {
      mem: this.mem,
      fds: this.fds,
      vfs,
      clock: options.clock,
      randomFill: options.randomFill,
      doorbell: options.doorbell,
      args,
      env: stringBlock(options.env),
      startNs: options.clock.monotonicNs(),
    };
    this.imports = {
      wasi_snapshot_preview1: {
        ...argsEnvSyscalls(ctx),
        ...clockSyscalls(ctx),
        ...fdSyscalls(ctx),
        ...pathSyscalls(ctx),
        ...pollSyscalls(ctx),
        ...procSyscalls(),
        ...randomSyscalls(ctx),
        ...sockSyscalls(ctx),
      },
      wasix_32v1: wasixSockSyscalls(ctx, net),
    };
  }

  /** Points the syscalls at the instance's exported memory (start() does it for you). */
  bind(instance: WebAssembly.Instance): void {
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('the module exports no memory');
    this.mem.attach(memory);
  }

  /** Runs _start; returns proc_exit's code, or 0 when _start returns. A trap rethrows. */
  start(instance: WebAssembly.Instance): number {
    this.bind(instance);
    const start = instance.exports._start;
    if (typeof start !== 'function') throw new TypeError('the module exports no _start');
    try {
      (start as () => void)();
      return 0;
    } catch (e) {
      if (e instanceof ProcExit) return e.code;
      throw e;
    }
  }
}

const preopenFd = (vfs: GuestFs, path: string, handle: FileHandle, name: string): DirFd =>
  new DirFd(vfs, path, handle, 0, RIGHTS_DIRECTORY_BASE, RIGHTS_DIRECTORY_INHERITING, encoder.encode(name));
