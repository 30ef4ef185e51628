// A container filesystem shared by several processes. The Vfs lives in the worker of the
// container's first process (the leader), which serves it to every other process of the container
// (exec'd ones, proc_spawn children, the engine's own lookups) through one channel each: a
// SharedArrayBuffer with a state cell, lengths, a JSON header and a binary payload. A client posts
// its request, sets FLAG_SERVE in the leader's control block and rings the container's doorbell;
// the leader answers at its next check (every import call, every pause point, every doorbell
// wait, while paused) and the client blocks in Atomics.wait until the answer is there. A container
// nobody execs into pays nothing: no second worker, no channel, and the leader's own file
// syscalls never cross a thread.

import type { DirEntry, FileHandle, OpenOptions, Stat } from '../../overlay/types.ts';
import { FsError } from '../../overlay/types.ts';
import type { GuestFs, TimeSpec } from '../wasi/guest-fs.ts';
import { SabDoorbell, type DoorbellTransfer } from './doorbell.ts';
import { CONTROL_SERVER, CONTROL_STATE, FLAG_SERVE, SERVER_GONE } from './worker-protocol.ts';

const STATE = 0;
const HEADER_LEN = 1;
const PAYLOAD_LEN = 2;
const IDLE = 0;
const REQUEST = 1;
const RESPONSE = 2;
const PREFIX = 16;
const HEADER_MAX = 64 * 1024;
/** Largest read or write carried in one round trip; bigger ones are split. */
export const FS_CHANNEL_PAYLOAD = 1024 * 1024;

/** How often a waiting client looks whether the leader stopped serving (ms). */
const GONE_CHECK_MS = 100;

export interface FsChannelTransfer {
  readonly buffer: SharedArrayBuffer;
  /** The container's doorbell: rung (threads only) by clients when they post a request. */
  readonly server: DoorbellTransfer;
  /** The leader's control block: FLAG_SERVE is set there; CONTROL_SERVER says it still serves. */
  readonly control: SharedArrayBuffer;
  /** Names the channel to the server, so it can be detached when its process ends. */
  readonly id: number;
}

export function createFsChannel(
  server: DoorbellTransfer,
  control: SharedArrayBuffer,
  id: number,
): FsChannelTransfer {
  return { buffer: new SharedArrayBuffer(PREFIX + HEADER_MAX + FS_CHANNEL_PAYLOAD), server, control, id };
}

/** Tells the leader there is work for it: set the flag, wake it if paused or waiting. */
export function wakeLeader(control: Int32Array, bell: SabDoorbell): void {
  Atomics.or(control, CONTROL_STATE, FLAG_SERVE);
  Atomics.notify(control, CONTROL_STATE);
  bell.ringThreads();
}

const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? { $big: v.toString() } : v);
const reviver = (_k: string, v: unknown) =>
  v !== null && typeof v === 'object' && '$big' in v ? BigInt((v as { $big: string }).$big) : v;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Reply {
  e?: [FsError['code'], string, string];
  v?: unknown;
  h?: number;
}

class ChannelView {
  readonly cells: Int32Array;
  readonly bytes: Uint8Array;
  constructor(
    buffer: SharedArrayBuffer,
    readonly id?: number,
  ) {
    this.cells = new Int32Array(buffer, 0, 4);
    this.bytes = new Uint8Array(buffer);
  }
  put(message: unknown, payload?: Uint8Array): void {
    const head = encoder.encode(JSON.stringify(message, replacer));
    if (head.length > HEADER_MAX) throw new RangeError('fs channel: request header too large');
    this.bytes.set(head, PREFIX);
    this.cells[HEADER_LEN] = head.length;
    this.cells[PAYLOAD_LEN] = payload?.length ?? 0;
    if (payload) this.bytes.set(payload, PREFIX + HEADER_MAX);
  }
  message<T>(): T {
    const n = this.cells[HEADER_LEN]!;
    return JSON.parse(decoder.decode(this.bytes.slice(PREFIX, PREFIX + n)), reviver) as T;
  }
  payload(): Uint8Array {
    return this.bytes.subarray(PREFIX + HEADER_MAX, PREFIX + HEADER_MAX + this.cells[PAYLOAD_LEN]!);
  }
}

