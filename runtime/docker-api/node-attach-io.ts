// The connection a client takes over (attach, exec start): after the 101 answer it carries the
// process's output — framed as [stream, 0, 0, 0, size] + bytes unless there is a TTY — and the
// client's stdin the other way, until the client half-closes its side.

import type { Socket } from 'node:net';
import { cookedInput, onlcr } from '../containers/tty-line-discipline.ts';
import { frame } from './node-api-http.ts';

export interface Attachment {
  readonly socket: Socket;
  /**
   * Where output goes when it is not the raw socket: an HTTP answer's body (an exec started
   * without taking the connection over), which frames it as HTTP needs.
   */
  readonly body?: { write(bytes: Uint8Array): unknown; end(): unknown; readonly destroyed: boolean };
  readonly tty: boolean;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

export function writer(a: Attachment, stream: 1 | 2): (chunk: Uint8Array) => void {
  const wanted = stream === 1 ? a.stdout : a.stderr;
  return (chunk) => {
    const out = a.body ?? a.socket;
    if (!wanted || out.destroyed || chunk.length === 0) return;
    out.write(a.tty ? Buffer.from(onlcr(chunk)) : frame(stream, chunk));
  };
}

/**
 * The client's stdin on the attach connection, until it half-closes (CloseWrite) its side. Read
 * with events, not the stream's async iterator, which destroys the socket at the end of input —
 * and the output still has to go out on it.
 */
export async function* socketInput(socket: Socket): AsyncGenerator<Uint8Array> {
  const queue: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  socket.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    poke();
  });
  socket.once('end', () => {
    ended = true;
    poke();
  });
  socket.once('close', () => {
    ended = true;
    poke();
  });
  socket.resume(); // a 'data' listener alone does not restart a socket that was paused
  for (;;) {
    const chunk = queue.shift();
    if (chunk) yield chunk;
    else if (ended) return;
    else await new Promise<void>((r) => (wake = r));
  }
}

/** What a session's output is: one raw stream with a TTY, else stdout and stderr in frames. */
export const streamType = (tty: boolean): string =>
  `application/vnd.docker.${tty ? 'raw' : 'multiplexed'}-stream`;

export const UPGRADED = (tty: boolean) =>
  `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${streamType(tty)}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`;

/**
 * The body of a request whose connection was taken over (exec start sends its JSON with the
 * upgrade): exactly `length` bytes off the socket; what follows is left on it (stdin).
 */
export function readUpgradeBody(socket: Socket, length: number): Promise<Buffer> {
  if (length <= 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (error?: Error) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      if (error) reject(error);
    };
    const onEnd = () => done(new Error('the connection ended inside the request body'));
    const onData = (chunk: Buffer) => {
      const need = length - got;
      chunks.push(chunk.subarray(0, need));
      got += Math.min(chunk.length, need);
      if (got < length) return;
      done();
      if (chunk.length > need) socket.unshift(chunk.subarray(need));
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

/**
 * A session's stdin from its connection; with a TTY, cooked as a pty would cook it (the client's
 * terminal is raw): echo, Enter as NL, erase, Ctrl-D, and Ctrl-C as `interrupt()`.
 */
export function sessionInput(a: Attachment, interrupt: () => void): AsyncIterable<Uint8Array> {
  const input = socketInput(a.socket);
  if (!a.tty) return input;
  return cookedInput(input, {
    echo: (bytes) => {
      if (!a.socket.destroyed) a.socket.write(Buffer.from(bytes));
    },
    interrupt,
  });
}

/** Ends a session's output (the body, or the taken-over connection). */
export function endOutput(a: Attachment): void {
  (a.body ?? a.socket).end();
}
