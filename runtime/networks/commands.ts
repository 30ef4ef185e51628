// `berth network create | ls | inspect | rm | connect | disconnect`, as functions over a
// NetworkStore (the CLI wires them in bin/commands/network.ts). Messages follow Docker's.

import { ConflictError, InvalidStateError, UsageError } from '../errors.ts';
import { NetworkNotFoundError, addMember, findNetwork } from './engine-networks.ts';
import { type NetworkRecord, type NetworkStore, newNetworkId } from './network-store.ts';
import { type Subnet, gatewayOf, overlaps, parseSubnet } from './subnet.ts';

export interface CreateNetworkOptions {
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  driver?: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const BUILTIN = new Set(['bridge', 'none', 'host']);

/** New networks get 10.89.0.0/24, 10.89.1.0/24, … — the first that overlaps nothing. */
function freeSubnet(used: Subnet[]): Subnet {
  for (let i = 0; i < 256; i++) {
    const candidate = parseSubnet(`10.89.${i}.0/24`);
    if (!used.some((u) => overlaps(u, candidate))) return candidate;
  }
  throw new ConflictError(
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
  );
}

const subnetsOf = (networks: NetworkRecord[]): Subnet[] =>
  networks.flatMap((n) => n.IPAM.Config.map((c) => parseSubnet(c.Subnet)));

export async function createNetwork(
  store: NetworkStore,
  name: string,
  options: CreateNetworkOptions = {},
): Promise<NetworkRecord> {
  if (!NAME.test(name))
    throw new UsageError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (options.driver && options.driver !== 'bridge')
    throw new UsageError(`plugin "${options.driver}" not found: berth networks use the bridge driver`);
  return store.update((networks) => {
    if (BUILTIN.has(name) || networks.some((n) => n.Name === name))
      throw new ConflictError(`network with name ${name} already exists`);
    let subnet: Subnet;
    if (options.subnet) {
      subnet = parseSubnet(options.subnet);
      const clash = networks.find((n) => n.IPAM.Config.some((c) => overlaps(parseSubnet(c.Subnet), subnet)));
      if (clash)
        throw new ConflictError(
          `invalid pool request: Pool overlaps with other one on this address space (${clash.Name})`,
        );
    } else subnet = freeSubnet(subnetsOf(networks));
    const record: NetworkRecord = {
      Name: name,
      Id: newNetworkId(),
      Created: new Date().toISOString(),
      Scope: 'local',
      Driver: 'bridge',
      Internal: options.internal ?? false,
      IPAM: {
        Driver: 'default',
        Config: [{ Subnet: subnet.text, Gateway: options.gateway ?? gatewayOf(subnet) }],
      },
      Labels: options.labels ?? {},
      Containers: {},
    };
    networks.push(record);
    return record;
  });
}

export async function listNetworks(store: NetworkStore): Promise<NetworkRecord[]> {
  return (await store.list()).sort((a, b) => a.Name.localeCompare(b.Name));
}

export async function inspectNetwork(store: NetworkStore, ref: string): Promise<NetworkRecord> {
  const net = findNetwork(await store.list(), ref);
  if (!net) throw new NetworkNotFoundError(ref);
  return net;
}

/** Removes a user network; refuses built-ins and networks with containers. Returns its name. */
export async function removeNetwork(store: NetworkStore, ref: string): Promise<string> {
  return store.update((networks) => {
    const net = findNetwork(networks, ref);
    if (!net) throw new NetworkNotFoundError(ref);
    if (BUILTIN.has(net.Name))
      throw new InvalidStateError(`${net.Name} is a pre-defined network and cannot be removed`);
    if (Object.keys(net.Containers).length > 0) {
      throw new InvalidStateError(
        `error while removing network: network ${net.Name} id ${net.Id} has active endpoints`,
      );
    }
    networks.splice(networks.indexOf(net), 1);
    return net.Name;
  });
}

/** `network prune`: removes every user network no container is on; their names. */
export async function pruneNetworks(store: NetworkStore): Promise<string[]> {
  return store.update((networks) => {
    const unused = networks.filter((n) => !BUILTIN.has(n.Name) && Object.keys(n.Containers).length === 0);
    for (const n of unused) networks.splice(networks.indexOf(n), 1);
    return unused.map((n) => n.Name);
  });
}

/**
 * Connects a container (by id and name) to a network; the address applies from its next
 * start (a running container keeps the addresses it started with).
 */
export async function connectNetwork(
  store: NetworkStore,
  ref: string,
  container: { id: string; name: string },
  aliases: string[] = [],
): Promise<string> {
  return store.update((networks) => {
    const net = findNetwork(networks, ref);
    if (!net) throw new NetworkNotFoundError(ref);
    if (net.Driver === 'null')
      throw new InvalidStateError('container cannot be connected to the none network');
    return addMember(net, container.id, container.name.replace(/^\//, ''), aliases);
  });
}

export async function disconnectNetwork(
  store: NetworkStore,
  ref: string,
  containerId: string,
): Promise<void> {
  await store.update((networks) => {
    const net = findNetwork(networks, ref);
    if (!net) throw new NetworkNotFoundError(ref);
    if (!net.Containers[containerId])
      throw new InvalidStateError(
        `container ${containerId.slice(0, 12)} is not connected to network ${net.Name}`,
      );
    delete net.Containers[containerId];
  });
}
