// A container filesystem shared by several processes. The Vfs lives in one filesystem worker
// that runs no guest code; every process of the container calls it through its own channel (a
// SharedArrayBuffer: state cell, lengths, a JSON header and a binary payload), blocking in
// Atomics.wait until the answer is there. Used only by containers whose programs start other
// processes; a single process keeps its filesystem in its own worker (no thread crossing).

import type { DirEntry, FileHandle, OpenOptions, Stat } from '../../overlay/types.ts';
import { FsError } from '../../overlay/types.ts';
import type { GuestFs, TimeSpec } from '../wasi/guest-fs.ts';
import { SabDoorbell, type DoorbellTransfer } from './doorbell.ts';

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

export interface FsChannelTransfer {
  readonly buffer: SharedArrayBuffer;
  /** Rung by clients when they post a request. */
  readonly server: DoorbellTransfer;
  /** Names the channel to the server, so it can be detached when its process ends. */
  readonly id?: number;
}

export function createFsChannel(server: DoorbellTransfer, id?: number): FsChannelTransfer {
  return {
    buffer: new SharedArrayBuffer(PREFIX + HEADER_MAX + FS_CHANNEL_PAYLOAD),
    server,
    ...(id !== undefined ? { id } : {}),
  };
}

/** One turn of the event loop, so queued messages are delivered. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

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

  constructor(channel: FsChannelTransfer) {
    this.view = new ChannelView(channel.buffer);
    this.server = new SabDoorbell(channel.server);
  }

  call(op: string, args: unknown[], payload?: Uint8Array): { reply: Reply; payload: Uint8Array } {
    const { cells } = this.view;
    this.view.put({ op, args }, payload);
    Atomics.store(cells, STATE, REQUEST);
    this.server.ring();
    while (Atomics.load(cells, STATE) !== RESPONSE) Atomics.wait(cells, STATE, REQUEST);
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

/** How long the server blocks before it lets its event loop run anyway (ms). */
const SERVE_SLICE_MS = 50;

/**
 * The server side, in the filesystem worker: answers every channel whose state is REQUEST, then
 * blocks in Atomics.wait for the next ring. The worker runs no guest code, so blocking it is free,
 * and a futex wake-up is several times cheaper than a trip through Atomics.waitAsync and the event
 * loop (measured: stat 55 µs -> see ARCHITECTURE.md). Messages (attach, detach, close) are taken
 * when a ring brought no request (their sender rings after posting) or after SERVE_SLICE_MS.
 */
export class FsServer {
  private channels: ChannelView[] = [];
  private readonly handles = new Map<number, FileHandle>();
  private nextHandle = 1;
  private stopped = false;
  private readonly bell: SabDoorbell;

  constructor(
    private readonly fs: GuestFs,
    bell: DoorbellTransfer,
  ) {
    this.bell = new SabDoorbell(bell);
  }

  attach(channel: FsChannelTransfer): void {
    this.channels.push(new ChannelView(channel.buffer, channel.id));
    this.serveReady();
  }

  /** Forgets a channel whose process ended (its 1 MiB buffer can then be collected). */
  detach(id: number): void {
    this.channels = this.channels.filter((c) => c.id !== id);
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      const seq = this.bell.seq();
      if (this.serveReady()) continue;
      this.bell.wait(seq, SERVE_SLICE_MS);
      if (this.bell.seq() === seq || !this.hasRequest()) await yieldToEventLoop();
    }
  }

  private hasRequest(): boolean {
    return this.channels.some((ch) => Atomics.load(ch.cells, STATE) === REQUEST);
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.handles.values()) h.close();
    this.handles.clear();
    this.bell.ring();
  }

  /** Answers every pending request; whether there was one. */
  private serveReady(): boolean {
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
