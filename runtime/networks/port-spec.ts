// `-p [ip:][hostPort:]containerPort[/tcp]` and `-P`, into Docker's PortBindings and back out as
// what to listen on. An empty HostIp means berth's default, 127.0.0.1 — not Docker's 0.0.0.0:
// a published port is reachable from this machine only unless an address is given.

import { UsageError } from '../errors.ts';
import { isIpv4 } from '../../shims/net/address.ts';
import type { PublishSpec } from './container-net.ts';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export const DEFAULT_PUBLISH_IP = '127.0.0.1';

const invalid = (spec: string, why: string) =>
  new UsageError(`invalid argument "${spec}" for "-p, --publish" flag: ${why}`);

function portNumber(spec: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw invalid(spec, `invalid port: "${text}"`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw invalid(spec, `invalid port: "${text}" (1-65535)`);
  return n;
}

/** Parses -p values into PortBindings keyed "80/tcp". Throws UsageError on a malformed one. */
export function parsePublish(specs: readonly string[]): Record<string, PortBinding[]> {
  const out: Record<string, PortBinding[]> = {};
  for (const spec of specs) {
    let rest = spec;
    let proto = 'tcp';
    const slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      proto = rest.slice(slash + 1);
      rest = rest.slice(0, slash);
      if (proto === 'udp' || proto === 'sctp')
        throw invalid(spec, `${proto} ports are not supported (TCP only)`);
      if (proto !== 'tcp') throw invalid(spec, `invalid proto: "${proto}"`);
    }
    let ip = '';
    const bracket = /^\[([^\]]*)\]:(.*)$/.exec(rest);
    let parts: string[];
    if (bracket) {
      ip = bracket[1]!;
      parts = ['', ...bracket[2]!.split(':')];
    } else parts = rest.split(':');
    if (parts.length > 3 || rest === '') throw invalid(spec, 'invalid port specification');
    if (parts.length === 3) {
      if (!bracket) ip = parts[0]!;
      parts = parts.slice(1);
    }
    if (ip !== '' && !isIpv4(ip)) throw invalid(spec, `invalid IP address: ${ip}`);
    const [host, container] = parts.length === 2 ? parts : ['', parts[0]!];
    if (container!.includes('-') || host!.includes('-')) throw invalid(spec, 'port ranges are not supported');
    const containerPort = portNumber(spec, container!);
    const hostPort = host === '' ? '' : String(portNumber(spec, host!));
    (out[`${containerPort}/${proto}`] ??= []).push({ HostIp: ip, HostPort: hostPort });
  }
  return out;
}

/** Container ports of "80/tcp" keys (TCP only). */
export const tcpPorts = (keys: Iterable<string>): number[] =>
  [...keys]
    .map((k) => /^(\d+)(?:\/tcp)?$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));

/** What to listen on: the bindings, plus every exposed port on a free host port with -P. */
export function publishSpecs(
  bindings: Readonly<Record<string, PortBinding[]>>,
  exposed: readonly number[],
  publishAll: boolean,
): PublishSpec[] {
  const out: PublishSpec[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const [containerPort] = tcpPorts([key]);
    if (containerPort === undefined) continue;
    for (const b of list) {
      out.push({
        containerPort,
        hostIp: b.HostIp || DEFAULT_PUBLISH_IP,
        hostPort: b.HostPort ? Number(b.HostPort) : 0,
      });
    }
  }
  if (publishAll) {
    for (const port of exposed) {
      if (!out.some((p) => p.containerPort === port))
        out.push({ containerPort: port, hostIp: DEFAULT_PUBLISH_IP, hostPort: 0 });
    }
  }
  return out;
}
