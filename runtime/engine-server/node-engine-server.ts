// The per-user berth engine process: hosts every detached container (each a worker in this one
// process, so a thousand containers share one Node runtime and one network stack), serves the
// CLI over a unix socket (mode 0600) under BERTH_ROOT, applies restart policies, writes a
// heartbeat, and exits after an idle period with no containers and no clients. State stays in
// the store, so a CLI never needs the engine to read it; `ps` checks the engine pid instead.

import * as fs from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import type { HostedContainer } from '../containers/container-context.ts';
import { HOST_LOST_EXIT, refresh } from '../containers/container-context.ts';
import type { ContainerRecord } from '../containers/container-record.ts';
import { withStatus } from '../containers/container-record.ts';
import type { StartIo } from '../containers/container-start.ts';
import { isActive } from '../containers/container-status.ts';
import { writeFileAtomic } from '../containers/node-container-store.ts';
import type { Engine } from '../engine.ts';
import { openNodeEngine } from '../engine/node-engine.ts';
import { ConflictError } from '../errors.ts';
import type { ExecHandle } from '../containers/container-exec.ts';
import {
  ENGINE_PROTOCOL_VERSION,
  type EngineErrorBody,
  type EngineInfo,
  type EngineReply,
  type EngineRequest,
} from './engine-protocol.ts';
import { ContainerInput } from './container-input.ts';
import { HEARTBEAT_MS, enginePaths } from './node-engine-paths.ts';
import { JsonLines } from './node-json-lines.ts';
import { nextRestartDelay, shouldRestart } from './restart-policy.ts';

export interface EngineServerOptions {
  root: string;
  /** bin/berth.cjs (the engine opens its Engine with it, as the CLI does). */
  launcher?: string;
  /** Exit after this long with nothing to host and nobody connected (default 60 s). */
  idleMs?: number;
  log?: (line: string) => void;
}

type Conn = JsonLines<EngineRequest, EngineReply>;

interface Attacher {
  readonly conn: Conn;
  readonly requestId: number;
  /** The attacher that started the container: its stdin EOF closes the container's stdin. */
  readonly owner: boolean;
}

/** A process `exec` started for a connection: stdin by its request id, killed if the client goes. */
interface ExecSession {
  readonly conn: Conn;
  readonly requestId: number;
  readonly input: ContainerInput | undefined;
  readonly handle: ExecHandle;
}

/** An attacher whose socket holds more than this is too slow: it is detached, not waited for. */
const MAX_ATTACH_BACKLOG = 16 * 1024 * 1024;

export class EngineServer {
  readonly paths: ReturnType<typeof enginePaths>;
  private server: Server | undefined;
  private readonly conns = new Set<Conn>();
  private readonly attachers = new Map<string, Set<Attacher>>();
  private readonly inputs = new Map<string, ContainerInput>();
  private readonly execs = new Set<ExecSession>();
  /** Containers the user stopped or killed: their exit is not a failure to restart. */
  private readonly manual = new Set<string>();
  /** Containers waiting out a restart delay, with the timer and the last delay. */
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly delays = new Map<string, number>();
  private idleSince: number;
  private timers: ReturnType<typeof setInterval>[] = [];
  private closing: Promise<void> | undefined;
  private unsubscribeRing: (() => void) | undefined;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;

  private constructor(
    readonly engine: Engine,
    private readonly options: EngineServerOptions,
  ) {
    this.paths = enginePaths(options.root);
    this.idleSince = Date.now();
    this.exited = new Promise((r) => {
      this.resolveExited = r;
    });
  }

  /** Starts serving; resolves once the socket accepts connections. */
  static async start(options: EngineServerOptions): Promise<EngineServer> {
    const engine = openNodeEngine({
      root: options.root,
      ...(options.launcher ? { launcher: options.launcher } : {}),
    });
    const server = new EngineServer(engine, options);
    await server.listen();
    return server;
  }

  /** Resolves when the engine has shut down. */
  get done(): Promise<void> {
    return this.exited;
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(
      `${new Date().toISOString()} ${line}`,
    );
  }