/** The client side: a GuestFs whose every call is a round trip to the filesystem worker. */
export class RemoteGuestFs implements GuestFs {
  private readonly view: ChannelView;
  private readonly server: SabDoorbell;
  private readonly control: Int32Array;

  constructor(channel: FsChannelTransfer) {
    this.view = new ChannelView(channel.buffer);
    this.server = new SabDoorbell(channel.server);
    this.control = new Int32Array(channel.control);
  }

  call(op: string, args: unknown[], payload?: Uint8Array): { reply: Reply; payload: Uint8Array } {
    const { cells } = this.view;
    this.view.put({ op, args }, payload);
    Atomics.store(cells, STATE, REQUEST);
    wakeLeader(this.control, this.server);
    while (Atomics.load(cells, STATE) !== RESPONSE) {
      Atomics.wait(cells, STATE, REQUEST, GONE_CHECK_MS);
      // The leader sets SERVER_GONE after its last answer: a request still pending then never
      // gets one (the container is ending; its other processes are being killed).
      if (
        Atomics.load(this.control, CONTROL_SERVER) === SERVER_GONE &&
        Atomics.load(cells, STATE) === REQUEST
      ) {
        Atomics.store(cells, STATE, IDLE);
        return { reply: { e: ['EIO', op, 'the container is ending'] }, payload: new Uint8Array() };
      }
    }
    const reply = this.view.message<Reply>();
    const data = this.view.payload().slice();
    Atomics.store(cells, STATE, IDLE);
    return { reply, payload: data };
  }

  private value<T>(op: string, args: unknown[]): T | FsError {
    const { reply } = this.call(op, args);
    if (reply.e) return new FsError(...reply.e);
    if (reply.h !== undefined) return new RemoteFileHandle(this, reply.h) as T;
    return reply.v as T;
  }

  stat(path: string, follow: boolean): Stat | FsError {
    return this.value('stat', [path, follow]);
  }
  open(path: string, options: OpenOptions & { follow?: boolean }): FileHandle | FsError {
    return this.value('open', [path, options]);
  }
  readdir(path: string): DirEntry[] | FsError {
    return this.value('readdir', [path]);
  }
  mkdir(path: string, mode: number): FsError | undefined {
    return this.value('mkdir', [path, mode]);
  }
  rmdir(path: string): FsError | undefined {
    return this.value('rmdir', [path]);
  }
  unlink(path: string): FsError | undefined {
    return this.value('unlink', [path]);
  }
  rename(from: string, to: string): FsError | undefined {
    return this.value('rename', [from, to]);
  }
  symlink(target: string, path: string): FsError | undefined {
    return this.value('symlink', [target, path]);
  }
  link(existing: string, path: string, follow: boolean): FsError | undefined {
    return this.value('link', [existing, path, follow]);
  }
  readlink(path: string): string | FsError {
    return this.value('readlink', [path]);
  }
  utimes(path: string, atimeNs: TimeSpec, mtimeNs: TimeSpec, follow: boolean): FsError | undefined {
    return this.value('utimes', [path, atimeNs, mtimeNs, follow]);
  }
  realpath(path: string): string | FsError {
    return this.value('realpath', [path]);
  }
}

class RemoteFileHandle implements FileHandle {
  constructor(
    private readonly fs: RemoteGuestFs,
    private readonly id: number,
  ) {}
  private op<T>(op: string, args: unknown[], payload?: Uint8Array): T | FsError {
    const { reply } = this.fs.call(op, [this.id, ...args], payload);
    return reply.e ? new FsError(...reply.e) : (reply.v as T);
  }
  stat(): Stat {
    const s = this.op<Stat>('h.stat', []);
    if (s instanceof FsError) throw s;
    return s;
  }
  read(into: Uint8Array, position: number): number | FsError {
    let done = 0;
    while (done < into.length) {
      const want = Math.min(into.length - done, FS_CHANNEL_PAYLOAD);
      const { reply, payload } = this.fs.call('h.read', [this.id, want, position + done]);
      if (reply.e) return done > 0 ? done : new FsError(...reply.e);
      into.set(payload, done);
      done += payload.length;
      if (payload.length < want) break;
    }
    return done;
  }
  write(data: Uint8Array, position: number): number | FsError {
    let done = 0;
    while (done < data.length) {
      const chunk = data.subarray(done, done + FS_CHANNEL_PAYLOAD);
      const n = this.op<number>('h.write', [position + done], chunk);
      if (n instanceof FsError) return done > 0 ? done : n;
      done += n;
      if (n < chunk.length) break;
    }
    return done;
  }
  truncate(size: number): FsError | undefined {
    return this.op('h.truncate', [size]);
  }
  utimes(atimeNs: TimeSpec, mtimeNs: TimeSpec): FsError | undefined {
    return this.op('h.utimes', [atimeNs, mtimeNs]);
  }
  chmod(mode: number): FsError | undefined {
    return this.op('h.chmod', [mode]);
  }
  sync(): FsError | undefined {
    return this.op('h.sync', []);
  }
  close(): void {
    this.op('h.close', []);
  }
}

