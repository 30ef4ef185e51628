// A foreground container's process on the calling thread. A worker thread costs a fresh V8
// isolate and Node environment (35–55 ms here) before the guest's first instruction: more than a
// short program's whole run. A module that needs nothing but its files, clocks and stdio (WASI
// preview1 without sockets, no berth process calls) can run right where the CLI is, as
// `node:wasi` would run it — provided control still works while it computes:
//
// - Nobody else can touch this thread while the guest runs (its event loop is blocked), so the
//   gate polls instead: every import and pause point enters the gate (FLAG_POLL is always set),
//   which calls `poll` about every POLL_MS. The engine's poll reads the control requests other
//   berth processes left (kill, stop, pause), and acts on them synchronously.
// - Blocking waits (poll_oneoff's sleeps) are cut into POLL_MS slices with the gate in between.
// - Pausing blocks this thread in the gate until a polled `unpause` (or kill) arrives.
// - Signals sent to the CLI process itself cannot be handled while the guest runs (no handler
//   runs while this thread is busy). Ctrl-C is the exception where the platform can break into
//   running code (InlinePlatform.breakOnSigint): the guest ends there as SIGINT would end it, and
//   its exit (130) is recorded. Other signals are left to the OS, which ends the whole process.
//
// A module that cannot be instrumented with pause points (pause-points.ts) never runs here: its
// loops could not be interrupted.

import { diffTar } from '../../overlay/diff.ts';
import type { UnionFs } from '../../overlay/union-fs.ts';
import type { Platform } from '../platform/types.ts';
import type { Fd } from '../wasi/fd.ts';
import { SabDoorbell } from './doorbell.ts';
import { EXIT_KILLED, buildVfs, instantiateGuest, runGuest, writeMessage } from './guest-setup.ts';
import { GuestUnwind } from './leader-fs.ts';
import { limitMemory, type MemoryDecl } from './memory-limit.ts';
import { addPausePoints } from './pause-points.ts';
import { DiscardFd, EofFd, SinkFd, asTerminal } from './pipe-fds.ts';
import { type Mount, mountSpec, type ProcessExit, SIGNALS, type Signal } from './wasm-process.ts';
import {
  CONTROL_STATE,
  EXIT_CANNOT_EXECUTE,
  FLAG_POLL,
  FLAG_UNWIND,
  STATE_PAUSED,
} from './worker-protocol.ts';
import { WasmBytes } from './wasm-bytes.ts';

/** Modules up to this size are compiled synchronously (bigger ones compile in the background). */
const SYNC_COMPILE_MAX = 1024 * 1024;

/** How often a running inline guest looks for control requests (ms). */
export const POLL_MS = 20;

export type InlinePlatform = Pick<Platform, 'realtimeNs' | 'monotonicNs' | 'randomFill' | 'hostDirectory'> & {
  /**
   * Runs `fn` so that a SIGINT delivered to this process meanwhile stops it wherever it is (Node:
   * vm's breakOnSigint); false if it was stopped so. Without it, SIGINT is left to the OS.
   */
  breakOnSigint?(fn: () => void): boolean;
};

export interface InlineOptions {
  readonly bytes: Uint8Array;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly mounts: readonly Mount[];
  readonly memoryLimit?: number;
  /** Called synchronously with each write (a copy the sink may keep). */
  readonly stdout?: (chunk: Uint8Array) => void;
  readonly stderr?: (chunk: Uint8Array) => void;
  /** Return the root filesystem's upper layer as a diff tar in the exit. */
  readonly captureUpper: boolean;
  /** `-t`: stdio is the container's terminal (isatty() says yes). */
  readonly terminal?: boolean;
  readonly platform: InlinePlatform;
  /** Called about every POLL_MS while the guest runs; may call kill/stop/pause/unpause. */
  poll?(): void;
  /** Modules already rewritten (memory limit, pause points), kept between processes. */
  readonly rewritten?: RewrittenModules;
}

/** A module's bytes as limitMemory + addPausePoints made them, and its memory declarations. */
export interface RewrittenModule {
  readonly bytes: Uint8Array;
  readonly memories: readonly MemoryDecl[];
}

/**
 * Where rewritten modules are kept (Node: runtime/engine/node-rewritten-modules.ts): rewriting
 * is cold JavaScript that costs a cold `berth run` milliseconds for even a small module.
 */
export interface RewrittenModules {
  get(original: Uint8Array, memoryLimit: number | undefined): RewrittenModule | undefined;
  put(original: Uint8Array, memoryLimit: number | undefined, rewritten: RewrittenModule): void;
}

/**
 * Whether a module's imports let it run inline: WASI preview1 only, and none of its socket calls
 * (a socket is served by an event loop, which an inline guest blocks).
 */
