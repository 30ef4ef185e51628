// Newline-delimited JSON over a Node stream socket, both directions. A partial line waits for
// the rest; an oversized line (a broken peer) ends the connection rather than growing forever.

import type { Socket } from 'node:net';

const MAX_LINE = 64 * 1024 * 1024;

export class JsonLines<In, Out> {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    readonly socket: Socket,
    onMessage: (message: In) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
        this.pending = [];
        this.pendingBytes = 0;
        start = nl + 1;
        if (line.length === 0) continue;
        let message: In;
        try {
          message = JSON.parse(line.toString('utf8')) as In;
        } catch {
          socket.destroy();
          return;
        }
        onMessage(message);
      }
      if (start < chunk.length) {
        this.pending.push(chunk.subarray(start));
        this.pendingBytes += chunk.length - start;
        if (this.pendingBytes > MAX_LINE) socket.destroy();
      }
    });
  }

  /** Writes one message; false when the socket's buffer is full (wait for 'drain'). */
  send(message: Out): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    return this.socket.write(`${JSON.stringify(message)}\n`);
  }
}
