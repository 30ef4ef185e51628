// Node's fetch for registry traffic. Direct connections go through node:http / node:https
// (node-http-fetch.ts): no library to load and no web streams on the hot path. A request that
// HTTP_PROXY / HTTPS_PROXY / NO_PROXY (proxy-env.ts) sends through a proxy uses undici's fetch
// with a ProxyAgent per proxy; undici is loaded only then, since loading it costs more than a
// small pull.
import type { Dispatcher } from 'undici';
import { createNodeHttpFetch } from './node-http-fetch.ts';
import { plainSmallGet } from './node-plain-get.ts';
import { type ProxyEnv, proxyFor } from './proxy-env.ts';
import type { Fetcher, HttpRequestInit, HttpResponse } from './transport.ts';

export interface NodeFetcherOptions {
  env?: ProxyEnv;
  /** Time to wait for response headers, ms. */
  headersTimeout?: number;
  /** Time allowed between two body chunks, ms. */
  bodyTimeout?: number;
}

export function createNodeFetcher(opts: NodeFetcherOptions = {}): Fetcher {
  const env = opts.env ?? process.env;
  const timeouts = {
    headersTimeout: opts.headersTimeout ?? 60_000,
    bodyTimeout: opts.bodyTimeout ?? 60_000,
    connectTimeout: 15_000,
  };
  const direct = createNodeHttpFetch({
    idleTimeout: Math.max(timeouts.headersTimeout, timeouts.bodyTimeout),
    connectTimeout: timeouts.connectTimeout,
  });
  let undici: Promise<typeof import('undici')> | undefined;
  const proxies = new Map<string, Dispatcher>();
  const viaProxy = async (proxy: string, url: string, init: object): Promise<HttpResponse> => {
    undici ??= import('undici');
    const { ProxyAgent, fetch } = await undici;
    let agent = proxies.get(proxy);
    if (!agent) {
      agent = new ProxyAgent({ uri: proxy, ...timeouts });
      proxies.set(proxy, agent);
    }
    // undici's own fetch (not the global one) so its dispatcher option is honoured.
    return (await fetch(url, { ...init, dispatcher: agent } as never)) as unknown as HttpResponse;
  };
  const idle = { idleMs: Math.max(timeouts.headersTimeout, timeouts.bodyTimeout) };
  const fetcher = (url: string, init?: HttpRequestInit) => {
    const proxy = proxyFor(url, env);
    return proxy ? viaProxy(proxy, url, init ?? {}) : direct(url, init);
  };
  return Object.assign(fetcher, {
    direct: (url: string) => (proxyFor(url, env) ? undefined : idle),
    plainGet: plainSmallGet,
  });
}