export function runsInline(bytes: Uint8Array): boolean {
  try {
    for (const imp of importsOf(bytes)) {
      if (imp.module !== 'wasi_snapshot_preview1' || imp.name.startsWith('sock_')) return false;
    }
    return true;
  } catch {
    return false; // malformed: the worker path reports it
  }
}

/** The import section's (module, name) pairs, read without compiling. */
function importsOf(bytes: Uint8Array): { module: string; name: string }[] {
  const r = new WasmBytes(bytes, (message) => new Error(message));
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error('not a wasm module');
  }
  const limits = (): void => {
    const flags = r.byte();
    r.skipLeb();
    if (flags & 1) r.skipLeb();
  };
  r.pos = 8;
  const out: { module: string; name: string }[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) r.u32();
        else if (kind === 1) {
          r.byte();
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) {
          r.byte();
          r.byte();
        } else if (kind === 4) {
          r.byte();
          r.u32();
        } else throw new Error(`import kind ${kind}`);
        out.push({ module, name });
      }
      return out;
    }
    // Sections are ordered: nothing after the code section can be an import.
    if (id === 10) return out;
    r.pos = end;
  }
  return out;
}

/** stdout/stderr of an inline guest: each write goes to the sink at once. */
function sinkFd(sink: ((chunk: Uint8Array) => void) | undefined): Fd {
  return sink ? new SinkFd(sink) : new DiscardFd();
}

/** The doorbell of an inline guest: long waits are sliced so control requests still get in. */
class InlineDoorbell extends SabDoorbell {
  constructor(
    private readonly gate: () => void,
    private readonly nowMs: () => number,
  ) {
    super();
  }

  override wait(seq: number, timeoutMs: number): void {
    this.gate();
    const end = this.nowMs() + timeoutMs;
    for (;;) {
      if (this.seq() !== seq) return;
      const left = end - this.nowMs();
      if (left <= 0) return;
      super.wait(seq, Math.min(left, POLL_MS));
      this.gate();
    }
  }
}

export class InlineProcess {
  readonly exited: Promise<ProcessExit>;
  private resolveExit!: (exit: ProcessExit) => void;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private killedBy: Signal | undefined;
  private stopAt = Number.POSITIVE_INFINITY;
  private nextPoll = 0;
  private state: 'ready' | 'running' | 'exited' = 'ready';
  private readonly gate = (): void => this.enterGate();
  /** Monotonic milliseconds (the platform's clock: `performance` costs Node a module load). */
  private readonly nowMs = (): number => Number(this.options.platform.monotonicNs()) / 1e6;
  private startGuest: (() => { exitCode: number; trap?: string }) | undefined;
  private closeGuest: (() => void) | undefined;
  private root: UnionFs | undefined;
  private failure: ProcessExit | undefined;

