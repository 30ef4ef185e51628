// One guest process as the engine sees it: started on a pooled worker, with stdio pumps, and
// controls that work at any moment — kill (terminate the worker, even mid-loop), stop (grace
// period, then kill), pause/unpause (the guest stops at its next syscall).

import type { Layer } from '../../overlay/layer.ts';
import type { NetSpec, ProcessNetwork } from '../net/net-protocol.ts';
import { SabDoorbell } from './doorbell.ts';
import { type InputSource, type OutputSink, StdinWriter, pumpInput, pumpOutput } from './host-streams.ts';
import type { FsChannelTransfer, RemoteGuestFs } from './fs-channel.ts';
import type { CompiledModule, ModuleCache } from './module-cache.ts';
import type { ProcessWorker, WorkerPool } from './pool.ts';
import { waitStatus } from './process-imports.ts';
import { ProcessGroup } from './process-group.ts';
import { SabPipe } from './sab-pipe.ts';
import {
  CONTROL_STATE,
  EXIT_CANNOT_EXECUTE,
  EXIT_ENGINE_ERROR,
  type ExitReport,
  type MountSpec,
  type RunRequest,
  FLAG_UNWIND,
  STATE_PAUSED,
  type StdioSpec,
  type WorkerReport,
} from './worker-protocol.ts';

export const SIGNALS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
} as const;
export type Signal = keyof typeof SIGNALS;

export type Mount =
  /** A host directory (Node only). */
  | { readonly type?: 'bind'; readonly source: string; readonly target: string; readonly readonly?: boolean }
  /** An image's layers plus, optionally, the container's previous upper layer as a diff tar. */
  | {
      readonly type: 'layers';
      readonly target: string;
      readonly layers: readonly Layer[];
      readonly upper?: Uint8Array;
    }
  /** An empty in-memory directory. */
  | { readonly type: 'tmpfs'; readonly target: string };

export interface ProcessOptions {
  /** The full argv, argv[0] included (default ['main.wasm']). */
  readonly args?: readonly string[];
  /** Exactly the guest's environment: an object or 'K=V' strings. */
  readonly env?: Readonly<Record<string, string>> | readonly string[];
  readonly cwd?: string;
  readonly mounts?: readonly Mount[];
  /** undefined: EOF at once; 'pipe': feed it with stdinWrite()/closeStdin(). */
  readonly stdin?: InputSource | 'pipe';
  /** undefined: discarded. */
  readonly stdout?: OutputSink;
  readonly stderr?: OutputSink;
  /** Bytes; memory.grow fails past it (rounded down to 64 KiB pages). */
  readonly memoryLimit?: number;
  /** Aborting it kills the process (SIGKILL). */
  readonly signal?: AbortSignal;
  /** Return the root filesystem's upper layer as a diff tar in the exit result. */
  readonly captureUpper?: boolean;
  /** The container's network (runtime/networks): sockets, LISTEN_FDS. Main process only. */
  readonly network?: ProcessNetwork;
  /**
   * Let `execProcess()` add processes that share this one's live filesystem (engine-hosted
   * containers). Costs nothing until the first one: the process serves its own filesystem.
   */
  readonly shareFs?: boolean;
  /** The stdio is the container's terminal (`-t`): the guest's isatty() says yes. */
  readonly terminal?: boolean;
}

/** What a process added to a running container with `execProcess()` is given. */
export type ExecOptions = Pick<
  ProcessOptions,
  'args' | 'env' | 'cwd' | 'stdin' | 'stdout' | 'stderr' | 'terminal'
>;

export interface ProcessExit {
  readonly exitCode: number;
  /** Set when the process was killed. */
  readonly signal?: Signal;
  /** The trap's message when the guest trapped. */
  readonly trap?: string;
  /** Why the process could not start. */
  readonly error?: string;
  readonly upper?: Uint8Array;
}

export type ProcessState = 'starting' | 'running' | 'paused' | 'exited';

/** How a child started by berth.proc_spawn (or by exec) hangs off its parent. */
interface ChildLink {
  readonly group: ProcessGroup;
  readonly parent: WasmProcess;
  /** The parent's pipe ends; absent (exec): stdio of its own, pumped by the engine. */
  readonly stdio?: readonly [StdioSpec, StdioSpec, StdioSpec];
  /** Int32 [done, wait status], read by the parent's proc_wait; absent for exec. */
  readonly status?: Int32Array;
}

const ERRNO_NOTSUP = 58;
/**
 * A killed leader gets this long to leave its guest at its next check and hand back the writable
 * layer; past it (a guest in a loop without pause points) the worker is terminated, files lost.
 */
const KILL_UNWIND_MS = 1000;

