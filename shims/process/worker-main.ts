// The inside of a process worker: receives `run`, builds the container's filesystem and stdio,
// instantiates the module with berth's WASI, runs it to the end and reports the exit. File
// syscalls are served right here, in the guest's own thread. The worker is reused for the next
// run after a clean exit, so nothing of one run may stay behind except compiled modules.

import { applyTar } from '../../overlay/apply.ts';
import { diffTar } from '../../overlay/diff.ts';
import { Layer } from '../../overlay/layer.ts';
import type { FileSystem } from '../../overlay/types.ts';
import { UnionFs } from '../../overlay/union-fs.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import type { ParentPort, Platform } from '../platform/types.ts';
import type { Fd } from '../wasi/fd.ts';
import type { GuestFs } from '../wasi/guest-fs.ts';
import { Wasi } from '../wasi/index.ts';
import { makeDirs } from '../wasi/make-dirs.ts';
import { GuestNet } from '../net/guest-net.ts';
import type { SabDoorbell } from './doorbell.ts';
import { RemoteGuestFs } from './fs-channel.ts';
import { GuestDoorbell } from './guest-doorbell.ts';
import { GuestUnwind, LeaderFs, controlGate } from './leader-fs.ts';
import { DiscardFd, EofFd, PipeReadFd, PipeWriteFd } from './pipe-fds.ts';
import { processImports } from './process-imports.ts';
import { PAUSE_CHECK_INTERVAL, PAUSE_IMPORT_MODULE, PAUSE_IMPORT_NAME } from './pause-points.ts';
import { SabPipe } from './sab-pipe.ts';
import {
  CONTROL_STATE,
  EXIT_CANNOT_EXECUTE,
  EXIT_ENGINE_ERROR,
  EXIT_TRAP,
  type ExitReport,
  type MountSpec,
  type RunRequest,
  STATE_RUNNING,
  type StdioSpec,
  type WorkerReport,
  type WorkerRequest,
} from './worker-protocol.ts';

const MODULE_CACHE_SIZE = 64;
/** A leader that left its guest because it was killed (128 + SIGKILL; the engine reports its own). */
const EXIT_KILLED = 137;

type ImportFn = (...args: number[]) => unknown;

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

async function mountFs(spec: MountSpec, platform: Platform): Promise<{ fs: FileSystem; union?: UnionFs }> {
  switch (spec.type) {
    case 'memory':
      return { fs: new UpperLayer() };
    case 'host': {
      if (!platform.hostDirectory) throw new Error('host directory mounts need Node');
      return { fs: platform.hostDirectory(spec.source, spec.readonly) };
    }
    case 'layers': {
      const upper = new UpperLayer();
      if (spec.upper) await applyTar(spec.upper, upper);
      const union = new UnionFs(
        spec.layers.map((t) => Layer.fromTransfer(t)),
        upper,
      );
      return { fs: union, union };
    }
  }
}

async function buildVfs(
  mounts: readonly MountSpec[],
  platform: Platform,
  captureUpper: boolean,
): Promise<{ vfs: Vfs; root?: UnionFs }> {
  const rootSpec = mounts.find((m) => m.target === '/');
  // An empty root is a plain UpperLayer, or a union of nothing when its diff is wanted back.
  const emptyRoot = (): { fs: FileSystem; union?: UnionFs } => {
    if (!captureUpper) return { fs: new UpperLayer() };
    const union = new UnionFs([], new UpperLayer());
    return { fs: union, union };
  };
  const root = rootSpec ? await mountFs(rootSpec, platform) : emptyRoot();
  const vfs = new Vfs(root.fs);
  const rest = mounts.filter((m) => m !== rootSpec).sort((a, b) => a.target.length - b.target.length);
  for (const m of rest) {
    makeDirs(vfs, m.target); // Docker creates missing mount points (/mnt/data with no /mnt)
    vfs.mount(m.target, (await mountFs(m, platform)).fs);
  }
  return { vfs, ...(root.union ? { root: root.union } : {}) };
}

function stdioFd(spec: StdioSpec, input: boolean, bell: SabDoorbell): Fd {
  if (spec.type === 'null') return input ? new EofFd() : new DiscardFd();
  const pipe = new SabPipe(spec.pipe);
  return input ? new PipeReadFd(pipe, bell) : new PipeWriteFd(pipe, bell);
}

/** Wraps every import so a paused process stops at its next syscall. */
function gated(
  imports: Record<string, unknown>,
  control: Int32Array,
  gate: () => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(imports)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    out[name] = gatedCall(value as ImportFn, control, gate);
  }
  return out;
}

/**
 * The pause check in front of one import. Wrappers of a fixed arity (the function's declared
 * parameter count) avoid a rest array and a spread on every syscall, the hot path.
 */
