// HostTcp on Node: node:net servers and sockets, half-open allowed so each direction of a
// connection closes on its own (HTTP clients that shut down writing still get their answer).

import type * as Net from 'node:net';
import type { Server, Socket } from 'node:net';
import {
  ERRNO_CONNREFUSED,
  ERRNO_HOSTUNREACH,
  ERRNO_NETUNREACH,
  ERRNO_TIMEDOUT,
} from '../../shims/net/net-protocol.ts';
import {
  HostConnectError,
  type HostServer,
  type HostSocket,
  type HostTcp,
  PortAllocatedError,
} from './host-tcp.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

/** node:net, loaded with the first listener or connection (a `run` without ports needs none). */
const net = (): typeof Net => builtin('node:net');

const ERRNO_OF: Record<string, number> = {
  ECONNREFUSED: ERRNO_CONNREFUSED,
  EHOSTUNREACH: ERRNO_HOSTUNREACH,
  ENETUNREACH: ERRNO_NETUNREACH,
  ETIMEDOUT: ERRNO_TIMEDOUT,
};
const ERRNO_CONNRESET = 15;

/** The fd libuv holds for a TCP socket (Unix; undefined on Windows or before it connected). */
function fdOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * What libuv reads into: one buffer for every socket of this process, because reads are handled
 * one at a time on this thread and each handler copies its bytes out before returning. Without it
 * every read allocates a 64 KiB Buffer and goes through the stream's queue and 'data' event, which
 * cost more engine CPU per HTTP request than the read itself.
 */
const READ_BUFFER = new Uint8Array(64 * 1024);

/** Where a socket's bytes go: the handler once attached, a queue (of copies) before that. */
export interface Reader {
  handler?: (chunk: Uint8Array) => void;
  readonly early: Uint8Array[];
}

/** The read callback: true keeps reading (the bridge pauses the socket itself when full). */
const reading =
  (reader: Reader) =>
  (nread: number, buffer: Uint8Array): boolean => {
    const chunk = buffer.subarray(0, nread);
    if (reader.handler) reader.handler(chunk);
    else reader.early.push(chunk.slice());
    return true;
  };

/**
 * Makes a server's socket read into READ_BUFFER, as the documented `onread` option of
 * net.connect() does for client sockets: net.Server has no such option, so the socket's own
 * fields for it are set, found by their names. False (the socket stays on 'data' events) when
 * this Node has no such fields.
 */
export function useReadBuffer(socket: Socket, reader: Reader): boolean {
  const fields = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const buffer = fields.get('kBuffer');
  const callback = fields.get('kBufferCb');
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } })._handle;
  if (!buffer || !callback || !fields.has('kBufferGen') || typeof handle?.useUserBuffer !== 'function')
    return false;
  const target = socket as unknown as Record<symbol, unknown>;
  target[buffer] = READ_BUFFER;
  target[callback] = reading(reader);
  handle.useUserBuffer(READ_BUFFER);
  return true;
}

/**
 * `reader` is set when the socket reads into READ_BUFFER (its reading starts at onData);
 * otherwise bytes come as 'data' events.
 */
function wrap(socket: Socket, reader?: Reader): HostSocket {
  socket.setNoDelay(true);
  const fd = fdOf(socket);
  return {
    remoteAddress: socket.remoteAddress ?? '0.0.0.0',
    remotePort: socket.remotePort ?? 0,
    ...(fd !== undefined ? { fd } : {}),
    write: (chunk, flushed) => socket.write(chunk, flushed && (() => flushed())),
    holdClose: (hook) => {
      // Stream's destroy() closes the fd in _destroy (also after a read or write error).
      const destroy = socket._destroy;
      socket._destroy = (error, callback) => hook(() => destroy.call(socket, error, callback));
    },
    drained: () =>
      new Promise((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      }),
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.destroy();
    },
    pause: () => {
      socket.pause();
    },
    resume: () => {
      socket.resume();
    },
    onData: (handler) => {
      if (reader) {
        reader.handler = handler;
        for (const chunk of reader.early.splice(0)) handler(chunk);
      } else socket.on('data', (chunk: Buffer) => handler(chunk));
      socket.resume();
    },
    onEnd: (handler) => {
      socket.on('end', handler);
    },
    onClose: (handler) => {
      socket.on('close', handler);
      socket.on('error', () => {}); // 'close' follows every error
    },
  };
}

export class NodeHostTcp implements HostTcp {
  listen(ip: string, port: number, onConnection: (socket: HostSocket) => void): Promise<HostServer> {
    // Paused until the bridge takes the bytes (onData), so the read buffer is in place first.
    const server: Server = net().createServer(
      { allowHalfOpen: true, noDelay: true, pauseOnConnect: true },
      (socket) => {
        const reader: Reader = { early: [] };
        onConnection(wrap(socket, useReadBuffer(socket, reader) ? reader : undefined));
      },
    );
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' || error.code === 'EACCES')
          reject(new PortAllocatedError(ip, port, { cause: error }));
        else reject(error);
      });
      server.listen({ host: ip, port, exclusive: true }, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        server.unref();
        resolve({
          ip,
          port: bound,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
    });
  }

  connect(ip: string, port: number): Promise<HostSocket> {
    return new Promise((resolve, reject) => {
      const reader: Reader = { early: [] };
      const socket = net().connect({
        host: ip,
        port,
        allowHalfOpen: true,
        onread: { buffer: READ_BUFFER, callback: reading(reader) },
      });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(wrap(socket, reader));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        reject(new HostConnectError(ERRNO_OF[error.code ?? ''] ?? ERRNO_CONNRESET, error.message));
      });
    });
  }
}