let nextPid = 1;
let nextRunId = 1;
const OUTPUT_PIPE_CAPACITY = 256 * 1024;

// Output pipes are recycled: a fresh 256 KiB SharedArrayBuffer per run costs more than a short
// guest's whole run. A pipe comes back only when no worker can touch it any more.
const sparePipes: SabPipe[] = [];
const MAX_SPARE_PIPES = 32;
const outputPipe = (): SabPipe => sparePipes.pop() ?? new SabPipe(undefined, OUTPUT_PIPE_CAPACITY);
function recyclePipes(pipes: SabPipe[]): void {
  for (const pipe of pipes) {
    if (sparePipes.length >= MAX_SPARE_PIPES) return;
    pipe.reset();
    sparePipes.push(pipe);
  }
}

function envList(env: ProcessOptions['env']): string[] {
  if (!env) return [];
  if (Array.isArray(env)) return [...(env as readonly string[])];
  return Object.entries(env as Record<string, string>).map(([k, v]) => `${k}=${v}`);
}

export function mountSpec(m: Mount): MountSpec {
  if (m.type === 'layers') {
    return {
      type: 'layers',
      target: m.target,
      layers: m.layers.map((l) => l.transfer()),
      ...(m.upper ? { upper: m.upper } : {}),
    };
  }
  if (m.type === 'tmpfs') return { type: 'memory', target: m.target };
  return { type: 'host', source: m.source, target: m.target, readonly: m.readonly ?? false };
}

export class WasmProcess {
  readonly pid = nextPid++;
  readonly exited: Promise<ProcessExit>;
  private resolveExit!: (exit: ProcessExit) => void;
  private currentState: ProcessState = 'starting';
  private worker: ProcessWorker | undefined;
  private killedBy: Signal | undefined;
  private bell: SabDoorbell;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  /** Set for every process of a multi-process container. */
  private group: ProcessGroup | undefined;
  private fsChannel: FsChannelTransfer | undefined;
  private readonly children = new Set<WasmProcess>();
  private readonly stdinWriter: StdinWriter | undefined;
  private stopInput: (() => void) | undefined;
  private readonly outputPipes: SabPipe[] = [];
  private readonly outputPumps: Promise<void>[] = [];
  private onAbort: (() => void) | undefined;

