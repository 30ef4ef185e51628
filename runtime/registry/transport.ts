// The one HTTP primitive the registry client needs: a fetch. The browser's own fetch fits it as
// is; on Node (node-transport.ts) plain node:http answers with a lighter response whose body is
// read as Node's own chunks, because web streams cost more than the hashing of a big layer.

import type { PlainGet } from './registry-session.ts';

export interface HttpHeaders {
  get(name: string): string | null;
}

export type HttpReadResult = { done: true; value?: undefined } | { done: false; value: Uint8Array };

export interface HttpBodyReader {
  read(): Promise<HttpReadResult>;
  cancel(): Promise<void>;
}

/** A response body: read once, through one reader, or cancelled. */
export interface HttpBody {
  getReader(): HttpBodyReader;
  cancel(): Promise<void>;
}

/** The part of fetch's Response the registry client uses (a Response is one). */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: HttpHeaders;
  /** Null for a HEAD and for bodiless answers. */
  readonly body: HttpBody | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
}

export interface HttpRequestInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal;
}

/** A whole small answer read by Fetcher.plainGet: a 200 and its body. */
export interface PlainAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
}

export type Fetcher = ((url: string, init?: HttpRequestInit) => Promise<HttpResponse>) & {
  /**
   * Node only: set when `url` is reached straight (no proxy), so a blob download may open its own
   * plain-HTTP connection on the thread that stores it; gives the idle timeout to keep.
   */
  readonly direct?: (url: string) => { readonly idleMs: number } | undefined;
  /**
   * Node only: sends a small GET built by RegistrySession.plainGet on a connection of its own;
   * the answer when it is a 200 of at most `maxBytes`, else undefined (then send it as usual).
   * `onSent` runs once the request is written (the time until the answer is the caller's).
   */
  readonly plainGet?: (
    req: PlainGet,
    maxBytes: number,
    onSent?: () => void,
  ) => Promise<PlainAnswer | undefined>;
};

// A Response fits HttpResponse at run time; only getReader's overloads confuse the type checker.
export const browserFetcher: Fetcher = (url, init) =>
  globalThis.fetch(url, init as RequestInit) as Promise<unknown> as Promise<HttpResponse>;
