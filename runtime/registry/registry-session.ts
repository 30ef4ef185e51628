// One conversation with one registry endpoint: builds URLs, adds authorization, answers a 401
// challenge once, and turns network failures into clear errors naming the registry.

import type { Credentials } from '../config/auth-config.ts';
import { Authorizer, causeText } from './authorizer.ts';
import type { RegistryEndpoint } from './endpoints.ts';
import { registryFailure } from './registry-errors.ts';
import type { Fetcher, HttpReadResult, HttpResponse, PlainAnswer } from './transport.ts';

/** A plain-HTTP GET ready to send on a connection of its own (RegistrySession.plainGet). */
export interface PlainGet {
  readonly host: string;
  readonly port: number;
  /** Request line and headers, CRLF-terminated. */
  readonly head: string;
  readonly idleMs: number;
}

export interface SessionRequest {
  readonly method?: string;
  /** A path under the base URL (`/v2/…`) or an absolute URL (an upload Location). */
  readonly path: string;
  /** Token scopes, e.g. `repository:library/ubuntu:pull`. */
  readonly scopes: readonly string[];
  readonly headers?: Record<string, string>;
  /** Must be re-sendable (bytes), since a 401 is answered by sending it again. */
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal;
}

export class RegistrySession {
  readonly authorizer: Authorizer;
  constructor(
    readonly endpoint: RegistryEndpoint,
    private readonly fetcher: Fetcher,
    credentials: Credentials | undefined,
  ) {
    this.authorizer = new Authorizer(fetcher, endpoint.registry, credentials);
  }

  /** `host[:port]` of the endpoint, for messages. */
  get host(): string {
    return new URL(this.endpoint.baseUrl).host;
  }

  url(path: string): string {
    return new URL(path, `${this.endpoint.baseUrl}/`).toString();
  }

  async send(req: SessionRequest): Promise<HttpResponse> {
    const url = this.url(req.path);
    const method = req.method ?? 'GET';
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorizer.header(req.scopes);
      const headers: Record<string, string> = { 'User-Agent': 'berth/0.1', ...req.headers };
      if (auth) headers.Authorization = auth;
      let res: HttpResponse;
      try {
        res = await this.fetcher(url, {
          method,
          headers,
          body: req.body,
          signal: req.signal,
        });
      } catch (e) {
        if (req.signal?.aborted) throw e;
        throw registryFailure(
          `${capitalized(method)} "${url}": cannot reach ${this.host}: ${causeText(e)}`,
          e,
        );
      }
      if (res.status !== 401 || attempt > 0) return res;
      const retry = await this.authorizer.handleUnauthorized(res, req.scopes, auth !== undefined);
      if (!retry) return res;
      await res.body?.cancel();
    }
  }

  /**
   * A GET that another thread may send on a plain-HTTP connection of its own: the request head
   * with this session's authorization. Undefined for https, a proxied URL, or a fetcher that
   * cannot say (the browser's). A 401 or redirect it meets is left to send() (the caller falls
   * back), so the challenge is answered as always.
   */
  async plainGet(
    path: string,
    scopes: readonly string[],
    extra: Record<string, string> = {},
  ): Promise<PlainGet | undefined> {
    const url = new URL(this.url(path));
    const direct = url.protocol === 'http:' ? this.fetcher.direct?.(url.toString()) : undefined;
    if (!direct) return undefined;
    const auth = await this.authorizer.header(scopes);
    const headers: Record<string, string> = { Host: url.host, 'User-Agent': 'berth/0.1', ...extra };
    if (auth) headers.Authorization = auth;
    headers.Connection = 'close';
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    if (lines.some((l) => /[\r\n]/.test(l.slice(0, -2)))) return undefined;
    return {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || 80),
      head: `GET ${url.pathname}${url.search} HTTP/1.1\r\n${lines.join('')}\r\n`,
      idleMs: direct.idleMs,
    };
  }

  /**
   * A small GET (a manifest) sent on a plain-HTTP connection of its own, without the HTTP client:
   * the response when the answer is a 200 of at most `maxBytes`, else undefined — a 401, a
   * redirect or an error is then met by send() as always. `onSent`: see Fetcher.plainGet.
   */
  async sendPlain(
    path: string,
    scopes: readonly string[],
    headers: Record<string, string>,
    maxBytes: number,
    onSent?: () => void,
  ): Promise<HttpResponse | undefined> {
    if (!this.fetcher.plainGet) return undefined;
    const req = await this.plainGet(path, scopes, headers);
    const answer = req && (await this.fetcher.plainGet(req, maxBytes, onSent));
    return answer && plainResponse(answer);
  }

  /** Whether plainGet can give requests for this endpoint. */
  get plainGets(): boolean {
    const url = this.endpoint.baseUrl;
    return url.startsWith('http:') && this.fetcher.direct?.(url) !== undefined;
  }

  /** Pings `/v2/` so a login can check credentials before saving them. */
  async checkLogin(): Promise<HttpResponse> {
    return this.send({ path: '/v2/', scopes: [] });
  }
}

/** A PlainAnswer as a response: its body read as one chunk. */
function plainResponse(answer: PlainAnswer): HttpResponse {
  const bytes = answer.body;
  let unread = true;
  const reader = {
    read: async (): Promise<HttpReadResult> => {
      if (!unread) return { done: true };
      unread = false;
      return { done: false, value: bytes };
    },
    cancel: async () => {},
  };
  return {
    status: answer.status,
    statusText: 'OK',
    ok: true,
    headers: { get: (name) => answer.headers.get(name.toLowerCase()) ?? null },
    body: { getReader: () => reader, cancel: async () => {} },
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    json: async () => JSON.parse(new TextDecoder().decode(bytes)),
  };
}

function capitalized(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

/** Reads a body to the end, refusing more than `max` bytes (a manifest or an error body). */
export async function readBounded(res: HttpResponse, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw registryFailure(`${what}: too large (${declared} bytes; limit ${max})`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw registryFailure(`${what}: too large (more than ${max} bytes)`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
