// The inside of a process worker: receives `run`, builds the container's filesystem and stdio,
// instantiates the module with berth's WASI, runs it to the end and reports the exit. File
// syscalls are served right here, in the guest's own thread. The worker is reused for the next
// run after a clean exit, so nothing of one run may stay behind except compiled modules.

import { diffTar } from '../../overlay/diff.ts';
import type { UnionFs } from '../../overlay/union-fs.ts';
import type { ParentPort, Platform } from '../platform/types.ts';
import type { Fd } from '../wasi/fd.ts';
import type { GuestFs } from '../wasi/guest-fs.ts';
import type { Wasi } from '../wasi/index.ts';
import { GuestNet } from '../net/guest-net.ts';
import type { SabDoorbell } from './doorbell.ts';
import { RemoteGuestFs } from './fs-channel.ts';
import { GuestDoorbell } from './guest-doorbell.ts';
import { buildVfs, instantiateGuest, runGuest, writeMessage } from './guest-setup.ts';
import { LeaderFs, controlGate } from './leader-fs.ts';
import { DiscardFd, EofFd, PipeReadFd, PipeWriteFd, asTerminal } from './pipe-fds.ts';
import { processImports } from './process-imports.ts';
import { SabPipe } from './sab-pipe.ts';
import {
  EXIT_CANNOT_EXECUTE,
  EXIT_ENGINE_ERROR,
  type ExitReport,
  type RunRequest,
  type StdioSpec,
  type WorkerReport,
  type WorkerRequest,
} from './worker-protocol.ts';

const MODULE_CACHE_SIZE = 64;

export function startProcessWorker(port: ParentPort, platform: Platform): void {
  const modules = new Map<string, WebAssembly.Module>();
  /** The run in progress when it serves its filesystem to other processes (one run at a time). */
  let leader: LeaderFs | undefined;
  const post = (report: WorkerReport): void => port.postMessage(report);
  const handle = (message: unknown): void => {
    const request = message as WorkerRequest;
    switch (request.type) {
      case 'run': {
        const drain = (): void => {
          for (let m = port.receiveSync?.(); m; m = port.receiveSync?.()) handle(m.message);
        };
        const own = request.serveFs
          ? new LeaderFs(request.id, new Int32Array(request.control), drain)
          : undefined;
        leader = own;
        run(request, modules, platform, post, own)
          .finally(() => {
            if (leader === own) leader = undefined;
          })
          .then(
            (report) => port.postMessage(report, report.upper ? [report.upper.buffer as ArrayBuffer] : []),
            (error: unknown) =>
              post({ type: 'exit', id: request.id, exitCode: EXIT_ENGINE_ERROR, error: String(error) }),
          );
        return;
      }
      case 'fs-attach':
      case 'fs-detach':
        // Late messages of an ended run find no leader (or another run id) and are dropped.
        leader?.onMessage(request);
        return;
    }
  };
  port.onMessage(handle);
  post({ type: 'ready' });
}

function lookupModule(request: RunRequest, modules: Map<string, WebAssembly.Module>): WebAssembly.Module {
  let module = modules.get(request.key);
  if (request.module) module = request.module;
  if (!module) throw new Error(`module ${request.key} was never sent to this worker`);
  modules.delete(request.key);
  modules.set(request.key, module);
  if (modules.size > MODULE_CACHE_SIZE) modules.delete(modules.keys().next().value!);
  return module;
}

function stdioFd(spec: StdioSpec, input: boolean, bell: SabDoorbell): Fd {
  if (spec.type === 'null') return input ? new EofFd() : new DiscardFd();
  const pipe = new SabPipe(spec.pipe);
  return input ? new PipeReadFd(pipe, bell) : new PipeWriteFd(pipe, bell);
}

async function run(
  request: RunRequest,
  modules: Map<string, WebAssembly.Module>,
  platform: Platform,
  post: (report: WorkerReport) => void,
  leader: LeaderFs | undefined,
): Promise<ExitReport> {
  const { id } = request;
  const bell = new GuestDoorbell(request.bell, leader, platform.collectGarbage);
  const control = new Int32Array(request.control);
  const gate = controlGate(control, leader);
  const tty = request.terminal === true ? asTerminal : <T>(fd: T) => fd;
  const out = tty(stdioFd(request.stdio[1], false, bell));
  let err = stdioFd(request.stdio[2], false, bell);
  if (request.terminal) {
    // A terminal is one stream, as on a pty: fd 2 writes where fd 1 does, so a shell's prompt
    // (stderr) and a command's output (stdout) reach the screen in the order they were written.
    err.close();
    err = out;
  }
  const stdio = [tty(stdioFd(request.stdio[0], true, bell)), out, err] as [Fd, Fd, Fd];

  let module: WebAssembly.Module;
  let vfs: GuestFs;
  let root: UnionFs | undefined;
  try {
    module = lookupModule(request, modules);
    if (request.fs) vfs = new RemoteGuestFs(request.fs);
    else {
      const built = await buildVfs(request.mounts, platform, request.captureUpper);
      vfs = built.vfs;
      root = built.root;
      leader?.start(vfs);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeMessage(stdio[2], `berth: cannot execute: ${message}\n`);
    leader?.end();
    for (const fd of new Set(stdio)) fd.close();
    return { type: 'exit', id, exitCode: EXIT_CANNOT_EXECUTE, error: message };
  }
  const started = instantiateGuest({
    module,
    memories: request.memories,
    args: request.args,
    env: request.env,
    cwd: request.cwd,
    vfs,
    stdio,
    clock: { realtimeNs: platform.realtimeNs, monotonicNs: platform.monotonicNs },
    randomFill: platform.randomFill,
    doorbell: bell,
    control,
    gate,
    ...(request.net && platform.receiveMessageSync
      ? { net: new GuestNet(request.net, bell, platform.receiveMessageSync, platform.writeSocketSync) }
      : {}),
    ...(request.processImports
      ? {
          extraImports: (wasi: Wasi, instance: () => WebAssembly.Instance) => ({
            berth: processImports({
              runId: id,
              memory: () => instance().exports.memory as WebAssembly.Memory,
              fds: wasi.fds,
              vfs,
              cwd: request.cwd,
              bell,
              post,
              ...(leader ? { service: () => leader.check() } : {}),
            }),
          }),
        }
      : {}),
  });
  if (started.error !== undefined) {
    leader?.end();
    return { type: 'exit', id, exitCode: started.exitCode, error: started.error };
  }
  const { wasi, instance } = started;
  const { exitCode, trap } = runGuest(wasi, instance, stdio[2]);
  leader?.end();
  // Every fd the process still holds (stdio, pipes, dups) closes once, so pipe readers see EOF.
  wasi.fds.closeAll();
  const upper = request.captureUpper && root ? await diffTar(root) : undefined;
  return { type: 'exit', id, exitCode, ...(trap ? { trap } : {}), ...(upper ? { upper } : {}) };
}
