// berth's settings file, `$XDG_CONFIG_HOME/berth/config.json`, shaped like Docker's daemon.json
// so a user can copy the keys they know: registry-mirrors, insecure-registries, dns.

import { BerthError } from '../errors.ts';

/** berth's settings or credentials file is malformed. */
export class ConfigError extends BerthError {
  override readonly code = 'BERTH_CONFIG' as const;
}

export interface BerthConfig {
  /** Pull-through mirrors for docker.io, tried in order before the origin. Normalised `scheme://host[:port]`. */
  readonly registryMirrors: readonly string[];
  /** Registries reached over plain http: `host[:port]` or an IPv4 CIDR. Loopback is always included. */
  readonly insecureRegistries: readonly string[];
  /** DNS servers for containers (Docker's `dns`), IP addresses. */
  readonly dns: readonly string[];
  /** Docker's daemon.json `proxies` (`http-proxy`, `https-proxy`, `no-proxy`): win over the environment. */
  readonly proxies?: ProxySettings;
}

export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

function proxySettings(raw: unknown, source: string): ProxySettings | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${source}: "proxies" must be an object`);
  const out: Record<string, string> = {};
  for (const [key, field] of [
    ['http-proxy', 'httpProxy'],
    ['https-proxy', 'httpsProxy'],
    ['no-proxy', 'noProxy'],
  ] as const) {
    const v = (raw as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new ConfigError(`${source}: "proxies.${key}" must be a string`);
    out[field] = v;
  }
  return out;
}

/** The proxy variables registry traffic uses: the config's `proxies` over the environment's. */
export function proxyEnvironment(
  config: BerthConfig,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const p = config.proxies;
  if (!p) return { ...env };
  return {
    ...env,
    ...(p.httpProxy !== undefined ? { HTTP_PROXY: p.httpProxy, http_proxy: p.httpProxy } : {}),
    ...(p.httpsProxy !== undefined ? { HTTPS_PROXY: p.httpsProxy, https_proxy: p.httpsProxy } : {}),
    ...(p.noProxy !== undefined ? { NO_PROXY: p.noProxy, no_proxy: p.noProxy } : {}),
  };
}

export const DEFAULT_CONFIG: BerthConfig = { registryMirrors: [], insecureRegistries: [], dns: [] };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = s.split(':').filter((g) => g !== '');
  const last = groups[groups.length - 1] ?? '';
  const v4Tail = last.includes('.');
  if (v4Tail && !isIPv4(last)) return false;
  const hexGroups = v4Tail ? groups.slice(0, -1) : groups;
  if (!hexGroups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hexGroups.length + (v4Tail ? 2 : 0);
  return dbl.length === 2 ? count < 8 : count === 8;
}

function stringList(raw: unknown, key: string, source: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string')) {
    throw new ConfigError(`${source}: "${key}" must be a list of strings`);
  }
  return raw as string[];
}

/** Docker accepts a mirror only as a bare scheme://host[:port][/] URL. */
export function normalizeMirror(raw: string, source = 'config'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${source}: invalid mirror: ${raw} (must be http:// or https:// URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${source}: invalid mirror: unsupported scheme "${url.protocol}" in "${raw}"`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new ConfigError(
      `${source}: invalid mirror: path, query or credentials are not allowed in "${raw}"`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

function validInsecureEntry(entry: string): boolean {
  const cidr = /^(.+)\/(\d{1,2})$/.exec(entry);
  if (cidr) return isIPv4(cidr[1]!) && Number(cidr[2]) <= 32;
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(entry) || /^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(entry);
}

export function parseBerthConfig(text: string, source = 'config.json'): BerthConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: invalid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: must be a JSON object`);
  }
  const obj = raw as Record<string, unknown>;
  const registryMirrors = stringList(obj['registry-mirrors'], 'registry-mirrors', source).map((m) =>
    normalizeMirror(m, source),
  );
  const insecureRegistries = stringList(obj['insecure-registries'], 'insecure-registries', source).map((e) =>
    e.replace(/^https?:\/\//, '').replace(/\/$/, ''),
  );
  for (const e of insecureRegistries) {
    if (!validInsecureEntry(e)) throw new ConfigError(`${source}: invalid insecure registry: ${e}`);
  }
  const dns = stringList(obj.dns, 'dns', source);
  for (const d of dns) {
    if (!isIPv4(d) && !isIPv6(d)) throw new ConfigError(`${source}: ${d} is not an ip address`);
  }
  const proxies = proxySettings(obj.proxies, source);
  return { registryMirrors, insecureRegistries, dns, ...(proxies ? { proxies } : {}) };
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}

/** Host part of `host[:port]`, without IPv6 brackets. */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > 0 && !hostPort.slice(0, i).includes(':') ? hostPort.slice(0, i) : hostPort;
}

export function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  return name === 'localhost' || name === '::1' || (isIPv4(name) && name.startsWith('127.'));
}

/**
 * Whether `host` (`host[:port]`) is spoken to over plain http. Like Docker, loopback addresses
 * are insecure by default; entries match the exact `host:port`, the bare host, or an IPv4 CIDR.
 */
export function isInsecureRegistry(host: string, config: BerthConfig): boolean {
  if (isLoopbackHost(host)) return true;
  const name = hostnameOf(host);
  for (const entry of config.insecureRegistries) {
    if (entry === host || entry === name) return true;
    if (entry.includes('/') && isIPv4(name) && inCidr(name, entry)) return true;
  }
  return false;
}
