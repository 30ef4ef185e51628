// The CLI's side of the per-user engine: find it (engine.json + a live pid + a socket that
// answers), or start it — detached, stdio to engine.log — under a lock so two CLIs starting at
// once never start two engines; then requests and attached streams over the socket.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { lock } from '../content/node-file-lock.ts';
import { NodeHost } from '../engine/node-host.ts';
import type {
  EngineCall,
  EngineErrorBody,
  EngineInfo,
  EngineReply,
  EngineRequest,
} from './engine-protocol.ts';
import { type EnginePaths, HEARTBEAT_STALE_MS, enginePaths } from './node-engine-paths.ts';
import { JsonLines } from './node-json-lines.ts';

export class EngineUnavailableError extends Error {
  readonly code = 'BERTH_ENGINE_UNAVAILABLE' as const;
  readonly exitCode = 125;
}

/** An error the engine answered with, keeping its code and Docker exit code. */
export class EngineRequestError extends Error {
  readonly code: string;
  readonly exitCode: number | undefined;
  constructor(body: EngineErrorBody) {
    super(body.message);
    this.code = body.code ?? 'BERTH_ENGINE';
    this.exitCode = body.exitCode;
  }
}

export interface EngineStatus {
  readonly info: EngineInfo | undefined;
  /** engine.json names a live process (pid and start time match). */
  readonly alive: boolean;
  /** Milliseconds since the last heartbeat; undefined when there is none. */
  readonly heartbeatAgeMs: number | undefined;
}

const host = new NodeHost();

export function readEngineInfo(paths: EnginePaths): EngineInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(paths.info, 'utf8')) as EngineInfo;
  } catch {
    return undefined;
  }
}

/** What the files say about the engine, without connecting (cheap: for `ps`-like callers). */
export function engineStatus(root: string): EngineStatus {
  const paths = enginePaths(root);
  const info = readEngineInfo(paths);
  let heartbeatAgeMs: number | undefined;
  try {
    heartbeatAgeMs = Date.now() - Number(fs.readFileSync(paths.heartbeat, 'utf8'));
  } catch {}
  return { info, alive: info !== undefined && host.isAlive(info.pid, info.startTime), heartbeatAgeMs };
}

function connectSocket(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve(socket);
    });
    const fail = () => {
      socket.destroy();
      resolve(undefined);
    };
    socket.once('error', fail);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ConnectOptions {
  /** bin/berth.cjs: how to start the engine when none runs. Without it, never start one. */
  launcher?: string;
  /** How long to wait for a starting engine's socket (default 10 s). */
  timeoutMs?: number;
}

/** Connects to the running engine, if there is one that answers. */
async function connectExisting(paths: EnginePaths, waitMs: number): Promise<Socket | undefined> {
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const info = readEngineInfo(paths);
    if (!info || !host.isAlive(info.pid, info.startTime)) return undefined;
    const socket = await connectSocket(info.socket);
    if (socket) return socket;
    // Alive but not answering: starting up, shutting down, or hung (stale heartbeat).
    if (Date.now() > deadline) return undefined;
    await sleep(delay);
  }
}

export class EngineClient {
  private nextId = 1;
  private readonly lines: JsonLines<EngineReply, EngineRequest>;
  private readonly waiting = new Map<number, (reply: EngineReply) => void>();
  private closedError: Error | undefined;

