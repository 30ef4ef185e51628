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
  const aWants = new SharedArrayBuffer(4);
  const bWants = new SharedArrayBuffer(4);
  return [
    {
      rx: bToA,
      tx: aToB,
      peerBell: b.bell,
      rxWant: bWants,
      txWant: aWants,
      local: a.address,
      peer: b.address,
    },
    {
      rx: aToB,
      tx: bToA,
      peerBell: a.bell,
      rxWant: aWants,
      txWant: bWants,
      local: b.address,
      peer: a.address,
    },
  ];
}

/** A "waiting for space" cell: the writer raises it before waiting, the reader takes it. */
export class SpaceWant {
  private readonly cell: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.cell = new Int32Array(buffer);
  }
  raise(): void {
    Atomics.store(this.cell, 0, 1);
  }
  /** True (once) when the writer was waiting: then ring it. */
  take(): boolean {
    return Atomics.load(this.cell, 0) !== 0 && Atomics.exchange(this.cell, 0, 0) !== 0;
  }
}
