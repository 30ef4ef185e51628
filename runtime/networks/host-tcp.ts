// Real TCP on the host, as the network stack needs it: listeners for published ports and
// outbound connections (host.berth.internal, addresses outside berth). Node implements it in
// node-host-tcp.ts; a browser engine has none (publishing goes to preview URLs there).

import { BerthError } from '../errors.ts';

export interface HostSocket {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /**
   * The OS file descriptor, when the platform has one a worker can write to (host-outlet.ts);
   * then the bridge guards its closing with holdClose().
   */
  readonly fd?: number;
  /**
   * False when the socket's own buffer is full: wait for drained() before writing more.
   * `flushed` runs once the chunk is in the OS's hands.
   */
  write(chunk: Uint8Array, flushed?: () => void): boolean;
  drained(): Promise<void>;
  /**
   * Runs `hook` before the socket's fd is closed, whoever closes it (an error, destroy()); the
   * close proceeds when the hook calls `proceed`.
   */
  holdClose(hook: (proceed: () => void) => void): void;
  /** Half-close: no more bytes from us. */
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  /** Starts reading. `chunk` is valid during the call only (copy what you keep). */
  onData(handler: (chunk: Uint8Array) => void): void;
  onEnd(handler: () => void): void;
  onClose(handler: () => void): void;
}

export interface HostServer {
  readonly ip: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface HostTcp {
  /** Rejects with PortAllocatedError when the address is taken. Port 0 picks a free one. */
  listen(ip: string, port: number, onConnection: (socket: HostSocket) => void): Promise<HostServer>;
  /** Rejects with HostConnectError (a WASI errno inside). */
  connect(ip: string, port: number): Promise<HostSocket>;
}

export class PortAllocatedError extends BerthError {
  override readonly code = 'BERTH_PORT_ALLOCATED' as const;
  constructor(ip: string, port: number, options?: { cause?: unknown }) {
    super(
      `driver failed programming external connectivity: Bind for ${ip}:${port} failed: port is already allocated`,
      options,
    );
  }
}

export class HostConnectError extends Error {
  readonly code = 'BERTH_HOST_CONNECT' as const;
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = 'HostConnectError';
  }
}
