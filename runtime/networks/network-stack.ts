// berth's network stack, one per engine process, shared by every container it hosts: who is
// attached where, routing of guest connects, DNS, and host listeners for published ports.
//
// Routing of a guest's connect(ip, port):
//  - 127.0.0.0/8, 0.0.0.0 and the container's own addresses: the container's own listeners
//    (its loopback). Never the host's loopback: unpublished host ports stay unreachable.
//  - `--network none`: nothing else (ENETUNREACH).
//  - the gateway (.1) of a network it is on — what host.berth.internal resolves to: the host's
//    127.0.0.1, through a real socket.
//  - any other address inside any berth subnet: a container on a network the caller shares,
//    wired worker to worker; else EHOSTUNREACH. Such an address never reaches a real socket.
//  - anything else: a real outbound socket on the host.

import { isIpv4 } from '../../shims/net/address.ts';
import {
  ERRNO_CONNREFUSED,
  ERRNO_HOSTUNREACH,
  ERRNO_NETUNREACH,
  ERRNO_NOENT,
  type SocketAddress,
  type WireEnd,
} from '../../shims/net/net-protocol.ts';
import { createWire } from '../../shims/net/wire.ts';
import { ContainerNet, type ContainerNetSpec } from './container-net.ts';
import { HostConnectError, type HostTcp } from './host-tcp.ts';
import { type Subnet, contains, isLoopback } from './subnet.ts';

export const HOST_ALIAS = 'host.berth.internal';
const HOST_LOOPBACK = '127.0.0.1';

export class NetworkStack {
  private readonly containers = new Map<string, ContainerNet>();
  private nextListener = 1;
  /** Every berth subnet (kept current by EngineNetworks). */
  subnets: readonly Subnet[] = [];

  constructor(readonly host: HostTcp | undefined) {}

  listenerId(): number {
    return this.nextListener++;
  }

  get(id: string): ContainerNet | undefined {
    return this.containers.get(id);
  }

  /**
   * Adds a container and opens its published host ports. A port that is taken rejects with
   * PortAllocatedError and leaves nothing behind.
   */
  async attach(spec: ContainerNetSpec): Promise<ContainerNet> {
    this.detach(spec.id);
    const net = new ContainerNet(this, spec);
    try {
      for (const p of spec.publish) {
        if (!this.host) throw new Error('publishing ports needs a host network (Node)');
        const server = await this.host.listen(p.hostIp, p.hostPort, (socket) =>
          net.acceptFromHost(p.containerPort, socket, {
            ip: spec.attachments[0]?.gateway ?? HOST_LOOPBACK,
            port: socket.remotePort,
          }),
        );
        net.servers.push(server);
        net.published.push({ containerPort: p.containerPort, hostIp: p.hostIp, hostPort: server.port });
      }
    } catch (e) {
      await Promise.all(net.servers.map((s) => s.close()));
      throw e;
    }
    this.containers.set(spec.id, net);
    return net;
  }

  /** Removes a container: its process is gone or going; host ports close. */
  detach(id: string): Promise<void> {
    const net = this.containers.get(id);
    if (!net) return Promise.resolve();
    this.containers.delete(id);
    net.close();
    return Promise.all(net.servers.map((s) => s.close())).then(() => undefined);
  }

  private inBerth(ip: string): boolean {
    return this.subnets.some((s) => contains(s, ip));
  }

  /** The container holding `ip` on a network `from` is also on, with that network's name. */
  private peerAt(from: ContainerNet, ip: string): ContainerNet | undefined {
    for (const mine of from.spec.attachments) {
      if (!contains(mine.subnet, ip)) continue;
      for (const other of this.containers.values()) {
        if (other.spec.attachments.some((a) => a.network === mine.network && a.ip === ip)) return other;
      }
    }
    return undefined;
  }

  async connect(from: ContainerNet, remote: SocketAddress): Promise<WireEnd | number> {
    const { ip, port } = remote;
    const own = from.spec.attachments.some((a) => a.ip === ip);
    if (isLoopback(ip) || own) return this.connectLocal(from, from, own ? ip : HOST_LOOPBACK, port);
    if (from.spec.none) return ERRNO_NETUNREACH;
    if (from.spec.attachments.some((a) => a.gateway === ip))
      return this.connectHost(from, HOST_LOOPBACK, port, ip);
    if (this.inBerth(ip)) {
      const target = this.peerAt(from, ip);
      if (!target) return ERRNO_HOSTUNREACH;
      const network = from.spec.attachments.find((a) => contains(a.subnet, ip))?.network;
      return this.connectLocal(from, target, ip, port, from.addressOn(network));
    }
    return this.connectHost(from, ip, port, ip);
  }

  private connectLocal(
    from: ContainerNet,
    target: ContainerNet,
    ip: string,
    port: number,
    fromIp = ip,
  ): WireEnd | number {
    if (!target.opened) return ERRNO_CONNREFUSED;
    const listener = target.listenerFor(ip, port);
    if (!listener) return ERRNO_CONNREFUSED;
    const [mine, theirs] = createWire(
      { bell: from.doorbell, address: { ip: fromIp, port: from.ephemeralPort() } },
      { bell: target.doorbell, address: { ip, port } },
    );
    target.push(listener, theirs);
    return mine;
  }

  private async connectHost(
    from: ContainerNet,
    ip: string,
    port: number,
    shownIp: string,
  ): Promise<WireEnd | number> {
    if (!this.host) return ERRNO_NETUNREACH;
    try {
      const socket = await this.host.connect(ip, port);
      let mine: WireEnd | undefined;
      from.bridgeTo(
        socket,
        { ip: shownIp, port },
        { ip: from.addressOn(), port: from.ephemeralPort() },
        (end) => {
          mine = end;
        },
      );
      return mine ?? ERRNO_CONNREFUSED;
    } catch (e) {
      if (e instanceof HostConnectError) return e.errno;
      return ERRNO_CONNREFUSED;
    }
  }

  /** Names a guest can look up: berth's DNS. Unknown names fail (ENOENT), never the host's DNS. */
  resolve(from: ContainerNet, name: string): string[] | number {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (isIpv4(key)) return [key];
    if (key === 'localhost' || key === 'localhost.localdomain') return [HOST_LOOPBACK];
    const extra = from.spec.extraHosts[key];
    if (extra !== undefined)
      return [extra === 'host-gateway' ? (from.spec.attachments[0]?.gateway ?? HOST_LOOPBACK) : extra];
    const self = [from.spec.hostname, from.spec.name, from.spec.id.slice(0, 12)].map((s) => s.toLowerCase());
    if (self.includes(key)) return [from.spec.none ? HOST_LOOPBACK : from.addressOn()];
    if (from.spec.none) return ERRNO_NOENT;
    if (key === HOST_ALIAS) return [from.spec.attachments[0]!.gateway];
    const found: string[] = [];
    for (const mine of from.spec.attachments) {
      for (const other of this.containers.values()) {
        if (other === from) continue;
        const theirs = other.spec.attachments.find((a) => a.network === mine.network);
        if (!theirs) continue;
        const names = [other.spec.name, other.spec.hostname, other.spec.id.slice(0, 12), ...theirs.aliases];
        if (names.some((n) => n.toLowerCase() === key) && !found.includes(theirs.ip)) found.push(theirs.ip);
      }
    }
    return found.length ? found : ERRNO_NOENT;
  }
}
