// A misbehaving registry peer for tests: an HTTP server on 127.0.0.1 that forwards every request
// to a real docker-registry and can corrupt, truncate, enlarge or relabel what comes back — the
// faults a bad mirror or a broken network produce. The registry behind it is real.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Fault =
  | { kind: 'none' }
  /** Flip one byte of every blob body (same length). */
  | { kind: 'corrupt-blobs' }
  /** Send the headers of a full blob (of at least minSize bytes), then half its bytes, then drop the connection. */
  | { kind: 'truncate-blobs'; minSize?: number }
  /** Hold every blob GET this long before answering (to observe concurrency). */
  | { kind: 'slow-blobs'; delayMs: number }
  /** Answer manifest GETs with these bytes and content type. */
  | {
      kind: 'manifest';
      body: Uint8Array | (() => AsyncIterable<Uint8Array>);
      contentType: string;
      chunked?: boolean;
    };

export interface FaultyPeer {
  readonly host: string;
  readonly url: string;
  fault: Fault;
  /** Requests seen: method, path, the Range and Connection headers. */
  readonly seen: { method: string; path: string; range?: string; connection?: string }[];
  /** Most blob GETs in flight at once. */
  readonly maxBlobsInFlight: number;
  stop(): Promise<void>;
}

export async function startFaultyPeer(
  upstream: string,
  fault: Fault = { kind: 'none' },
): Promise<FaultyPeer> {
  const seen: FaultyPeer['seen'] = [];
  const peer = { fault } as { fault: Fault };
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch(() => res.destroy());
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/';
    seen.push({
      method: req.method ?? 'GET',
      path,
      range: req.headers.range,
      connection: req.headers.connection,
    });
    const f = peer.fault;
    if (f.kind === 'manifest' && path.includes('/manifests/') && req.method === 'GET') {
      if (typeof f.body === 'function') {
        res.writeHead(200, { 'Content-Type': f.contentType });
        for await (const chunk of f.body())
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        res.end();
      } else {
        const headers: Record<string, string> = { 'Content-Type': f.contentType };
        if (!f.chunked) headers['Content-Length'] = String(f.body.byteLength);
        res.writeHead(200, headers).end(f.body);
      }
      return;
    }
    const blobGet = /\/blobs\/sha256:/.test(path) && req.method === 'GET';
    if (blobGet) maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      if (blobGet && f.kind === 'slow-blobs') await new Promise((r) => setTimeout(r, f.delayMs));
      await forward(req, res, path, f);
    } finally {
      if (blobGet) inFlight--;
    }
  }
  async function forward(req: IncomingMessage, res: ServerResponse, path: string, f: Fault) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host') headers[k] = v;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const up = await fetch(upstream + path, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      redirect: 'manual',
    });
    let body = new Uint8Array(await up.arrayBuffer());
    const isBlob = /\/blobs\/sha256:/.test(path) && req.method === 'GET' && up.ok;
    const out: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (
        k !== 'content-length' &&
        k !== 'transfer-encoding' &&
        k !== 'connection' &&
        k !== 'content-encoding'
      )
        out[k] = v;
    });
    if (isBlob && f.kind === 'corrupt-blobs' && body.byteLength > 0) {
      body = body.slice();
      body[body.byteLength >> 1]! ^= 0xff;
    }
    if (isBlob && f.kind === 'truncate-blobs' && body.byteLength > Math.max(1, f.minSize ?? 0)) {
      res.writeHead(up.status, { ...out, 'Content-Length': String(body.byteLength) });
      res.write(body.subarray(0, body.byteLength >> 1), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    const length =
      req.method === 'HEAD' ? (up.headers.get('content-length') ?? '0') : String(body.byteLength);
    res.writeHead(up.status, { ...out, 'Content-Length': length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    get fault() {
      return peer.fault;
    },
    set fault(f: Fault) {
      peer.fault = f;
    },
    seen,
    get maxBlobsInFlight() {
      return maxInFlight;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