  private async listen(): Promise<void> {
    const { paths } = this;
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    fs.rmSync(paths.socket, { force: true });
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    // The umask makes the socket 0600 from its first moment (chmod after would leave a window).
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(paths.socket, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    fs.chmodSync(paths.socket, 0o600);
    const host = this.engine.ctx.host;
    const info: EngineInfo = {
      pid: host.pid,
      ...(host.startTime ? { startTime: host.startTime } : {}),
      socket: paths.socket,
      version: ENGINE_PROTOCOL_VERSION,
      startedAt: new Date().toISOString(),
    };
    writeFileAtomic(paths.info, JSON.stringify(info));
    this.beat();
    this.timers.push(setInterval(() => this.beat(), HEARTBEAT_MS));
    this.timers.push(setInterval(() => this.checkIdle(), Math.min(1000, this.idleMs / 2)));
    // stop / kill / rm from CLIs arrive as control requests plus a doorbell (SIGUSR2); the Engine
    // serves those for running containers, this serves them for containers between restarts.
    this.unsubscribeRing = host.onRing(() => void this.serveControlForPending());
    for (const s of ['SIGTERM', 'SIGINT'] as const)
      process.once(s, () => void this.shutdown(`${s} received`));
    process.on('SIGHUP', () => {});
    this.log(`engine ${host.pid} listening on ${paths.socket}`);
    void this.recover();
  }

  private get idleMs(): number {
    return this.options.idleMs ?? 60_000;
  }

  private beat(): void {
    try {
      fs.writeFileSync(this.paths.heartbeat, String(Date.now()));
    } catch {}
  }

  private busy(): boolean {
    return this.engine.ctx.hosted.size > 0 || this.pending.size > 0 || this.conns.size > 0;
  }

  private checkIdle(): void {
    // Its store was deleted (rm -rf of a BERTH_ROOT): nothing left to serve or to record into.
    if (!fs.existsSync(this.paths.info)) {
      void this.shutdown('its store was removed');
      return;
    }
    if (this.busy()) {
      this.idleSince = Date.now();
      return;
    }
    if (Date.now() - this.idleSince >= this.idleMs) void this.shutdown('idle');
  }

  // --- containers ---------------------------------------------------------------------------

  /** Runs the container in this engine, with restart policy and attachers wired. */
  private async launch(id: string, terminal?: StartIo['terminal']): Promise<HostedContainer | undefined> {
    const rec = await this.engine.find(id);
    const input = rec.Config.OpenStdin ? new ContainerInput() : undefined;
    const io: StartIo = {
      // Served from a filesystem worker, so `exec` can add processes that share it (ARCHITECTURE.md:
      // "exec"); BERTH_ENGINE_SHARE_FS=0 keeps the in-worker fast path and gives up exec.
      shareFs: process.env.BERTH_ENGINE_SHARE_FS !== '0',
      stdout: (chunk) => this.broadcast(id, 'stdout', chunk),
      stderr: (chunk) => this.broadcast(id, 'stderr', chunk),
      ...(input ? { stdin: input } : {}),
      ...(terminal ? { terminal } : {}),
    };
    const hosted = await this.engine.start(id, io);
    if (!hosted) return undefined;
    if (input) this.inputs.set(id, input);
    const apply = hosted.apply.bind(hosted);
    hosted.apply = (request) => {
      if (request.action === 'stop' || request.action === 'kill') this.manual.add(id);
      apply(request);
    };
    const startedAt = Date.now();
    void hosted.done.then(
      (code) => this.afterExit(id, code, Date.now() - startedAt),
      (e) => this.log(`container ${id.slice(0, 12)}: ${(e as Error).message}`),
    );
    return hosted;
  }

  private async afterExit(id: string, exitCode: number, ranForMs: number): Promise<void> {
    this.inputs.get(id)?.close();
    this.inputs.delete(id);
    for (const a of this.attachers.get(id) ?? []) a.conn.send({ id: a.requestId, event: 'exit', exitCode });
    this.attachers.delete(id);
    const manual = this.manual.delete(id);
    const rec = await this.engine.ctx.store.get(id);
    if (!rec || isActive(rec.State.Status)) return; // removed (--rm), or started again already
    const policy = rec.HostConfig.RestartPolicy;
    if (
      !shouldRestart(policy as Parameters<typeof shouldRestart>[0], {
        exitCode,
        manual,
        restartCount: rec.RestartCount,
      })
    )
      return;
    const delay = nextRestartDelay(this.delays.get(id) ?? 0, ranForMs);
    this.delays.set(id, delay);
    await this.scheduleRestart(rec, delay);
  }

  private async scheduleRestart(rec: ContainerRecord, delayMs: number): Promise<void> {
    const host = this.engine.ctx.host;
    await this.engine.ctx.store.save({
      ...rec,
      State: {
        ...withStatus(rec.State, 'restarting'),
        Pid: host.pid,
        ...(host.startTime ? { HostStart: host.startTime } : {}),
      },
    });
    const id = rec.Id;
    this.log(
      `container ${id.slice(0, 12)} restarts in ${delayMs} ms (policy ${rec.HostConfig.RestartPolicy.Name})`,
    );
    this.pending.set(
      id,
      setTimeout(() => {
        this.pending.delete(id);
        void this.restartNow(id);
      }, delayMs),
    );
  }

  private async restartNow(id: string): Promise<void> {
    const store = this.engine.ctx.store;
    const rec = await store.get(id);
    if (rec?.State.Status !== 'restarting') return;
    // Back to exited first: start's guard only starts a container that is not active.
    await store.save({ ...rec, RestartCount: rec.RestartCount + 1, State: withStatus(rec.State, 'exited') });
    try {
      await this.launch(id);
    } catch (e) {
      this.log(`container ${id.slice(0, 12)}: restart failed: ${(e as Error).message}`);
      await this.recordStartError(id, e);
    }
  }

  /** Cancels a pending restart when a CLI asked to stop, kill or remove the container. */
  private async serveControlForPending(): Promise<void> {
    const store = this.engine.ctx.store;
    for (const id of [...this.pending.keys()]) {
      const requests = await store.takeControl(id);
      if (!requests.some((r) => r.action === 'stop' || r.action === 'kill')) continue;
      clearTimeout(this.pending.get(id));
      this.pending.delete(id);
      const rec = await store.get(id);
      if (rec?.State.Status === 'restarting') {
        await store.save({ ...rec, State: { ...withStatus(rec.State, 'exited'), Pid: 0 } });
      }
    }
  }

  private async recordStartError(id: string, error: unknown): Promise<void> {
    const rec = await this.engine.ctx.store.get(id);
    if (!rec || isActive(rec.State.Status)) return;
    const body = errorBody(error);
    await this.engine.ctx.store.save({
      ...rec,
      State: { ...rec.State, Error: rec.State.Error || body.message, ExitCode: rec.State.ExitCode || 125 },
    });
  }

  /** At start: containers a dead engine hosted are exited (255); restart policies bring them back. */
  private async recover(): Promise<void> {
    const { ctx } = this.engine;
    for (const raw of await ctx.store.list()) {
      if (!isActive(raw.State.Status) || raw.State.Pid === ctx.host.pid) continue;
      if (ctx.host.isAlive(raw.State.Pid, raw.State.HostStart)) continue;
      let rec: ContainerRecord;
      try {
        rec = await refresh(ctx, raw.Id);
      } catch {
        continue;
      }
      const policy = rec.HostConfig.RestartPolicy;
      const exitCode = rec.State.ExitCode || HOST_LOST_EXIT;
      if (
        shouldRestart(policy as Parameters<typeof shouldRestart>[0], {
          exitCode,
          manual: false,
          restartCount: rec.RestartCount,
        })
      ) {
        this.log(
          `container ${rec.Id.slice(0, 12)} was running in an engine that died: restarting (policy ${policy.Name})`,
        );
        await this.scheduleRestart(rec, 0);
      }
    }
  }

  private broadcast(id: string, stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    const set = this.attachers.get(id);
    if (!set || set.size === 0) return;
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64');
    for (const a of set) {
      if (a.conn.socket.writableLength > MAX_ATTACH_BACKLOG) {
        a.conn.send({ id: a.requestId, ok: false, error: { message: 'attach: client too slow, detached' } });
        set.delete(a);
        continue;
      }
      a.conn.send({ id: a.requestId, event: stream, data });
    }
  }

  private addAttacher(id: string, a: Attacher): void {
    let set = this.attachers.get(id);
    if (!set) this.attachers.set(id, (set = new Set()));
    set.add(a);
  }

  // --- connections --------------------------------------------------------------------------

  private accept(socket: Socket): void {
    const conn: Conn = new JsonLines<EngineRequest, EngineReply>(
      socket,
      (req) => void this.handle(conn, req),
    );
    this.conns.add(conn);
    this.idleSince = Date.now();
    socket.on('error', () => {});
    socket.on('close', () => {
      this.conns.delete(conn);
      for (const [id, set] of this.attachers) {
        for (const a of set) if (a.conn === conn) set.delete(a);
        if (set.size === 0) this.attachers.delete(id);
      }
      // Its client is gone (Ctrl-C, a dead terminal): the exec'd process goes too.
      for (const s of this.execs) if (s.conn === conn) s.handle.kill('SIGKILL');
    });
  }

  private async handle(conn: Conn, req: EngineRequest): Promise<void> {
    try {
      const result = await this.dispatch(conn, req);
      if (result !== NO_REPLY)
        conn.send({ id: req.id, ok: true, ...(result !== undefined ? { result } : {}) });
    } catch (e) {
      conn.send({ id: req.id, ok: false, error: errorBody(e) });
    }
  }

  private async dispatch(conn: Conn, req: EngineRequest): Promise<unknown> {
    const engine = this.engine;
    switch (req.op) {
      case 'ping':
        return {
          pid: engine.ctx.host.pid,
          version: ENGINE_PROTOCOL_VERSION,
          containers: engine.ctx.hosted.size,
        };
      case 'start': {
        const rec = await engine.find(req.container);
        const id = rec.Id;
        this.manual.delete(id);
        this.delays.delete(id);
        if (req.attach) this.addAttacher(id, { conn, requestId: req.id, owner: true });
        try {
          await this.launch(id, req.terminal);
        } catch (e) {
          const set = this.attachers.get(id);
          for (const a of set ?? []) if (a.conn === conn) set!.delete(a);
          await this.recordStartError(id, e);
          throw e;
        }
        const after = await engine.ctx.store.get(id);
        if (req.attach) {
          conn.send({ id: req.id, ok: true, result: after });
          if (!engine.ctx.hosted.has(id) && !this.attachers.get(id)?.size) return NO_REPLY;
          // Already ended before we got here: tell the attacher now.
          if (!engine.ctx.hosted.has(id)) {
            this.attachers.delete(id);
            conn.send({ id: req.id, event: 'exit', exitCode: after?.State.ExitCode ?? 0 });
          }
          return NO_REPLY;
        }
        return after;
      }
      case 'attach': {
        const rec = await engine.inspect(req.container);
        if (!isActive(rec.State.Status))
          throw Object.assign(new ConflictError('You cannot attach to a stopped container, start it first'), {
            exitCode: 1,
          });
        if (!engine.ctx.hosted.has(rec.Id))
          throw new ConflictError(
            `container ${rec.Id.slice(0, 12)} runs in another berth process, not in the engine`,
          );
        this.addAttacher(rec.Id, { conn, requestId: req.id, owner: false });
        conn.send({ id: req.id, ok: true, result: rec });
        return NO_REPLY;
      }
      case 'exec':
        return this.exec(conn, req);
      case 'stdin':
      case 'stdin-end': {
        for (const s of this.execs) {
          if (s.conn !== conn || s.requestId !== req.ref) continue;
          if (req.op === 'stdin') s.input?.push(new Uint8Array(Buffer.from(req.data, 'base64')));
          else s.input?.close();
        }
        for (const [id, set] of this.attachers) {
          const a = [...set].find((x) => x.conn === conn && x.requestId === req.ref);
          if (!a) continue;
          const input = this.inputs.get(id);
          if (req.op === 'stdin') input?.push(new Uint8Array(Buffer.from(req.data, 'base64')));
          else if (a.owner) input?.close();
        }
        return NO_REPLY;
      }
      case 'stop':
        return engine.stop(req.container, req.timeoutS);
      case 'kill':
        await engine.kill(req.container, req.signal);
        return undefined;
      case 'restart': {
        const rec = await engine.stop(req.container, req.timeoutS);
        this.manual.delete(rec.Id);
        await this.launch(rec.Id);
        const after = await engine.ctx.store.get(rec.Id);
        if (after) await engine.ctx.store.save({ ...after, RestartCount: after.RestartCount + 1 });
        return after;
      }
      case 'shutdown':
        setImmediate(() => void this.shutdown('asked to shut down'));
        return undefined;
      default:
        throw new Error(`unknown engine request ${(req as { op: string }).op}`);
    }
  }

  /** `exec`: the process runs here, next to the container's; its stdio cross this connection. */
  private async exec(conn: Conn, req: Extract<EngineRequest, { op: 'exec' }>): Promise<unknown> {
    const { execInContainer } = await import('../containers/container-exec.ts');
    const input = req.interactive && !req.detach ? new ContainerInput() : undefined;
    const output = (event: 'stdout' | 'stderr') => (chunk: Uint8Array) => {
      if (req.detach) return;
      const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64');
      // The process's pipe is read again only once the socket took this chunk: back-pressure.
      if (!conn.send({ id: req.id, event, data }) && !conn.socket.destroyed)
        return new Promise<void>((resolve) => {
          conn.socket.once('drain', resolve);
          conn.socket.once('close', resolve);
        });
    };
    const handle = await execInContainer(this.engine.ctx, req.container, {
      cmd: [...req.cmd],
      env: [...(req.env ?? [])],
      workdir: req.workdir,
      tty: req.tty === true,
      ...(input ? { stdin: input } : {}),
      stdout: output('stdout'),
      stderr: output('stderr'),
    });
    if (req.detach) return {};
    const session: ExecSession = { conn, requestId: req.id, input, handle };
    this.execs.add(session);
    conn.send({ id: req.id, ok: true });
    void handle.exited.then((exitCode) => {
      this.execs.delete(session);
      input?.close();
      conn.send({ id: req.id, event: 'exit', exitCode });
    });
    return NO_REPLY;
  }

  // --- shutdown -----------------------------------------------------------------------------

  /** Stops hosted containers (their grace period), removes the socket and engine.json, exits. */
  shutdown(reason: string): Promise<void> {
    this.closing ??= (async () => {
      this.log(`engine shutting down: ${reason}`);
      for (const t of this.timers) clearInterval(t);
      for (const t of this.pending.values()) clearTimeout(t);
      this.unsubscribeRing?.();
      this.removeFiles();
      this.server?.close();
      const hosted = [...this.engine.ctx.hosted.values()];
      for (const h of hosted) this.manual.add(h.id);
      await Promise.allSettled(hosted.map((h) => this.engine.stop(h.id, 10)));
      for (const c of this.conns) c.socket.end();
      const { closeProcessPool } = await import('../run-wasm.ts');
      await closeProcessPool();
      this.resolveExited();
    })();
    return this.closing;
  }

  private removeFiles(): void {
    try {
      const info = JSON.parse(fs.readFileSync(this.paths.info, 'utf8')) as EngineInfo;
      if (info.pid !== this.engine.ctx.host.pid) return; // a newer engine owns them
    } catch {}
    fs.rmSync(this.paths.info, { force: true });
    fs.rmSync(this.paths.socket, { force: true });
  }
}

const NO_REPLY = Symbol('no-reply');

function errorBody(e: unknown): EngineErrorBody {
  const error = e as { message?: string; code?: string; exitCode?: number };
  return {
    message: error?.message ?? String(e),
    ...(typeof error?.code === 'string' ? { code: error.code } : {}),
    ...(typeof error?.exitCode === 'number' ? { exitCode: error.exitCode } : {}),
  };
}
