// What berth keeps about its networks: one record per network (Docker's `network inspect`
// fields where they mean the same), with the containers connected to it and the address each
// holds. Addresses are given at connect time and kept, so a container keeps its IP across
// restarts and `inspect` from any shell shows it. `bridge` and `none` always exist.

import { randomBytes } from '../../shims/net/random-id.ts';

export interface NetworkMember {
  Name: string;
  /** `10.88.0.2/16` */
  IPv4Address: string;
  Aliases: string[];
}

export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: 'bridge' | 'null';
  Internal: boolean;
  IPAM: { Driver: 'default'; Config: { Subnet: string; Gateway: string }[] };
  Labels: Record<string, string>;
  Containers: Record<string, NetworkMember>;
}

export interface NetworkStore {
  list(): Promise<NetworkRecord[]>;
  /** Read-modify-write under the store's lock; `change` edits the array in place. */
  update<T>(change: (networks: NetworkRecord[]) => T): Promise<T>;
}

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_SUBNET = '10.88.0.0/16';

export function newNetworkId(): string {
  return randomBytes(32);
}

export function builtinNetworks(now: string): NetworkRecord[] {
  return [
    {
      Name: 'bridge',
      Id: 'b'.repeat(64),
      Created: now,
      Scope: 'local',
      Driver: 'bridge',
      Internal: false,
      IPAM: { Driver: 'default', Config: [{ Subnet: DEFAULT_SUBNET, Gateway: '10.88.0.1' }] },
      Labels: {},
      Containers: {},
    },
    {
      Name: 'none',
      Id: '0'.repeat(64),
      Created: now,
      Scope: 'local',
      Driver: 'null',
      Internal: true,
      IPAM: { Driver: 'default', Config: [] },
      Labels: {},
      Containers: {},
    },
  ];
}

/** Networks in memory (tests, the browser). */
export class MemoryNetworkStore implements NetworkStore {
  private networks: NetworkRecord[] = builtinNetworks(new Date().toISOString());
  async list(): Promise<NetworkRecord[]> {
    return structuredClone(this.networks);
  }
  async update<T>(change: (networks: NetworkRecord[]) => T): Promise<T> {
    const copy = structuredClone(this.networks);
    const result = change(copy);
    this.networks = copy;
    return result;
  }
}
