// The "berth" import module (images/include/berth_proc.h): start child processes, wait for
// them, make pipes, duplicate fds. Runs in the guest's worker; starting a child is one message to
// the engine thread while the caller blocks on a reply cell (a syscall is synchronous).

import type { GuestFs } from '../wasi/guest-fs.ts';
import type { Fd } from '../wasi/fd.ts';
import type { FdTable } from '../wasi/fd-table.ts';
import type { SabDoorbell } from './doorbell.ts';
import { DiscardFd, EofFd, PipeReadFd, PipeWriteFd } from './pipe-fds.ts';
import { SabPipe } from './sab-pipe.ts';
import type { SpawnRequest, StdioSpec, WorkerReport } from './worker-protocol.ts';

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_CHILD = 12;
const ERRNO_FAULT = 21;
const ERRNO_INVAL = 28;
const ERRNO_NOENT = 44;
const ERRNO_NOEXEC = 45;
const ERRNO_SRCH = 71;
const WAIT_NOHANG = 1;

export interface ProcessImportsContext {
  readonly runId: number;
  readonly memory: () => WebAssembly.Memory;
  readonly fds: FdTable;
  readonly vfs: GuestFs;
  readonly cwd: string;
  readonly bell: SabDoorbell;
  readonly post: (report: WorkerReport) => void;
  /**
   * Answers the container's other processes while this one waits for the engine (a serving
   * leader): the engine thread may itself be blocked on this filesystem (exec's lookup).
   */
  readonly service?: () => void;
}

/** How long a serving leader sleeps between checks while it waits for a spawn reply (ms). */
const SPAWN_REPLY_SLICE_MS = 10;

const decoder = new TextDecoder();

function strings(bytes: Uint8Array, count: number): string[] {
  const parts = decoder.decode(bytes).split('\0');
  return parts.slice(0, count);
}

function readWhole(vfs: GuestFs, path: string): Uint8Array | number {
  const h = vfs.open(path, { read: true, follow: true });
  if (h instanceof Error) return h.code === 'ENOENT' || h.code === 'ENOTDIR' ? ERRNO_NOENT : ERRNO_NOEXEC;
  try {
    const size = h.stat().size;
    const bytes = new Uint8Array(size);
    const n = h.read(bytes, 0);
    if (typeof n !== 'number' || n < 8) return ERRNO_NOEXEC;
    const magic = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
    return magic ? bytes.subarray(0, n) : ERRNO_NOEXEC;
  } finally {
    h.close();
  }
}

/** Describes parent fd `n` as a child's stdio, taking one more reference on its pipe end. */
function childStdio(fds: FdTable, n: number, input: boolean): StdioSpec | number {
  if (n === -1) return { type: 'null' };
  const fd: Fd | undefined = fds.get(n);
  if (!fd) return ERRNO_BADF;
  if (input && fd instanceof PipeReadFd) {
    fd.sabPipe.addReader();
    return { type: 'pipe', pipe: fd.sabPipe.transfer() };
  }
  if (!input && fd instanceof PipeWriteFd) {
    fd.sabPipe.addWriter();
    return { type: 'pipe', pipe: fd.sabPipe.transfer() };
  }
  if ((input && fd instanceof EofFd) || (!input && fd instanceof DiscardFd)) return { type: 'null' };
  return ERRNO_BADF;
}

/** Gives back the pipe references childStdio took (the spawn failed). */
function releaseAll(specs: readonly StdioSpec[]): void {
  for (const [i, spec] of specs.entries()) {
    if (spec.type !== 'pipe') continue;
    const pipe = new SabPipe(spec.pipe);
    if (i === 0) pipe.closeReader();
    else pipe.closeWriter();
  }
}

