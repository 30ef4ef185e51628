// Appends the body of one plain-HTTP/1.1 GET to a blob file, read straight from its socket on the
// thread that writes and hashes it. Measured on a 50 MB pull: node:http costs ~110 ms of CPU to
// receive the bytes (parser callbacks, a fresh buffer per read, stream events), a socket read
// into one reused 1 MiB buffer ~25 ms; SHA-256 itself is ~125 ms, so the receive was nearly half
// the work. Only the plain case is taken: 200 (or 206 from the asked offset) with a
// Content-Length of exactly the bytes still missing. Anything else (401, a redirect, chunked,
// an error) is `declined` with nothing written, and the caller goes through its ordinary client.
//
// `ingestHttpBody` is self-contained (only its parameters and globals), because the ingest
// worker evaluates its source text (node-ingest-workers.ts) as well as this thread calling it.

import type { HttpIngestOutcome, HttpIngestRequest } from './content-store.ts';

/** The parts of node:net and node:fs used (passed in: the worker has its own). */
export interface HttpIngestDeps {
  readonly net: typeof import('node:net');
  readonly fs: typeof import('node:fs');
}

export interface HttpIngestHandle {
  cancel(reason: string): void;
}

export function ingestHttpBody(
  deps: HttpIngestDeps,
  req: HttpIngestRequest,
  fd: number,
  hash: { update(chunk: Uint8Array): unknown },
  onProgress: (received: number) => void,
  onDone: (outcome: HttpIngestOutcome) => void,
): HttpIngestHandle {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let head: Buffer | undefined;
  let inBody = false;
  let remaining = 0;
  let received = 0;
  let reads = 0;
  let lastReads = -1;
  let lastProgress = Date.now();
  let finished = false;
  const finish = (outcome: HttpIngestOutcome) => {
    if (finished) return;
    finished = true;
    clearInterval(idle);
    socket.destroy();
    onDone(outcome);
  };
  const interrupted = (message: string) => finish({ kind: 'interrupted', received, message });
  const append = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) at += deps.fs.writeSync(fd, chunk, at, chunk.length - at);
    hash.update(chunk);
    received += chunk.length;
    remaining -= chunk.length;
  };
  const body = (chunk: Buffer) => {
    const take = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    try {
      append(take);
    } catch (e) {
      const err = e as { message?: string; code?: string };
      finish({ kind: 'failed', received, message: String(err.message), code: err.code });
      return;
    }
    if (remaining === 0) {
      finish({ kind: 'complete', received });
      return;
    }
    const now = Date.now();
    if (now - lastProgress >= 100) {
      lastProgress = now;
      onProgress(received);
    }
  };
  const headers = (chunk: Buffer) => {
    head = head ? Buffer.concat([head, chunk]) : Buffer.from(chunk);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > 64 * 1024)
        finish({ kind: 'declined', status: 0, message: 'response head too large' });
      return;
    }
    const lines = head.toString('latin1', 0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
    const fields = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const want = req.size - req.offset;
    const length = fields.get('content-length');
    const rangeStart = /^bytes (\d+)-/.exec(fields.get('content-range') ?? '')?.[1];
    const expected = req.offset === 0 ? status === 200 : status === 206 && Number(rangeStart) === req.offset;
    if (!expected || fields.has('transfer-encoding') || length === undefined || Number(length) !== want) {
      finish({ kind: 'declined', status, message: `HTTP ${status}` });
      return;
    }
    inBody = true;
    remaining = want;
    const rest = head.subarray(end + 4);
    head = undefined;
    if (rest.length > 0) body(rest);
    else if (remaining === 0) finish({ kind: 'complete', received });
  };
  const socket = deps.net.connect({
    host: req.host,
    port: req.port,
    onread: {
      buffer,
      callback: (n: number, buf: Uint8Array) => {
        reads++;
        if (finished) return false;
        const chunk = Buffer.from(buf.buffer, buf.byteOffset, n);
        if (inBody) body(chunk);
        else headers(chunk);
        return !finished;
      },
    },
  });
  socket.setNoDelay(true);
  socket.on('connect', () => socket.write(req.head));
  socket.on('error', (e) => interrupted(e.message));
  socket.on('close', () => interrupted('connection closed before the body ended'));
  // A coarse idle check instead of socket.setTimeout, which re-arms a timer on every read.
  const idle = setInterval(
    () => {
      if (reads !== lastReads) lastReads = reads;
      else interrupted(`no data for ${req.idleMs} ms`);
    },
    Math.max(10, req.idleMs),
  );
  if (typeof idle === 'object' && idle && 'unref' in idle) idle.unref();
  return { cancel: (reason) => interrupted(reason) };
}
