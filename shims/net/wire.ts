// A connection's two byte pipes and the addresses of its two ends. Each end rings the other's
// doorbell: a container's own doorbell for a guest end, a per-connection one for an engine end.
// Container-to-container connections are wired straight between the two workers.

import type { DoorbellTransfer } from '../process/doorbell.ts';
import { SabPipe } from '../process/sab-pipe.ts';
import type { SocketAddress, WireEnd } from './net-protocol.ts';

/** Bytes buffered per direction; a writer blocks (or the engine pauses a host socket) beyond it. */
export const WIRE_CAPACITY = 64 * 1024;

export interface WireSide {
  readonly bell: DoorbellTransfer;
  readonly address: SocketAddress;
}

export function createWire(a: WireSide, b: WireSide, capacity = WIRE_CAPACITY): [WireEnd, WireEnd] {
  const aToB = new SabPipe(undefined, capacity).transfer();
  const bToA = new SabPipe(undefined, capacity).transfer();
  return [
    { rx: bToA, tx: aToB, peerBell: b.bell, local: a.address, peer: b.address },
    { rx: aToB, tx: bToA, peerBell: a.bell, local: b.address, peer: a.address },
  ];
}