function gatedCall(fn: ImportFn, control: Int32Array, gate: () => void): ImportFn {
  const check = () => {
    if (Atomics.load(control, CONTROL_STATE) !== STATE_RUNNING) gate();
  };
  type N = number;
  switch (fn.length) {
    case 0:
      return () => {
        check();
        return fn();
      };
    case 1:
      return (a: N) => {
        check();
        return fn(a);
      };
    case 2:
      return (a: N, b: N) => {
        check();
        return fn(a, b);
      };
    case 3:
      return (a: N, b: N, c: N) => {
        check();
        return fn(a, b, c);
      };
    case 4:
      return (a: N, b: N, c: N, d: N) => {
        check();
        return fn(a, b, c, d);
      };
    case 5:
      return (a: N, b: N, c: N, d: N, e: N) => {
        check();
        return fn(a, b, c, d, e);
      };
    case 6:
      return (a: N, b: N, c: N, d: N, e: N, f: N) => {
        check();
        return fn(a, b, c, d, e, f);
      };
    case 7:
      return (a: N, b: N, c: N, d: N, e: N, f: N, g: N) => {
        check();
        return fn(a, b, c, d, e, f, g);
      };
    case 8:
      return (a: N, b: N, c: N, d: N, e: N, f: N, g: N, h: N) => {
        check();
        return fn(a, b, c, d, e, f, g, h);
      };
    case 9:
      return (a: N, b: N, c: N, d: N, e: N, f: N, g: N, h: N, i: N) => {
        check();
        return fn(a, b, c, d, e, f, g, h, i);
      };
    default:
      return (...args: N[]) => {
        check();
        return fn(...args);
      };
  }
}

function memoryImports(request: RunRequest, imports: Record<string, Record<string, unknown>>): void {
  for (const m of request.memories) {
    if (!m.import) continue;
    const memory = new WebAssembly.Memory({
      initial: m.initial,
      ...(m.maximum !== undefined ? { maximum: m.maximum } : {}),
      ...(m.shared ? { shared: true } : {}),
    } as WebAssembly.MemoryDescriptor);
    imports[m.import.module] ??= {};
    imports[m.import.module]![m.import.name] = memory;
  }
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
  const stdio = [
    stdioFd(request.stdio[0], true, bell),
    stdioFd(request.stdio[1], false, bell),
    stdioFd(request.stdio[2], false, bell),
  ] as [Fd, Fd, Fd];

  let instance: WebAssembly.Instance;
  let wasi: Wasi | undefined;
  let root: UnionFs | undefined;
  try {
    const module = lookupModule(request, modules);
    let vfs: GuestFs;
    if (request.fs) vfs = new RemoteGuestFs(request.fs);
    else {
      const built = await buildVfs(request.mounts, platform, request.captureUpper);
      vfs = built.vfs;
      root = built.root;
      leader?.start(vfs);
    }
    wasi = new Wasi({
      args: [...request.args],
      env: [...request.env],
      vfs,
      preopens: ['/'],
      cwd: request.cwd,
      stdio,
      clock: { realtimeNs: platform.realtimeNs, monotonicNs: platform.monotonicNs },
      randomFill: platform.randomFill,
      doorbell: bell,
      ...(request.net && platform.receiveMessageSync
        ? { net: new GuestNet(request.net, bell, platform.receiveMessageSync, platform.writeSocketSync) }
        : {}),
    });
    const imports: Record<string, Record<string, unknown>> = {};
    for (const [ns, fns] of Object.entries(wasi.imports as Record<string, Record<string, unknown>>)) {
      imports[ns] = gated(fns, control, gate);
    }
    if (request.processImports) {
      const fds = wasi.fds;
      imports.berth = gated(
        processImports({
          runId: id,
          memory: () => instance.exports.memory as WebAssembly.Memory,
          fds,
          vfs,
          cwd: request.cwd,
          bell,
          post,
          ...(leader ? { service: () => leader.check() } : {}),
        }),
        control,
        gate,
      );
    }
    memoryImports(request, imports);
    // Loop headers of an instrumented module call this (pause-points.ts): compute-bound pause.
    imports[PAUSE_IMPORT_MODULE] = {
      [PAUSE_IMPORT_NAME]: () => {
        if (Atomics.load(control, CONTROL_STATE) !== STATE_RUNNING) gate();
        return PAUSE_CHECK_INTERVAL;
      },
    };
    // Name an import berth lacks instead of V8's "Import #0 … is not an object or function".
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imports[imp.module]?.[imp.name] === undefined) {
        throw new TypeError(`the module imports ${imp.module}.${imp.name}, which berth does not provide`);
      }
    }
    instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
    // Missing exports are "cannot execute", not a trap: check them before running.
    wasi.bind(instance);
    if (typeof instance.exports._start !== 'function') throw new TypeError('the module exports no _start');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeMessage(stdio[2], `berth: cannot execute: ${message}\n`);
    leader?.end();
    if (wasi) wasi.fds.closeAll();
    else for (const fd of stdio) fd.close();
    return { type: 'exit', id, exitCode: EXIT_CANNOT_EXECUTE, error: message };
  }

  let exitCode: number;
  let trap: string | undefined;
  try {
    exitCode = wasi.start(instance);
  } catch (error) {
    if (error instanceof GuestUnwind) {
      exitCode = EXIT_KILLED;
    } else {
      trap = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      exitCode = EXIT_TRAP;
      writeMessage(stdio[2], `berth: wasm trap: ${trap}\n`);
    }
  }
  leader?.end();
  // Every fd the process still holds (stdio, pipes, dups) closes once, so pipe readers see EOF.
  wasi.fds.closeAll();
  const upper = request.captureUpper && root ? await diffTar(root) : undefined;
  return { type: 'exit', id, exitCode, ...(trap ? { trap } : {}), ...(upper ? { upper } : {}) };
}

function writeMessage(fd: Fd, text: string): void {
  fd.write(new TextEncoder().encode(text));
}
