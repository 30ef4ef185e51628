// A fetch over node:http / node:https for registries reached without a proxy: keep-alive
// connections, bodies read as Node's own Buffers (no web-stream layer), and fetch's rules where
// the registry client relies on them: redirects followed (Authorization dropped when the origin
// changes, as fetch does), a network failure is a rejected promise, a HEAD has no body.

import type * as Http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpBody, HttpBodyReader, HttpReadResult, HttpRequestInit, HttpResponse } from './transport.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

export interface NodeHttpOptions {
  /** Time allowed with no traffic on the connection (waiting for headers or between body chunks), ms. */
  readonly idleTimeout: number;
  readonly connectTimeout: number;
}

const MAX_REDIRECTS = 20;

class NodeHttpResponse implements HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: HttpBody | null;

  constructor(
    private readonly msg: IncomingMessage,
    method: string,
  ) {
    this.status = msg.statusCode ?? 0;
    this.statusText = msg.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    const raw = msg.headers;
    this.headers = {
      get: (name) => {
        const v = raw[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    };
    const bodiless = method === 'HEAD' || this.status === 204 || this.status === 304;
    if (bodiless) msg.resume();
    this.body = bodiless ? null : bodyOf(msg);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (!this.body) return new ArrayBuffer(0);
    const chunks: Buffer[] = [];
    for await (const c of this.msg) chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }

  async json(): Promise<unknown> {
    return JSON.parse(new TextDecoder().decode(await this.arrayBuffer()));
  }
}

/** Chunks queued before the stream is paused (about 1 MiB of 64 KiB reads). */
const HIGH_WATER = 16;

/**
 * The body through 'data' events and a small queue: half the CPU of Node's async iterator over
 * the same stream, which matters at hundreds of MB/s.
 */
function bodyOf(msg: IncomingMessage): HttpBody {
  const cancel = async () => {
    // Dropping an unread body closes the connection; a short body already read keeps it.
    if (!msg.complete) msg.destroy();
    else msg.resume();
  };
  const getReader = (): HttpBodyReader => {
    const queue: Buffer[] = [];
    let ended = false;
    let failure: Error | undefined;
    let waiting: { resolve: (r: HttpReadResult) => void; reject: (e: Error) => void } | undefined;
    const wake = () => {
      const w = waiting;
      if (!w) return;
      if (queue.length > 0) {
        waiting = undefined;
        w.resolve({ done: false, value: queue.shift()! });
      } else if (failure) {
        waiting = undefined;
        w.reject(failure);
      } else if (ended) {
        waiting = undefined;
        w.resolve({ done: true });
      }
    };
    msg.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      if (queue.length >= HIGH_WATER) msg.pause();
      wake();
    });
    msg.on('end', () => {
      ended = true;
      wake();
    });
    msg.on('error', (e) => {
      failure ??= e;
      wake();
    });
    msg.on('close', () => {
      if (!msg.complete) failure ??= new Error('connection closed before the body ended');
      ended = true;
      wake();
    });
    return {
      read: () => {
        if (queue.length > 0) {
          const value = queue.shift()!;
          if (queue.length < HIGH_WATER / 2 && msg.isPaused()) msg.resume();
          return Promise.resolve({ done: false, value });
        }
        if (failure) return Promise.reject(failure);
        if (ended) return Promise.resolve({ done: true });
        if (msg.isPaused()) msg.resume();
        return new Promise<HttpReadResult>((resolve, reject) => {
          waiting = { resolve, reject };
        });
      },
      cancel,
    };
  };
  return { getReader, cancel };
}

/**
 * Fails a request whose connection moved no bytes either way for `idleMs` (waiting for headers,
 * between body chunks, or an upload that stalls). A coarse check of the socket's byte counts
 * instead of socket.setTimeout, which re-arms a timer on every read: measurable at hundreds of
 * reads per layer.
 */
function watchIdle(socket: Socket, idleMs: number, onIdle: () => void): ReturnType<typeof setInterval> {
  // Bytes actually sent: bytesWritten also counts what still waits in the socket's buffer.
  const moved = () => socket.bytesRead + socket.bytesWritten - socket.writableLength;
  let seen = moved();
  let since = Date.now();
  const timer = setInterval(
    () => {
      const now = Date.now();
      const n = moved();
      if (n !== seen) {
        seen = n;
        since = now;
      } else if (now - since >= idleMs) {
        clearInterval(timer);
        onIdle();
      }
    },
    Math.max(10, Math.min(1000, idleMs / 4)),
  );
  timer.unref();
  return timer;
}

export function createNodeHttpFetch(opts: NodeHttpOptions) {
  const agentOpts = { keepAlive: true, maxSockets: 16 };
  // node:http and node:https (with tls, ~8 ms) load at their first request: a pull from a
  // plain-HTTP registry may never make one (node-plain-get.ts, the store's own sockets).
  const clients: Partial<Record<'http:' | 'https:', { request: typeof Http.request; agent: Http.Agent }>> =
    {};
  const client = (protocol: 'http:' | 'https:') => {
    let c = clients[protocol];
    if (!c) {
      const mod = (protocol === 'https:' ? builtin('node:https') : builtin('node:http')) as typeof Http;
      c = clients[protocol] = { request: mod.request, agent: new mod.Agent(agentOpts) };
    }
    return c;
  };

  const once = (url: URL, init: HttpRequestInit, method: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const { request: send, agent } = client(url.protocol === 'https:' ? 'https:' : 'http:');
      const headers: Record<string, string> = { ...init.headers };
      const body = init.body;
      if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
        headers['Content-Length'] = String(body.byteLength);
      }
      const req = send(url, {
        method,
        headers,
        agent,
        signal: init.signal,
      });
      let connectTimer: ReturnType<typeof setTimeout> | undefined;
      let idleTimer: ReturnType<typeof setInterval> | undefined;
      req.on('socket', (socket) => {
        idleTimer = watchIdle(socket, opts.idleTimeout, () =>
          req.destroy(new Error(`no answer for ${opts.idleTimeout} ms`)),
        );
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () => req.destroy(new Error(`connect timeout after ${opts.connectTimeout} ms`)),
          opts.connectTimeout,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('close', () => clearInterval(idleTimer));
      req.on('error', (e) => {
        clearTimeout(connectTimer);
        reject(e);
      });
      req.on('response', (msg) => {
        clearTimeout(connectTimer);
        resolve(msg);
      });
      req.end(body);
    });

  return async (input: string, init: HttpRequestInit = {}): Promise<HttpResponse> => {
    let url = new URL(input);
    let method = (init.method ?? 'GET').toUpperCase();
    let current = init;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
      }
      const msg = await once(url, current, method);
      const status = msg.statusCode ?? 0;
      const location = msg.headers.location;
      if (![301, 302, 303, 307, 308].includes(status) || !location) return new NodeHttpResponse(msg, method);
      msg.resume();
      if (hop >= MAX_REDIRECTS) throw new TypeError('fetch failed: redirect count exceeded');
      const next = new URL(location, url);
      const headers = { ...current.headers };
      if (next.origin !== url.origin) {
        for (const h of Object.keys(headers)) if (h.toLowerCase() === 'authorization') delete headers[h];
      }
      let body = current.body;
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        for (const h of Object.keys(headers)) if (/^content-(length|type|range)$/i.test(h)) delete headers[h];
      }
      current = { ...current, headers, body };
      url = next;
    }
  };
}