  private constructor(private readonly options: InlineOptions) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    Atomics.store(this.control, CONTROL_STATE, FLAG_POLL);
  }

  /** Compiles the module, builds its filesystem and instantiates it; run() starts it. */
  static async prepare(options: InlineOptions): Promise<InlineProcess> {
    const p = new InlineProcess(options);
    await p.setup();
    return p;
  }

  private async setup(): Promise<void> {
    const { options } = this;
    const stdio: [Fd, Fd, Fd] = [new EofFd(), sinkFd(options.stdout), sinkFd(options.stderr)];
    if (options.terminal) for (const fd of stdio) asTerminal(fd);
    let module: WebAssembly.Module;
    let memories: readonly MemoryDecl[];
    let built: Awaited<ReturnType<typeof buildVfs>>;
    try {
      const kept = options.rewritten?.get(options.bytes, options.memoryLimit);
      let instrumented: Uint8Array | undefined;
      if (kept) ({ bytes: instrumented, memories } = kept);
      else {
        const limited = limitMemory(options.bytes, options.memoryLimit);
        memories = limited.memories;
        instrumented = addPausePoints(limited.bytes);
        if (!instrumented) throw new Error('the module cannot be instrumented with pause points');
        options.rewritten?.put(options.bytes, options.memoryLimit, { bytes: instrumented, memories });
      }
      // This thread waits for the module either way: a small one compiles faster synchronously
      // than through an asynchronous compile's task hop.
      module =
        instrumented.length <= SYNC_COMPILE_MAX
          ? new WebAssembly.Module(instrumented as Uint8Array<ArrayBuffer>)
          : await WebAssembly.compile(instrumented as Uint8Array<ArrayBuffer>);
      built = await buildVfs(
        options.mounts.map(mountSpec),
        options.platform as Platform,
        options.captureUpper,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      writeMessage(stdio[2], `berth: cannot execute: ${message}\n`);
      for (const fd of stdio) fd.close();
      this.failure = { exitCode: EXIT_CANNOT_EXECUTE, error: message };
      return;
    }
    const started = instantiateGuest({
      module,
      memories,
      args: options.args,
      env: options.env,
      cwd: options.cwd,
      vfs: built.vfs,
      stdio,
      clock: { realtimeNs: options.platform.realtimeNs, monotonicNs: options.platform.monotonicNs },
      randomFill: options.platform.randomFill,
      doorbell: new InlineDoorbell(this.gate, this.nowMs),
      control: this.control,
      gate: this.gate,
    });
    if (started.error !== undefined) {
      this.failure = { exitCode: started.exitCode, error: started.error };
      return;
    }
    const { wasi, instance } = started;
    this.root = built.root;
    this.startGuest = () => runGuest(wasi, instance, stdio[2]);
    this.closeGuest = () => wasi.fds.closeAll();
  }

  /** Runs the guest to its end on this thread; `exited` resolves after. */
  run(): void {
    if (this.state !== 'ready') return;
    const killed = this.killedBy;
    if (this.failure || !this.startGuest || killed) {
      this.finish(
        killed
          ? { exitCode: 128 + SIGNALS[killed], signal: killed }
          : (this.failure ?? { exitCode: EXIT_CANNOT_EXECUTE }),
      );
      return;
    }
    this.state = 'running';
    const { exitCode, trap } = this.runToEnd(this.startGuest);
    if (trap && /Maximum call stack size exceeded/.test(trap)) {
      // This thread's stack is a quarter of a worker's: say how to get the bigger one.
      this.options.stderr?.(
        new TextEncoder().encode(
          "berth: (the guest ran on the CLI thread, whose call stack is 4x smaller than a worker's: BERTH_INLINE=0, -i or -d run it on a worker)\n",
        ),
      );
    }
    void this.end(exitCode, trap);
  }

  /** The guest's run, cut short by a Ctrl-C where the platform can break in. */
  private runToEnd(start: () => { exitCode: number; trap?: string }): { exitCode: number; trap?: string } {
    const { breakOnSigint } = this.options.platform;
    // Stays so when a Ctrl-C stopped the guest anywhere, even inside a host call.
    let result: { exitCode: number; trap?: string } = { exitCode: EXIT_KILLED };
    const run = () => {
      result = start();
    };
    let completed = true;
    if (breakOnSigint) completed = breakOnSigint(run);
    else run();
    if (!completed) this.killedBy ??= 'SIGINT';
    try {
      this.closeGuest?.();
    } catch {}
    return result;
  }

  private async end(exitCode: number, trap: string | undefined): Promise<void> {
    // A kill counts only when the guest left at a check (it may have exited on its own first).
    const killed = this.killedBy && exitCode === EXIT_KILLED ? this.killedBy : undefined;
    // A guest stopped inside a host call may have left its files half-changed: keep what reads.
    const upper =
      this.options.captureUpper && this.root ? await diffTar(this.root).catch(() => undefined) : undefined;
    this.finish({
      exitCode: killed ? 128 + SIGNALS[killed] : exitCode,
      ...(killed ? { signal: killed } : {}),
      ...(trap ? { trap } : {}),
      ...(upper ? { upper } : {}),
    });
  }

  private finish(exit: ProcessExit): void {
    this.state = 'exited';
    this.resolveExit(exit);
  }

  private enterGate(): void {
    for (;;) {
      const now = this.nowMs();
      if (now >= this.nextPoll) {
        this.nextPoll = now + POLL_MS;
        this.options.poll?.();
        if (now >= this.stopAt) this.kill('SIGKILL');
      }
      const s = Atomics.load(this.control, CONTROL_STATE);
      if (s & FLAG_UNWIND) throw new GuestUnwind();
      if (!(s & STATE_PAUSED)) return;
      Atomics.wait(this.control, CONTROL_STATE, s, POLL_MS);
    }
  }

  /** Ends the guest at its next check (WASI has no signal handlers: every signal ends it). */
  kill(signal: Signal = 'SIGKILL'): void {
    if (this.state === 'exited' || this.killedBy) return;
    this.killedBy = signal;
    Atomics.or(this.control, CONTROL_STATE, FLAG_UNWIND);
  }

  /** Docker's stop: stdin is already at EOF here, so the ask is the grace period, then SIGKILL. */
  stop(graceMs = 10_000): Promise<ProcessExit> {
    this.unpause();
    this.stopAt = Math.min(this.stopAt, this.nowMs() + graceMs);
    if (graceMs <= 0) this.kill('SIGKILL');
    return this.exited;
  }

  pause(): void {
    if (this.state !== 'exited') Atomics.or(this.control, CONTROL_STATE, STATE_PAUSED);
  }

  unpause(): void {
    Atomics.and(this.control, CONTROL_STATE, ~STATE_PAUSED);
  }
}
