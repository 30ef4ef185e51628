// One container's place in the network stack: its addresses, its listening sockets (pre-opened
// for exposed and published ports, or opened by the guest), the host listeners of its published
// ports, and the MessagePort to its main process's worker. Requests from the worker are served
// here; new connections are pushed to the worker (post, count, ring: see shims/net/guest-net.ts).

import { HostOutlet } from '../../shims/net/host-outlet.ts';
import { createWire } from '../../shims/net/wire.ts';
import {
  ERRNO_ADDRINUSE,
  ERRNO_ADDRNOTAVAIL,
  ERRNO_INVAL,
  LISTEN_FDS_START,
  type NetMessage,
  type NetRequest,
  type NetSpec,
  type ProcessNetwork,
  type SocketAddress,
  type WireEnd,
} from '../../shims/net/net-protocol.ts';
import { type DoorbellTransfer, SabDoorbell } from '../../shims/process/doorbell.ts';
import { SabPipe } from '../../shims/process/sab-pipe.ts';
import { type Bridge, BridgeHub, bridgeHostSocket } from './host-bridge.ts';
import type { HostServer, HostSocket } from './host-tcp.ts';
import type { NetworkStack } from './network-stack.ts';
import type { Subnet } from './subnet.ts';

export interface Attachment {
  readonly network: string;
  readonly networkId: string;
  readonly subnet: Subnet;
  readonly ip: string;
  readonly gateway: string;
  readonly aliases: readonly string[];
}

export interface PublishSpec {
  /** Host address to listen on; berth's default is 127.0.0.1 (not Docker's 0.0.0.0). */
  readonly hostIp: string;
  /** 0: any free port. */
  readonly hostPort: number;
  readonly containerPort: number;
}

export interface ContainerNetSpec {
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  /** `--network none`: loopback only. */
  readonly none: boolean;
  readonly attachments: readonly Attachment[];
  /** `--add-host name:ip`. */
  readonly extraHosts: Readonly<Record<string, string>>;
  readonly publish: readonly PublishSpec[];
  /** Ports berth pre-opens (exposed ∪ published), announced as LISTEN_FDS in this order. */
  readonly listenPorts: readonly number[];
}

export interface Listener {
  readonly id: number;
  readonly owner: ContainerNet;
  readonly local: SocketAddress;
  active: boolean;
  readonly preopened: boolean;
}

/** A published port as it ended up (the host port chosen when 0 was asked). */
export interface PublishedPort {
  readonly containerPort: number;
  readonly hostIp: string;
  readonly hostPort: number;
}

export class ContainerNet implements ProcessNetwork {
  readonly listeners = new Map<number, Listener>();
  readonly published: PublishedPort[] = [];
  readonly servers: HostServer[] = [];
  private readonly bridges = new Set<Bridge>();
  /** The engine-side pump of this container's host connections (made on first use). */
  private hub: BridgeHub | undefined;
  /** Connection ends this container's process holds, so they can be closed if it is killed. */
  private ends: { rx: SabPipe; tx: SabPipe; peer: SabDoorbell }[] = [];
  private pruneAt = 64;
  private bell: DoorbellTransfer | undefined;
  private ring: SabDoorbell | undefined;
  private port: MessagePort | undefined;
  private inbox: Int32Array | undefined;
  private deferred: (() => void)[] = [];
  private nextEphemeral = 32768;
  private closed = false;

  constructor(
    readonly stack: NetworkStack,
    readonly spec: ContainerNetSpec,
  ) {
    for (const port of spec.listenPorts) this.addListener({ ip: '0.0.0.0', port }, true);
  }

  /** The address others see this container at on `network` (or its first network). */
  addressOn(network?: string): string {
    const a = this.spec.attachments.find((x) => x.network === network) ?? this.spec.attachments[0];
    return a?.ip ?? '127.0.0.1';
  }

  get opened(): boolean {
    return this.bell !== undefined;
  }

  get doorbell(): DoorbellTransfer {
    return this.bell!;
  }

  open(bell: DoorbellTransfer): { spec: NetSpec; env: string[] } {
    const channel = new MessageChannel();
    this.bell = bell;
    this.ring = new SabDoorbell(bell);
    this.port = channel.port1;
    this.inbox = new Int32Array(new SharedArrayBuffer(4));
    this.port.onmessage = (e: MessageEvent) => void this.serve(e.data as NetRequest);
    (this.port as unknown as { unref?: () => void }).unref?.();
    const pre = [...this.listeners.values()].filter((l) => l.preopened);
    for (const l of pre) l.active = true;
    for (const run of this.deferred.splice(0)) run();
    const env = pre.length
      ? [
          `LISTEN_FDS=${pre.length}`,
          `LISTEN_FDNAMES=${pre.map((l) => String(l.local.port)).join(':')}`,
          `LISTEN_FDS_START=${LISTEN_FDS_START}`,
        ]
      : [];
    return {
      spec: {
        port: channel.port2,
        inbox: this.inbox.buffer as SharedArrayBuffer,
        listeners: pre.map((l) => ({ id: l.id, local: l.local })),
      },
      env,
    };
  }

  /** The main process exited: its sockets are gone; published host ports stay until detach. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners.values()) l.active = false;
    for (const b of this.bridges) b.abort();
    // A killed worker never closes its sockets: close its ends for it, so peers see EOF.
    for (const end of this.ends) {
      end.tx.forceCloseWriter();
      end.rx.closeReader();
      end.peer.ring();
    }
    this.ends = [];
    this.port?.close();
  }

  /** Runs `action` once the process is open (now if it is). */
  whenOpen(action: () => void): void {
    if (this.closed) return;
    if (this.bell) action();
    else this.deferred.push(action);
  }