/**
 * The server side, in the leader's worker: attached channels, answered by poll() whenever the
 * leader checks (see worker-main.ts). Open files are handles by id, closed with the server.
 */
export class FsServer {
  private channels: ChannelView[] = [];
  private readonly handles = new Map<number, FileHandle>();
  private nextHandle = 1;

  constructor(private readonly fs: GuestFs) {}

  attach(channel: FsChannelTransfer): void {
    this.channels.push(new ChannelView(channel.buffer, channel.id));
  }

  /** Forgets a channel whose process ended (its 1 MiB buffer can then be collected). */
  detach(id: number): void {
    this.channels = this.channels.filter((c) => c.id !== id);
  }

  close(): void {
    for (const h of this.handles.values()) h.close();
    this.handles.clear();
    this.channels = [];
  }

  /** Answers every pending request; whether there was one. */
  poll(): boolean {
    let served = false;
    for (const ch of this.channels) {
      if (Atomics.load(ch.cells, STATE) !== REQUEST) continue;
      served = true;
      const { op, args } = ch.message<{ op: string; args: unknown[] }>();
      let reply: Reply;
      let payload: Uint8Array | undefined;
      try {
        [reply, payload] = this.dispatch(op, args, ch.payload());
      } catch (error) {
        reply = { e: ['EIO', op, String(error)] };
      }
      ch.put(reply, payload);
      Atomics.store(ch.cells, STATE, RESPONSE);
      Atomics.notify(ch.cells, STATE);
    }
    return served;
  }

  private dispatch(op: string, args: unknown[], data: Uint8Array): [Reply, Uint8Array?] {
    const wrap = (v: unknown): Reply => (v instanceof FsError ? { e: [v.code, v.syscall, v.path] } : { v });
    if (!op.startsWith('h.')) {
      const result = (this.fs as unknown as Record<string, (...a: unknown[]) => unknown>)[op]!.apply(
        this.fs,
        args,
      );
      if (op === 'open' && !(result instanceof FsError)) {
        const id = this.nextHandle++;
        this.handles.set(id, result as FileHandle);
        return [{ h: id }];
      }
      return [wrap(result)];
    }
    const [id, ...rest] = args as [number, ...unknown[]];
    const h = this.handles.get(id);
    if (!h) return [{ e: ['EBADF', op, ''] }];
    switch (op) {
      case 'h.stat':
        return [{ v: h.stat() }];
      case 'h.read': {
        const buf = new Uint8Array(rest[0] as number);
        const n = h.read(buf, rest[1] as number);
        return n instanceof FsError ? [wrap(n)] : [{ v: n }, buf.subarray(0, n)];
      }
      case 'h.write':
        return [wrap(h.write(data.slice(), rest[0] as number))];
      case 'h.truncate':
        return [wrap(h.truncate(rest[0] as number))];
      case 'h.utimes':
        return [wrap(h.utimes(rest[0] as TimeSpec, rest[1] as TimeSpec))];
      case 'h.chmod':
        return [wrap(h.chmod(rest[0] as number))];
      case 'h.sync':
        return [wrap(h.sync())];
      case 'h.close':
        h.close();
        this.handles.delete(id);
        return [{}];
      default:
        return [{ e: ['ENOTSUP', op, ''] }];
    }
  }
}
