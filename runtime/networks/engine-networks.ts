// The engine's networking: the persisted network records (NetworkStore) and the live stack of
// this engine process. Containers use four calls: join (at create: take an address on the
// network), attach (at start: pre-open listeners, publish host ports), detach (at exit) and
// leave (at remove). A container's addresses come from the records, so they survive restarts.

import { NotFoundError } from '../errors.ts';
import type { Attachment, ContainerNet } from './container-net.ts';
import type { HostTcp } from './host-tcp.ts';
import { NetworkStack } from './network-stack.ts';
import { DEFAULT_NETWORK, type NetworkRecord, type NetworkStore } from './network-store.ts';
import { type PortBinding, publishSpecs, tcpPorts } from './port-spec.ts';
import { allocateIp, gatewayOf, parseSubnet } from './subnet.ts';

/** The parts of a container record networking reads. */
export interface NetworkedContainer {
  Id: string;
  Name: string;
  /** Created without its address (CreateSpec.lazyNetwork): the first start takes it. */
  LazyNetwork?: boolean;
  Config: { Hostname: string; ExposedPorts?: Record<string, object> };
  HostConfig: {
    NetworkMode: string;
    PortBindings: Record<string, PortBinding[]>;
    PublishAllPorts?: boolean;
    ExtraHosts?: string[] | null;
  };
}

/** What `inspect` shows under NetworkSettings once the container runs. */
export interface NetworkSettings {
  Networks: Record<
    string,
    { NetworkID: string; IPAddress: string; IPPrefixLen: number; Gateway: string; Aliases: string[] }
  >;
  Ports: Record<string, PortBinding[] | null>;
}

export class NetworkNotFoundError extends NotFoundError {
  constructor(name: string) {
    super(`network ${name} not found`);
  }
}

export const findNetwork = (networks: NetworkRecord[], ref: string): NetworkRecord | undefined =>
  networks.find((n) => n.Name === ref) ??
  networks.find((n) => n.Id === ref) ??
  (/^[0-9a-f]+$/.test(ref) ? networks.filter((n) => n.Id.startsWith(ref)).at(0) : undefined);

/** Takes the lowest free address of `net` for container `id` (kept if it already has one). */
export function addMember(net: NetworkRecord, id: string, name: string, aliases: string[]): string {
  const existing = net.Containers[id];
  if (existing) {
    existing.Aliases = [...new Set([...existing.Aliases, ...aliases])];
    return existing.IPv4Address.split('/')[0]!;
  }
  const config = net.IPAM.Config[0]!;
  const subnet = parseSubnet(config.Subnet);
  const taken = new Set(Object.values(net.Containers).map((m) => m.IPv4Address.split('/')[0]!));
  taken.add(config.Gateway);
  const ip = allocateIp(subnet, taken);
  if (!ip) throw new Error(`no available IPv4 addresses on network ${net.Name}`);
  net.Containers[id] = { Name: name, IPv4Address: `${ip}/${subnet.prefix}`, Aliases: aliases };
  return ip;
}

export class EngineNetworks {
  readonly stack: NetworkStack;

  constructor(
    readonly store: NetworkStore,
    host: HostTcp | undefined,
  ) {
    this.stack = new NetworkStack(host);
  }

  /** At create: `--network` (default bridge) and `--network-alias`. 'none' joins nothing. */
  async join(id: string, name: string, network = DEFAULT_NETWORK, aliases: string[] = []): Promise<string> {
    if (network === 'host')
      throw new NotFoundError('network mode "host" is not supported by berth (its networks are virtual)');
    return this.store.update((networks) => {
      const net = findNetwork(networks, network);
      if (!net) throw new NetworkNotFoundError(network);
      if (net.Driver === 'null') return net.Name;
      addMember(net, id, name.replace(/^\//, ''), aliases);
      return net.Name;
    });
  }

  /** At remove: gives back every address the container held. */
  async leave(id: string): Promise<void> {
    const held = (await this.store.list()).some((n) => n.Containers[id]);
    if (!held) return;
    await this.store.update((networks) => {
      for (const n of networks) delete n.Containers[id];
    });
  }

  /** At start: joins the live stack; rejects (PortAllocatedError) when a host port is taken. */
  async attach(rec: NetworkedContainer): Promise<{ net: ContainerNet; settings: NetworkSettings }> {
    let networks = await this.store.list();
    const mode = rec.HostConfig.NetworkMode;
    if (rec.LazyNetwork && mode !== 'none' && !networks.some((n) => n.Containers[rec.Id])) {
      // Created with its address left for the first start (CreateSpec.lazyNetwork).
      await this.join(rec.Id, rec.Name, mode === 'default' ? DEFAULT_NETWORK : mode);
      networks = await this.store.list();
    }
    this.stack.subnets = networks.flatMap((n) => n.IPAM.Config.map((c) => parseSubnet(c.Subnet)));
    const none = rec.HostConfig.NetworkMode === 'none';
    const attachments: Attachment[] = [];
    if (!none) {
      for (const n of networks) {
        const member = n.Containers[rec.Id];
        if (!member || !n.IPAM.Config[0]) continue;
        const subnet = parseSubnet(n.IPAM.Config[0].Subnet);
        attachments.push({
          network: n.Name,
          networkId: n.Id,
          subnet,
          ip: member.IPv4Address.split('/')[0]!,
          gateway: n.IPAM.Config[0].Gateway || gatewayOf(subnet),
          aliases: member.Aliases,
        });
      }
    }
    const exposed = tcpPorts(Object.keys(rec.Config.ExposedPorts ?? {}));
    const publish = none
      ? []
      : publishSpecs(rec.HostConfig.PortBindings, exposed, rec.HostConfig.PublishAllPorts ?? false);
    const listenPorts = [...new Set([...exposed, ...publish.map((p) => p.containerPort)])].sort(
      (a, b) => a - b,
    );
    const extraHosts: Record<string, string> = {};
    for (const entry of rec.HostConfig.ExtraHosts ?? []) {
      const at = entry.search(/[:=]/);
      if (at > 0) extraHosts[entry.slice(0, at).toLowerCase()] = entry.slice(at + 1);
    }
    const net = await this.stack.attach({
      id: rec.Id,
      name: rec.Name.replace(/^\//, ''),
      hostname: rec.Config.Hostname,
      none,
      attachments,
      extraHosts,
      publish,
      listenPorts,
    });
    const ports: NetworkSettings['Ports'] = {};
    for (const port of listenPorts) ports[`${port}/tcp`] = null;
    for (const p of net.published)
      (ports[`${p.containerPort}/tcp`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    const settings: NetworkSettings = {
      Networks: Object.fromEntries(
        attachments.map((a) => [
          a.network,
          {
            NetworkID: a.networkId,
            IPAddress: a.ip,
            IPPrefixLen: a.subnet.prefix,
            Gateway: a.gateway,
            Aliases: [...a.aliases],
          },
        ]),
      ),
      Ports: ports,
    };
    return { net, settings };
  }

  detach(id: string): Promise<void> {
    return this.stack.detach(id);
  }
}