export function processImports(ctx: ProcessImportsContext): Record<string, (...args: number[]) => number> {
  const children = new Map<number, Int32Array>();
  const reply = new Int32Array(new SharedArrayBuffer(8));

  const bytes = (ptr: number, len: number): Uint8Array | undefined => {
    const buf = ctx.memory().buffer;
    ptr >>>= 0;
    len >>>= 0;
    return ptr + len <= buf.byteLength ? new Uint8Array(buf, ptr, len) : undefined;
  };
  const putU32 = (ptr: number, value: number): boolean => {
    const view = new DataView(ctx.memory().buffer);
    ptr >>>= 0;
    if (ptr + 4 > view.byteLength) return false;
    view.setUint32(ptr, value >>> 0, true);
    return true;
  };

  return {
    fd_pipe(readOut, writeOut) {
      const pipe = new SabPipe();
      const r = ctx.fds.add(new PipeReadFd(pipe, ctx.bell));
      const w = ctx.fds.add(new PipeWriteFd(pipe, ctx.bell));
      return putU32(readOut, r) && putU32(writeOut, w) ? ERRNO_SUCCESS : ERRNO_FAULT;
    },

    fd_dup(fd, out) {
      const f = ctx.fds.get(fd);
      if (!f) return ERRNO_BADF;
      return putU32(out, ctx.fds.add(f)) ? ERRNO_SUCCESS : ERRNO_FAULT;
    },

    proc_spawn(
      pathPtr,
      pathLen,
      argvPtr,
      argvLen,
      argc,
      envPtr,
      envLen,
      envc,
      cwdPtr,
      cwdLen,
      fd0,
      fd1,
      fd2,
      pidOut,
    ) {
      const path = bytes(pathPtr, pathLen);
      const argv = bytes(argvPtr, argvLen);
      const env = bytes(envPtr, envLen);
      const cwdBytes = bytes(cwdPtr, cwdLen);
      if (!path || !argv || !env || !cwdBytes) return ERRNO_FAULT;
      const cwd = decoder.decode(cwdBytes) || ctx.cwd;
      let file = decoder.decode(path);
      if (!file) return ERRNO_INVAL;
      if (!file.startsWith('/')) file = `${cwd.replace(/\/+$/, '')}/${file}`;
      const module = readWhole(ctx.vfs, file);
      if (typeof module === 'number') return module;

      const stdio: StdioSpec[] = [];
      for (const [i, n] of [fd0, fd1, fd2].entries()) {
        const spec = childStdio(ctx.fds, n, i === 0);
        if (typeof spec === 'number') {
          releaseAll(stdio);
          return spec;
        }
        stdio.push(spec);
      }
      const status = new Int32Array(new SharedArrayBuffer(8));
      Atomics.store(reply, 0, 0);
      const request: SpawnRequest = {
        type: 'spawn',
        runId: ctx.runId,
        module,
        args: strings(argv, argc),
        env: strings(env, envc),
        cwd: cwd.startsWith('/') ? cwd : '/',
        stdio: stdio as unknown as SpawnRequest['stdio'],
        status: status.buffer as SharedArrayBuffer,
        reply: reply.buffer as SharedArrayBuffer,
      };
      ctx.post(request);
      if (ctx.service) {
        while (Atomics.load(reply, 0) === 0) {
          ctx.service();
          Atomics.wait(reply, 0, 0, SPAWN_REPLY_SLICE_MS);
        }
      } else while (Atomics.load(reply, 0) === 0) Atomics.wait(reply, 0, 0);
      const pid = Atomics.load(reply, 1);
      if (pid <= 0) {
        releaseAll(stdio);
        return -pid;
      }
      children.set(pid, status);
      return putU32(pidOut, pid) ? ERRNO_SUCCESS : ERRNO_FAULT;
    },

    proc_wait(pid, flags, pidOut, statusOut) {
      if (pid !== 0 && !children.has(pid)) return ERRNO_CHILD;
      if (children.size === 0) return ERRNO_CHILD;
      for (;;) {
        const seq = ctx.bell.seq();
        for (const [p, cell] of children) {
          if ((pid === 0 || p === pid) && Atomics.load(cell, 0) === 1) {
            children.delete(p);
            return putU32(pidOut, p) && putU32(statusOut, Atomics.load(cell, 1))
              ? ERRNO_SUCCESS
              : ERRNO_FAULT;
          }
        }
        if (flags & WAIT_NOHANG) return putU32(pidOut, 0) ? ERRNO_SUCCESS : ERRNO_FAULT;
        ctx.bell.wait(seq, Number.POSITIVE_INFINITY);
      }
    },

    proc_kill(pid, signal) {
      if (!children.has(pid)) return ERRNO_SRCH;
      ctx.post({ type: 'kill', runId: ctx.runId, pid, signal });
      return ERRNO_SUCCESS;
    },
  };
}

/** POSIX wait status: exit code c -> c << 8; killed by signal s -> s. */
export const waitStatus = (exitCode: number, signal?: number): number =>
  signal !== undefined ? signal & 0x7f : (exitCode & 0xff) << 8;
