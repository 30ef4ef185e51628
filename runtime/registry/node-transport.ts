// Node's fetch for registry traffic: undici with keep-alive connections, and a ProxyAgent per
// proxy chosen per request from HTTP_PROXY / HTTPS_PROXY / NO_PROXY (proxy-env.ts).
import { Agent, type Dispatcher, ProxyAgent, fetch as undiciFetch } from 'undici';
import { type ProxyEnv, proxyFor } from './proxy-env.ts';
import type { Fetcher } from './transport.ts';

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
  const direct = new Agent({ ...timeouts, connections: 16 });
  const proxies = new Map<string, Dispatcher>();
  const dispatcherFor = (url: string): Dispatcher => {
    const proxy = proxyFor(url, env);
    if (!proxy) return direct;
    let agent = proxies.get(proxy);
    if (!agent) {
      agent = new ProxyAgent({ uri: proxy, ...timeouts });
      proxies.set(proxy, agent);
    }
    return agent;
  };
  return (async (url: string, init?: RequestInit) => {
    // undici's own fetch (not the global one) so its dispatcher option is honoured.
    const res = await undiciFetch(url, { ...(init as object), dispatcher: dispatcherFor(url) } as never);
    return res as unknown as Response;
  }) as Fetcher;
}
