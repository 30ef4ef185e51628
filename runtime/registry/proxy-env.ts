// HTTP_PROXY / HTTPS_PROXY / NO_PROXY for registry traffic, with Go's net/http rules (what Docker
// does): lower- or upper-case names, `*` disables, entries match a host, a domain suffix
// (`.example.com` or `example.com`), `host:port`, an IP or an IPv4 CIDR; loopback never goes
// through a proxy.

import { hostnameOf, isIPv4, isLoopbackHost } from '../config/berth-config.ts';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

function envValue(env: ProxyEnv, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v === undefined || v === '' ? undefined : v;
}

function ipv4Int(ip: string): number {
  return ip.split('.').reduce((a, p) => (a << 8) + Number(p), 0) >>> 0;
}

function matchesNoProxy(host: string, port: string, entry: string): boolean {
  entry = entry.trim().toLowerCase();
  if (entry === '') return false;
  if (entry === '*') return true;
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(entry);
  if (cidr) {
    if (!isIPv4(host) || !isIPv4(cidr[1]!)) return false;
    const bits = Number(cidr[2]);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (ipv4Int(host) & mask) === (ipv4Int(cidr[1]!) & mask);
  }
  let entryPort = '';
  const m = /^(.*):(\d+)$/.exec(entry);
  if (m && !entry.startsWith('[') && !m[1]!.includes(':')) {
    entry = m[1]!;
    entryPort = m[2]!;
  }
  if (entryPort && entryPort !== port) return false;
  entry = entry.replace(/^\[|\]$/g, '');
  if (entry.startsWith('*.')) entry = entry.slice(1);
  if (entry.startsWith('.')) return host.endsWith(entry) || host === entry.slice(1);
  return host === entry || host.endsWith(`.${entry}`);
}

/** The proxy URL to use for `url`, or undefined to connect directly. */
export function proxyFor(url: string, env: ProxyEnv): string | undefined {
  const u = new URL(url);
  const host = hostnameOf(u.host).toLowerCase();
  if (isLoopbackHost(u.host)) return undefined;
  const proxy = u.protocol === 'https:' ? envValue(env, 'HTTPS_PROXY') : envValue(env, 'HTTP_PROXY');
  if (!proxy) return undefined;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const noProxy = envValue(env, 'NO_PROXY') ?? '';
  if (noProxy.split(',').some((e) => matchesNoProxy(host, port, e))) return undefined;
  // Go accepts a bare host:port and assumes http.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}