  ephemeralPort(): number {
    if (this.nextEphemeral > 60999) this.nextEphemeral = 32768;
    return this.nextEphemeral++;
  }

  /** The active listener for a connection to `ip:port` arriving at this container. */
  listenerFor(ip: string, port: number): Listener | undefined {
    for (const l of this.listeners.values()) {
      if (!l.active || l.local.port !== port) continue;
      if (l.local.ip === '0.0.0.0' || l.local.ip === ip) return l;
    }
    return undefined;
  }

  /** Hands a new connection to the listener's process. */
  push(listener: Listener, end: WireEnd): void {
    this.track(end);
    this.post({ type: 'accept', listener: listener.id, end });
  }

  /** Remembers an end given to this container's process (forgetting fully closed ones). */
  track(end: WireEnd): void {
    if (this.ends.length >= this.pruneAt) {
      this.ends = this.ends.filter((e) => !(e.tx.writerClosed && e.rx.readerClosed));
      this.pruneAt = Math.max(64, this.ends.length * 2);
    }
    this.ends.push({ rx: new SabPipe(end.rx), tx: new SabPipe(end.tx), peer: new SabDoorbell(end.peerBell) });
  }

  private post(message: NetMessage): void {
    if (this.closed || !this.port) return;
    this.port.postMessage(message);
    Atomics.add(this.inbox!, 0, 1);
    this.ring!.ringThreads();
  }

  /** A connection from the host to a published port. */
  acceptFromHost(containerPort: number, socket: HostSocket, peer: SocketAddress): void {
    this.whenOpen(() => {
      const local = { ip: this.addressOn(), port: containerPort };
      const listener = this.listenerFor(local.ip, containerPort);
      if (!listener) {
        socket.destroy();
        return;
      }
      this.bridgeTo(socket, peer, local, (end) => this.push(listener, end));
    });
    if (this.closed) socket.destroy();
  }

  /** Wires a host socket to a new guest connection; `deliver` gets the guest's end. */
  bridgeTo(
    socket: HostSocket,
    hostSide: SocketAddress,
    guestSide: SocketAddress,
    deliver: (end: WireEnd) => void,
  ): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.hub ??= new BridgeHub();
    const [hostEnd, guestEnd] = createWire(
      { bell: this.hub.bell.transfer(), address: hostSide },
      { bell: this.bell!, address: guestSide },
    );
    // Where the socket has an fd, the guest's worker writes its answers to it directly.
    const outlet = socket.fd !== undefined ? new HostOutlet() : undefined;
    deliver(outlet ? { ...guestEnd, outlet: { fd: socket.fd!, cell: outlet.buffer } } : guestEnd);
    const bridge = bridgeHostSocket(socket, hostEnd, this.hub, outlet);
    this.bridges.add(bridge);
    void bridge.done.then(() => this.bridges.delete(bridge));
  }

  private addListener(local: SocketAddress, preopened: boolean): Listener {
    const listener: Listener = { id: this.stack.listenerId(), owner: this, local, active: false, preopened };
    this.listeners.set(listener.id, listener);
    return listener;
  }

  private ownsAddress(ip: string): boolean {
    return ip === '0.0.0.0' || ip.startsWith('127.') || this.spec.attachments.some((a) => a.ip === ip);
  }

  private async serve(request: NetRequest): Promise<void> {
    switch (request.op) {
      case 'bind': {
        const { ip, port } = request.local;
        if (!this.ownsAddress(ip)) return this.reply(request.id, ERRNO_ADDRNOTAVAIL);
        if (port !== 0) {
          for (const l of this.listeners.values()) {
            if (l.local.port !== port) continue;
            if (l.preopened) {
              // The guest binds a port berth pre-opened for it: it gets that listener.
              return this.post({ type: 'reply', id: request.id, errno: 0, listener: l.id, local: l.local });
            }
            if (l.local.ip === '0.0.0.0' || ip === '0.0.0.0' || l.local.ip === ip) {
              return this.reply(request.id, ERRNO_ADDRINUSE);
            }
          }
        }
        const chosen = port === 0 ? this.ephemeralPort() : port;
        const l = this.addListener({ ip, port: chosen }, false);
        return this.post({ type: 'reply', id: request.id, errno: 0, listener: l.id, local: l.local });
      }
      case 'listen': {
        const l = this.listeners.get(request.listener);
        if (!l) return this.reply(request.id, ERRNO_INVAL);
        l.active = true;
        return this.reply(request.id, 0);
      }
      case 'close': {
        const l = this.listeners.get(request.listener);
        if (l && !l.preopened) this.listeners.delete(l.id);
        return;
      }
      case 'connect': {
        const r = await this.stack.connect(this, request.remote);
        if (typeof r === 'number') return this.reply(request.id, r);
        this.track(r);
        return this.post({ type: 'reply', id: request.id, errno: 0, end: r });
      }
      case 'resolve': {
        const r = this.stack.resolve(this, request.name);
        if (typeof r === 'number') return this.reply(request.id, r);
        return this.post({ type: 'reply', id: request.id, errno: 0, addresses: r });
      }
    }
  }

  private reply(id: number, errno: number): void {
    this.post({ type: 'reply', id, errno });
  }
}
