// Network records and commands over a memory store, subnet arithmetic and -p parsing.

import { describe, expect, it } from 'vitest';
import {
  connectNetwork,
  createNetwork,
  disconnectNetwork,
  inspectNetwork,
  listNetworks,
  removeNetwork,
} from '../../runtime/networks/commands.ts';
import { EngineNetworks } from '../../runtime/networks/engine-networks.ts';
import { MemoryNetworkStore } from '../../runtime/networks/network-store.ts';
import { parsePublish, publishSpecs } from '../../runtime/networks/port-spec.ts';
import { allocateIp, contains, parseSubnet } from '../../runtime/networks/subnet.ts';

describe('subnets', () => {
  it('parses, contains and allocates from .2 up', () => {
    const s = parseSubnet('10.89.3.7/24');
    expect(s.text).toBe('10.89.3.0/24');
    expect(contains(s, '10.89.3.255')).toBe(true);
    expect(contains(s, '10.89.4.1')).toBe(false);
    expect(allocateIp(s, new Set(['10.89.3.2']))).toBe('10.89.3.3');
    expect(allocateIp(parseSubnet('10.0.0.0/30'), new Set(['10.0.0.2']))).toBeUndefined();
    expect(() => parseSubnet('10.0.0.0')).toThrow(/invalid subnet/);
  });
});

describe('network commands', () => {
  it('creates networks on free 10.89.x.0/24 subnets, lists and inspects them', async () => {
    const store = new MemoryNetworkStore();
    const a = await createNetwork(store, 'app');
    const b = await createNetwork(store, 'back');
    expect(a.IPAM.Config[0]).toEqual({ Subnet: '10.89.0.0/24', Gateway: '10.89.0.1' });
    expect(b.IPAM.Config[0]!.Subnet).toBe('10.89.1.0/24');
    expect((await listNetworks(store)).map((n) => n.Name)).toEqual(['app', 'back', 'bridge', 'none']);
    expect((await inspectNetwork(store, a.Id.slice(0, 12))).Name).toBe('app');
    await expect(createNetwork(store, 'app')).rejects.toThrow('network with name app already exists');
    await expect(createNetwork(store, 'x', { subnet: '10.89.0.128/25' })).rejects.toThrow(/overlaps/);
    await expect(createNetwork(store, 'bad name')).rejects.toThrow(/invalid network name/);
    await expect(inspectNetwork(store, 'nope')).rejects.toThrow('network nope not found');
  });

  it('connects containers with stable addresses and refuses to remove a network in use', async () => {
    const store = new MemoryNetworkStore();
    await createNetwork(store, 'app', { subnet: '172.30.0.0/16' });
    expect(await connectNetwork(store, 'app', { id: 'c1', name: '/one' })).toBe('172.30.0.2');
    expect(await connectNetwork(store, 'app', { id: 'c2', name: 'two' }, ['db'])).toBe('172.30.0.3');
    expect(await connectNetwork(store, 'app', { id: 'c1', name: 'one' })).toBe('172.30.0.2');
    await expect(removeNetwork(store, 'app')).rejects.toThrow(/has active endpoints/);
    await expect(removeNetwork(store, 'bridge')).rejects.toThrow(/pre-defined network/);
    await disconnectNetwork(store, 'app', 'c1');
    await disconnectNetwork(store, 'app', 'c2');
    await expect(disconnectNetwork(store, 'app', 'c2')).rejects.toThrow(/is not connected/);
    expect(await removeNetwork(store, 'app')).toBe('app');
  });

  it('join/leave at create and remove; host mode is refused', async () => {
    const nets = new EngineNetworks(new MemoryNetworkStore(), undefined);
    await nets.join('c1', '/web');
    const bridge = await inspectNetwork(nets.store, 'bridge');
    expect(bridge.Containers.c1).toEqual({ Name: 'web', IPv4Address: '10.88.0.2/16', Aliases: [] });
    expect(await nets.join('c2', 'x', 'none')).toBe('none');
    await expect(nets.join('c3', 'y', 'missing')).rejects.toThrow('network missing not found');
    await expect(nets.join('c3', 'y', 'host')).rejects.toThrow(/not supported/);
    await nets.leave('c1');
    expect((await inspectNetwork(nets.store, 'bridge')).Containers).toEqual({});
  });
});

describe('-p parsing', () => {
  it('accepts Docker forms', () => {
    expect(parsePublish(['8080:80', '127.0.0.1:9000:90/tcp', '81', '127.0.0.1::82'])).toEqual({
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '90/tcp': [{ HostIp: '127.0.0.1', HostPort: '9000' }],
      '81/tcp': [{ HostIp: '', HostPort: '' }],
      '82/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    });
  });

  it.each(['abc', '70000:80', '1:2:3:4', '80/udp', 'x:80:80', '8000-8010:80', ':', '80:0'])(
    'rejects %s',
    (spec) => {
      expect(() => parsePublish([spec])).toThrow(/invalid argument .* for "-p, --publish" flag/);
    },
  );

  it('binds 127.0.0.1 by default and -P adds exposed ports on free host ports', () => {
    const specs = publishSpecs(parsePublish(['8080:80']), [80, 443], true);
    expect(specs).toEqual([
      { containerPort: 80, hostIp: '127.0.0.1', hostPort: 8080 },
      { containerPort: 443, hostIp: '127.0.0.1', hostPort: 0 },
    ]);
  });
});
