// Host sockets as the engine's bridges use them: a server's sockets read into one shared buffer
// (net.Server has no `onread` option, so berth sets the stream's own fields — this test notices
// when a Node release renames them), bytes lent to the handler, and a close that waits.
import { type Socket, connect, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostServer, HostSocket } from '../../runtime/networks/host-tcp.ts';
import { NodeHostTcp, type Reader, useReadBuffer } from '../../runtime/networks/node-host-tcp.ts';

const tcp = new NodeHostTcp();
const servers: HostServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** A published-port-like listener and one client connected to it. */
async function pairUp(): Promise<{ host: HostSocket; client: Socket }> {
  let take!: (s: HostSocket) => void;
  const accepted = new Promise<HostSocket>((r) => (take = r));
  const server = await tcp.listen('127.0.0.1', 0, take);
  servers.push(server);
  const client = connect({ host: '127.0.0.1', port: server.port });
  return { host: await accepted, client };
}

const payload = (size: number) => Buffer.from(new Uint8Array(size).map((_, i) => (i * 31 + 7) & 255));

describe('NodeHostTcp', () => {
  it("this Node's server sockets can read into the shared buffer", async () => {
    const server = createServer({ pauseOnConnect: true });
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = connect({ host: '127.0.0.1', port });
    const socket = await accepted;
    const chunks: Buffer[] = [];
    const reader: Reader = { early: [], handler: (c) => chunks.push(Buffer.from(c)) };
    expect(useReadBuffer(socket, reader)).toBe(true);
    socket.resume();
    const data = payload(300 << 10);
    client.end(data);
    await new Promise((r) => socket.once('end', r));
    expect(Buffer.compare(Buffer.concat(chunks), data)).toBe(0);
    socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('hands every byte to onData, in order, across pauses', async () => {
    const { host, client } = await pairUp();
    expect(host.fd).toBeGreaterThan(2);
    const kept: Uint8Array[] = [];
    let paused = 0;
    host.onData((chunk) => {
      kept.push(chunk.slice()); // lent: the next read reuses the buffer
      if (kept.length % 3 === 0) {
        host.pause();
        paused++;
        setTimeout(() => host.resume(), 2);
      }
    });
    const ended = new Promise<void>((r) => host.onEnd(r));
    const data = payload(2 << 20);
    client.end(data);
    await ended;
    expect(paused).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.concat(kept), data)).toBe(0);
    client.destroy();
    host.destroy();
  });

  it('holds the close until the hook lets it proceed, whoever closes', async () => {
    const { host, client } = await pairUp();
    host.onData(() => {});
    let proceed: (() => void) | undefined;
    host.holdClose((p) => (proceed = p));
    let closed = false;
    host.onClose(() => (closed = true));
    client.resetAndDestroy(); // the engine side errors and destroys itself
    await new Promise((r) => setTimeout(r, 100));
    expect(proceed).toBeDefined();
    expect(closed).toBe(false);
    // The fd is still ours: writing to it is harmless (the peer is gone), not someone else's.
    expect(host.fd).toBeGreaterThan(2);
    proceed!();
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });

  it('connect() reads into the shared buffer too (onread) and writes back', async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = (echo.address() as { port: number }).port;
    const sock = await tcp.connect('127.0.0.1', port);
    const kept: Uint8Array[] = [];
    const data = payload(1 << 20);
    const all = new Promise<void>((r) =>
      sock.onData((c) => {
        kept.push(c.slice());
        if (kept.reduce((n, k) => n + k.length, 0) === data.length) r();
      }),
    );
    let flushed = 0;
    sock.write(data, () => flushed++);
    await all;
    expect(flushed).toBe(1);
    expect(Buffer.compare(Buffer.concat(kept), data)).toBe(0);
    sock.destroy();
    await new Promise<void>((r) => echo.close(() => r()));
  });
});