  private constructor(readonly socket: Socket) {
    this.lines = new JsonLines<EngineReply, EngineRequest>(socket, (reply) =>
      this.waiting.get(reply.id)?.(reply),
    );
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closedError = new EngineUnavailableError('the berth engine closed the connection');
      for (const w of [...this.waiting.values()])
        w({ id: -1, ok: false, error: { message: this.closedError.message } });
    });
  }

  /** The engine of `root`, started (detached) when none is running and a launcher is given. */
  static async connect(root: string, options: ConnectOptions = {}): Promise<EngineClient> {
    const paths = enginePaths(root);
    const existing = await connectExisting(paths, 2000);
    if (existing) return new EngineClient(existing);
    if (!options.launcher) throw new EngineUnavailableError('the berth engine is not running');
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const held = await lock(paths.lock, { timeoutMs: 30_000 });
    try {
      const raced = await connectExisting(paths, 2000);
      if (raced) return new EngineClient(raced);
      const stale = readEngineInfo(paths);
      if (stale && host.isAlive(stale.pid, stale.startTime)) {
        throw new EngineUnavailableError(
          `the berth engine (pid ${stale.pid}) is not answering on ${stale.socket}; end it with \`kill ${stale.pid}\``,
        );
      }
      fs.rmSync(paths.info, { force: true });
      return new EngineClient(await startEngine(root, paths, options.launcher, options.timeoutMs ?? 30_000));
    } finally {
      await held.release();
    }
  }

  /** Sends a request and resolves with its `ok` result (throws the engine's error). */
  request<T = unknown>(req: EngineCall): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      this.waiting.set(id, (reply) => {
        this.waiting.delete(id);
        if ('ok' in reply && reply.ok) resolve(reply.result as T);
        else if ('ok' in reply) reject(new EngineRequestError(reply.error));
      });
      this.lines.send({ ...req, id } as EngineRequest);
    });
  }

  /**
   * Streams a container's output until it ends: `start` with attach (the engine starts it first)
   * or `attach` to a running one; or an exec'd process's until it exits. Resolves with the exit
   * code.
   */
  stream(
    req:
      | { op: 'start'; container: string; terminal?: { columns: number; rows: number } }
      | { op: 'attach'; container: string }
      | Extract<EngineCall, { op: 'exec' }>,
    io: {
      stdout(chunk: Uint8Array): void;
      stderr(chunk: Uint8Array): void;
      stdin?: AsyncIterable<Uint8Array>;
      /** Called once the engine accepted (the container runs). */
      started?(): void;
    },
  ): Promise<number> {
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      let accepted = false;
      this.waiting.set(id, (reply) => {
        if ('event' in reply) {
          if (reply.event === 'exit') {
            this.waiting.delete(id);
            resolve(reply.exitCode);
          } else {
            const bytes = new Uint8Array(Buffer.from(reply.data, 'base64'));
            (reply.event === 'stderr' ? io.stderr : io.stdout)(bytes);
          }
          return;
        }
        if (!reply.ok) {
          this.waiting.delete(id);
          reject(new EngineRequestError(reply.error));
          return;
        }
        if (accepted) return;
        accepted = true;
        io.started?.();
        if (io.stdin) void this.pumpStdin(id, io.stdin);
      });
      const body =
        req.op === 'start'
          ? {
              op: 'start' as const,
              container: req.container,
              attach: true,
              ...(req.terminal ? { terminal: req.terminal } : {}),
            }
          : req.op === 'exec'
            ? req
            : { op: 'attach' as const, container: req.container, stdin: io.stdin !== undefined };
      this.lines.send({ ...body, id });
    });
  }

  private async pumpStdin(ref: number, stdin: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stdin) {
        if (this.closedError) return;
        const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64');
        this.lines.send({ id: this.nextId++, op: 'stdin', ref, data });
      }
    } catch {}
    this.lines.send({ id: this.nextId++, op: 'stdin-end', ref });
  }

  close(): void {
    this.socket.end();
  }
}

/** Spawns `berth __engine` detached and waits until its socket answers. */
async function startEngine(
  root: string,
  paths: EnginePaths,
  launcher: string,
  timeoutMs: number,
): Promise<Socket> {
  trimLog(paths.log);
  const log = fs.openSync(paths.log, 'a', 0o600);
  let exited: number | null | undefined;
  try {
    const child = spawn(process.execPath, [launcher, '__engine'], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, BERTH_ROOT: root },
    });
    child.once('exit', (code) => {
      exited = code;
    });
    child.unref();
  } finally {
    fs.closeSync(log);
  }
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; Date.now() < deadline; delay = Math.min(delay * 2, 50)) {
    await sleep(delay);
    if (exited !== undefined) break;
    const info = readEngineInfo(paths);
    if (!info) continue;
    const socket = await connectSocket(info.socket);
    if (socket) return socket;
  }
  const tail = (() => {
    try {
      return fs.readFileSync(paths.log, 'utf8').trim().split('\n').slice(-3).join('; ');
    } catch {
      return '';
    }
  })();
  throw new EngineUnavailableError(
    `cannot start the berth engine${exited !== undefined ? ` (it exited with ${exited})` : ''}${tail ? `: ${tail}` : ''}`,
  );
}

/** Keeps engine.log bounded: past 1 MiB the older half goes. */
function trimLog(path: string): void {
  try {
    const size = fs.statSync(path).size;
    if (size < 1024 * 1024) return;
    const keep = fs.readFileSync(path).subarray(size - 512 * 1024);
    fs.writeFileSync(path, keep, { mode: 0o600 });
  } catch {}
}

export { HEARTBEAT_STALE_MS };