  constructor(
    input: WebAssembly.Module | Uint8Array,
    private readonly options: ProcessOptions,
    private readonly pool: WorkerPool,
    private readonly cache: ModuleCache,
    private readonly link?: ChildLink,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    this.group = link?.group;
    this.bell = link?.group.bell ?? new SabDoorbell();
    if (options.stdin === 'pipe') this.stdinWriter = new StdinWriter();
    const signal = options.signal;
    if (signal) {
      this.onAbort = () => this.kill('SIGKILL');
      if (signal.aborted) queueMicrotask(this.onAbort);
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
    cache.get(input, options.memoryLimit).then(
      (compiled) => this.launch(compiled),
      (error: unknown) => this.failBeforeStart(EXIT_CANNOT_EXECUTE, error),
    );
  }

  get state(): ProcessState {
    return this.currentState;
  }

  /** Feeds stdin (only with `stdin: 'pipe'`). */
  stdinWrite(chunk: Uint8Array | string): void {
    if (!this.stdinWriter) throw new Error("stdinWrite needs the process spawned with stdin: 'pipe'");
    this.stdinWriter.write(chunk);
  }

  closeStdin(): void {
    this.stdinWriter?.end();
    if (!this.stdinWriter) this.stopInput?.();
  }

  private failBeforeStart(code: number, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const sink = this.options.stderr;
    if (typeof sink === 'function')
      void sink(new TextEncoder().encode(`berth: cannot execute: ${message}\n`));
    this.finish({ exitCode: code, error: message });
  }

  private stdio(): [StdioSpec, StdioSpec, StdioSpec] {
    const { stdin, stdout, stderr } = this.options;
    let input: StdioSpec = { type: 'null' };
    const source = stdin === 'pipe' ? this.stdinWriter : stdin;
    if (source !== undefined) {
      const pipe = new SabPipe();
      this.stopInput = pumpInput(pipe, this.bell, source).stop;
      input = { type: 'pipe', pipe: pipe.transfer() };
    }
    const output = (sink: OutputSink | undefined): StdioSpec => {
      if (!sink) return { type: 'null' };
      const pipe = outputPipe();
      this.outputPipes.push(pipe);
      this.outputPumps.push(pumpOutput(pipe, this.bell, sink));
      return { type: 'pipe', pipe: pipe.transfer() };
    };
    return [input, output(stdout), output(stderr)];
  }

  private launch(compiled: CompiledModule): void {
    if (this.currentState === 'exited') return;
    const { key, module, memories } = compiled;
    const o = this.options;
    let request: RunRequest;
    let worker: ProcessWorker;
    let net: { spec: NetSpec; env: string[] } | undefined;
    try {
      const mounts = (o.mounts ?? []).map(mountSpec);
      worker = this.pool.acquire();
      const id = nextRunId++;
      // A leader that may share its filesystem serves it itself (needs a synchronous receive in
      // its worker: not in the browser, where proc_spawn and exec are then not available).
      const serveFs = !this.link && (compiled.spawns || o.shareFs) && !!this.pool.platform.receiveMessageSync;
      if (serveFs) this.group = new ProcessGroup(this.bell, this.control, worker, id);
      net = this.link ? undefined : o.network?.open(this.bell.transfer());
      request = {
        type: 'run',
        id,
        key,
        ...(worker.modules.has(key) ? {} : { module }),
        memories,
        args: o.args ? [...o.args] : ['main.wasm'],
        env: [...envList(o.env), ...(net?.env ?? [])],
        cwd: o.cwd ?? '/',
        mounts: this.link ? [] : mounts,
        stdio: this.link?.stdio ?? this.stdio(),
        ...(o.terminal && !this.link?.stdio ? { terminal: true } : {}),
        bell: this.bell.transfer(),
        control: this.control.buffer as SharedArrayBuffer,
        captureUpper: !this.link && (o.captureUpper ?? false),
        ...(this.link ? { fs: (this.fsChannel = this.link.group.channel()) } : {}),
        ...(serveFs ? { serveFs } : {}),
        processImports: compiled.processImports,
        ...(net ? { net: net.spec } : {}),
      };
    } catch (error) {
      this.failBeforeStart(EXIT_ENGINE_ERROR, error);
      return;
    }
    this.worker = worker;
    worker.modules.add(key);
    worker.attach(
      (report) => void this.onExitReport(worker, report),
      (error) => void this.onWorkerDeath(worker, error),
      (report) => this.onWorkerRequest(report),
    );
    this.currentState = this.control[CONTROL_STATE]! & STATE_PAUSED ? 'paused' : 'running';
    worker.worker.postMessage(request, net ? [net.spec.port as unknown as Transferable] : undefined);
  }

  private async onExitReport(worker: ProcessWorker, report: ExitReport): Promise<void> {
    if (this.currentState === 'exited') return;
    this.currentState = 'exited';
    const upper = report.upper;
    const leader = this.group && !this.link;
    if (leader) {
      this.group!.end();
      // The container ends with its first process: the rest are killed, and pipe ends they
      // held die with them.
      await this.killDescendants();
      for (const pipe of this.outputPipes) pipe.forceCloseWriter();
      this.bell.ring();
    }
    await Promise.all(this.outputPumps);
    this.stopInput?.();
    this.pool.release(worker);
    if (!this.group) recyclePipes(this.outputPipes);
    this.finish({
      exitCode: report.exitCode,
      ...(report.trap ? { trap: report.trap } : {}),
      ...(report.error ? { error: report.error } : {}),
      ...(upper ? { upper } : {}),
    });
  }

  private async killDescendants(): Promise<void> {
    const children = [...this.children];
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
  }

  /** berth.proc_spawn / proc_kill from the guest (process-imports.ts). */
  private onWorkerRequest(report: WorkerReport): void {
    if (report.type === 'spawn') {
      const reply = new Int32Array(report.reply);
      const group = this.group;
      if (!group) {
        Atomics.store(reply, 1, -ERRNO_NOTSUP);
      } else {
        const child = new WasmProcess(
          report.module,
          { args: report.args, env: report.env, cwd: report.cwd },
          this.pool,
          this.cache,
          { group, parent: this, stdio: report.stdio, status: new Int32Array(report.status) },
        );
        this.children.add(child);
        void child.exited.then(() => this.children.delete(child));
        if (this.currentState === 'paused') child.pause();
        Atomics.store(reply, 1, child.pid);
      }
      Atomics.store(reply, 0, 1);
      Atomics.notify(reply, 0);
    } else if (report.type === 'kill') {
      const name = (Object.keys(SIGNALS) as Signal[]).find((k) => SIGNALS[k] === report.signal) ?? 'SIGKILL';
      for (const child of this.children) if (child.pid === report.pid) child.kill(name);
    }
  }

  private async onWorkerDeath(worker: ProcessWorker, error: Error): Promise<void> {
    if (this.currentState === 'exited') return;
    this.currentState = 'exited';
    worker.modules.clear();
    await this.drainAfterTermination();
    void this.pool.discard(worker);
    this.finish({ exitCode: EXIT_ENGINE_ERROR, error: error.message });
  }

  /** The worker is gone: nobody will close its write ends, so close them here and drain. */
  private async drainAfterTermination(): Promise<void> {
    for (const pipe of this.outputPipes) pipe.forceCloseWriter();
    this.bell.ring();
    this.stopInput?.();
    await Promise.all(this.outputPumps);
  }

  private finish(exit: ProcessExit): void {
    this.currentState = 'exited';
    if (this.link && this.fsChannel) this.link.group.release(this.fsChannel);
    if (this.link?.status) {
      const status = this.link.status;
      Atomics.store(status, 1, waitStatus(exit.exitCode, exit.signal ? SIGNALS[exit.signal] : undefined));
      Atomics.store(status, 0, 1);
      this.bell.ring();
    }
    if (this.onAbort) this.options.signal?.removeEventListener('abort', this.onAbort);
    if (!this.link) this.options.network?.close();
    this.resolveExit(exit);
  }

  /**
   * Ends the process at once, whatever it is doing. Guests cannot catch signals (WASI has none),
   * so every signal terminates; the exit code is 128 + its number, as a shell reports it.
   */
  kill(signal: Signal = 'SIGKILL'): void {
    if (this.currentState === 'exited' || this.killedBy) return;
    this.killedBy = signal;
    const worker = this.worker;
    const result: ProcessExit = { exitCode: 128 + SIGNALS[signal], signal };
    this.currentState = 'exited';
    if (!worker) {
      this.finish(result);
      return;
    }
    const leader = this.group && !this.link;
    // A serving leader holds the container's files: ask it to leave its guest and hand them back
    // (its worker runs no more guest code either way), then terminate it.
    const unwound = leader && this.options.captureUpper ? this.unwind(worker) : Promise.resolve(undefined);
    if (!leader || !this.options.captureUpper) worker.detach();
    void (async () => {
      const [report] = await Promise.all([unwound, leader ? this.killDescendants() : undefined]);
      this.group?.end();
      await this.pool.discard(worker);
      await this.drainAfterTermination();
      this.finish(report?.upper ? { ...result, upper: report.upper } : result);
    })();
  }

  /** The killed leader's exit report once it left its guest, or undefined after KILL_UNWIND_MS. */
  private unwind(worker: ProcessWorker): Promise<ExitReport | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), KILL_UNWIND_MS);
      const done = (report?: ExitReport) => {
        clearTimeout(timer);
        worker.detach();
        resolve(report);
      };
      worker.attach(done, () => done());
      Atomics.or(this.control, CONTROL_STATE, FLAG_UNWIND);
      Atomics.notify(this.control, CONTROL_STATE);
      this.bell.ringThreads();
    });
  }

  /**
   * Starts another process in this (running, filesystem-sharing) container, as `docker exec`:
   * it sees and changes the same files, has stdio of its own, and is killed with the container.
   */
  execProcess(input: WebAssembly.Module | Uint8Array, options: ExecOptions): WasmProcess {
    const group = this.group;
    if (!group || this.link || this.currentState === 'exited')
      throw new Error('exec needs a running process started with shareFs');
    const child = new WasmProcess(input, options, this.pool, this.cache, { group, parent: this });
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    if (this.currentState === 'paused') child.pause();
    return child;
  }

  /** The container's live filesystem, for a few blocking calls from this thread (see openFs). */
  openFs(): { fs: RemoteGuestFs; close(): void } | undefined {
    return this.group && this.currentState !== 'exited' ? this.group.openFs() : undefined;
  }

  /**
   * Docker's stop: ask, wait, then kill. The ask is an EOF on stdin (WASI has no SIGTERM to
   * deliver); a process that exits within `graceMs` keeps its own exit code.
   */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (this.currentState === 'paused') this.unpause();
    this.closeStdin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)),
    );
    const first = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (first === 'timeout') this.kill('SIGKILL');
    return this.exited;
  }

  /** Freezes the guest at its next syscall (see notes: compute-bound guests). */
  pause(): void {
    if (this.currentState === 'exited') return;
    for (const child of this.children) child.pause();
    Atomics.or(this.control, CONTROL_STATE, STATE_PAUSED);
    if (this.currentState === 'running') this.currentState = 'paused';
  }

  unpause(): void {
    if (this.currentState === 'exited') return;
    for (const child of this.children) child.unpause();
    Atomics.and(this.control, CONTROL_STATE, ~STATE_PAUSED);
    Atomics.notify(this.control, CONTROL_STATE);
    if (this.currentState === 'paused') this.currentState = 'running';
  }
}
