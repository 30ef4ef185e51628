// HostTcp on Node: node:net servers and sockets, half-open allowed so each direction of a
// connection closes on its own (HTTP clients that shut down writing still get their answer).

import { type Server, type Socket, connect, createServer } from 'node:net';
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

const ERRNO_OF: Record<string, number> = {
  ECONNREFUSED: ERRNO_CONNREFUSED,
  EHOSTUNREACH: ERRNO_HOSTUNREACH,
  ENETUNREACH: ERRNO_NETUNREACH,
  ETIMEDOUT: ERRNO_TIMEDOUT,
};
const ERRNO_CONNRESET = 15;

function wrap(socket: Socket): HostSocket {
  socket.setNoDelay(true);
  return {
    remoteAddress: socket.remoteAddress ?? '0.0.0.0',
    remotePort: socket.remotePort ?? 0,
    write: (chunk) => socket.write(chunk),
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
      socket.on('data', (chunk: Buffer) => handler(chunk));
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
    const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
      onConnection(wrap(socket)),
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
      const socket = connect({ host: ip, port, allowHalfOpen: true });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(wrap(socket));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        reject(new HostConnectError(ERRNO_OF[error.code ?? ''] ?? ERRNO_CONNRESET, error.message));
      });
    });
  }
}
