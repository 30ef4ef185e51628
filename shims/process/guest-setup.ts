// What a guest's thread does to start a process, wherever that thread is: a pooled worker
// (worker-main.ts) or, for a foreground container that needs nothing but its files and stdio,
// the CLI's own main thread (inline-process.ts). Builds the filesystem from mount specs,
// instantiates the module with berth's WASI behind the pause gate, and runs it to its exit.

import { applyTar } from '../../overlay/apply.ts';
import { Layer } from '../../overlay/layer.ts';
import type { FileSystem } from '../../overlay/types.ts';
import { UnionFs } from '../../overlay/union-fs.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import type { GuestNet } from '../net/guest-net.ts';
import type { Platform } from '../platform/types.ts';
import type { WasiClock } from '../wasi/context.ts';
import type { Doorbell, Fd } from '../wasi/fd.ts';
import type { GuestFs } from '../wasi/guest-fs.ts';
import { Wasi } from '../wasi/index.ts';
import { makeDirs } from '../wasi/make-dirs.ts';
import { GuestUnwind } from './leader-fs.ts';
import type { MemoryDecl } from './memory-limit.ts';
import { PAUSE_CHECK_INTERVAL, PAUSE_IMPORT_MODULE, PAUSE_IMPORT_NAME } from './pause-points.ts';
import {
  CONTROL_STATE,
  EXIT_CANNOT_EXECUTE,
  EXIT_TRAP,
  type MountSpec,
  STATE_RUNNING,
} from './worker-protocol.ts';

/** A leader that left its guest because it was killed (128 + SIGKILL; the engine reports its own). */
export const EXIT_KILLED = 137;

type ImportFn = (...args: number[]) => unknown;

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

export async function buildVfs(
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

/** Wraps every import so a paused process stops at its next syscall. */
export function gated(
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

function memoryImports(
  memories: readonly MemoryDecl[],
  imports: Record<string, Record<string, unknown>>,
): void {
  for (const m of memories) {
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

export interface GuestInit {
  readonly module: WebAssembly.Module;
  readonly memories: readonly MemoryDecl[];
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly vfs: GuestFs;
  readonly stdio: [Fd, Fd, Fd];
  readonly clock: WasiClock;
  randomFill(buf: Uint8Array): void;
  readonly doorbell: Doorbell;
  /** The process control block: any non-zero CONTROL_STATE sends the guest to `gate`. */
  readonly control: Int32Array;
  readonly gate: () => void;
  readonly net?: GuestNet;
  /** More import namespaces (berth's process calls), given the instance once it exists. */
  extraImports?(wasi: Wasi, instance: () => WebAssembly.Instance): Record<string, Record<string, unknown>>;
}

export type GuestStart =
  | { readonly wasi: Wasi; readonly instance: WebAssembly.Instance; readonly error?: undefined }
  | { readonly error: string; readonly exitCode: number };

/**
 * Instantiates the guest behind the gate. A module that cannot start ("cannot execute": a
 * missing import or export, a bad memory) gets its message on stderr and its fds closed.
 */
export function instantiateGuest(init: GuestInit): GuestStart {
  const { control, gate, stdio } = init;
  let instance: WebAssembly.Instance | undefined;
  let wasi: Wasi | undefined;
  try {
    wasi = new Wasi({
      args: [...init.args],
      env: [...init.env],
      vfs: init.vfs,
      preopens: ['/'],
      cwd: init.cwd,
      stdio,
      clock: init.clock,
      randomFill: init.randomFill,
      doorbell: init.doorbell,
      ...(init.net ? { net: init.net } : {}),
    });
    const imports: Record<string, Record<string, unknown>> = {};
    for (const [ns, fns] of Object.entries(wasi.imports as Record<string, Record<string, unknown>>)) {
      imports[ns] = gated(fns, control, gate);
    }
    const extra = init.extraImports?.(wasi, () => instance!);
    for (const [ns, fns] of Object.entries(extra ?? {})) imports[ns] = gated(fns, control, gate);
    memoryImports(init.memories, imports);
    // Loop headers of an instrumented module call this (pause-points.ts): compute-bound pause.
    imports[PAUSE_IMPORT_MODULE] = {
      [PAUSE_IMPORT_NAME]: () => {
        if (Atomics.load(control, CONTROL_STATE) !== STATE_RUNNING) gate();
        return PAUSE_CHECK_INTERVAL;
      },
    };
    // Name an import berth lacks instead of V8's "Import #0 … is not an object or function".
    for (const imp of WebAssembly.Module.imports(init.module)) {
      if (imports[imp.module]?.[imp.name] === undefined) {
        throw new TypeError(`the module imports ${imp.module}.${imp.name}, which berth does not provide`);
      }
    }
    instance = new WebAssembly.Instance(init.module, imports as WebAssembly.Imports);
    // Missing exports are "cannot execute", not a trap: check them before running.
    wasi.bind(instance);
    if (typeof instance.exports._start !== 'function') throw new TypeError('the module exports no _start');
    return { wasi, instance };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeMessage(stdio[2], `berth: cannot execute: ${message}\n`);
    if (wasi) wasi.fds.closeAll();
    else for (const fd of new Set(stdio)) fd.close();
    return { error: message, exitCode: EXIT_CANNOT_EXECUTE };
  }
}

/** Runs an instantiated guest to its exit: its code, 137 when unwound by a kill, 134 on a trap. */
export function runGuest(
  wasi: Wasi,
  instance: WebAssembly.Instance,
  stderr: Fd,
): { exitCode: number; trap?: string } {
  try {
    return { exitCode: wasi.start(instance) };
  } catch (error) {
    if (error instanceof GuestUnwind) return { exitCode: EXIT_KILLED };
    const trap = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    writeMessage(stderr, `berth: wasm trap: ${trap}\n`);
    return { exitCode: EXIT_TRAP, trap };
  }
}

export function writeMessage(fd: Fd, text: string): void {
  fd.write(new TextEncoder().encode(text));
}
