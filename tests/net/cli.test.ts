// The network commands and port mapping through the real CLI (node bin/berth.cjs).

import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../overlay/tar-write.ts';
import { berth, berthBackground, ensureBuilt, newRoot, removeRoot } from '../cli/cli-harness.ts';
import { netGuest } from './net-harness.ts';

let root: string;
beforeAll(async () => {
  ensureBuilt();
  root = newRoot();
  const t = 1_700_000_000_000_000_000n;
  const tar = await writeTar([
    {
      name: 'server.wasm',
      type: 'file',
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtimeNs: t,
      data: netGuest('net-server'),
    },
  ]);
  const r = await berth(
    root,
    ['import', '--change', 'ENTRYPOINT ["/server.wasm"]', '--change', 'EXPOSE 80', '-', 'netsrv'],
    { input: tar },
  );
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => removeRoot(root));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('berth network', () => {
  it('creates, lists, inspects and removes networks', async () => {
    const created = await berth(root, ['network', 'create', 'app']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const ls = await berth(root, ['network', 'ls']);
    expect(ls.stdout).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n/);
    expect(ls.stdout).toMatch(/\sapp\s+bridge\s+local\n/);
    const subnet = await berth(root, ['network', 'inspect', '-f', '{{json .IPAM.Config}}', 'app']);
    expect(subnet.stdout).toBe('[{"Subnet":"10.89.0.0/24","Gateway":"10.89.0.1"}]\n');
    const dup = await berth(root, ['network', 'create', 'app']);
    expect(dup).toMatchObject({ code: 125, stderr: 'berth: network with name app already exists\n' });
    const rmBuiltin = await berth(root, ['network', 'rm', 'bridge']);
    expect(rmBuiltin.stderr).toMatch(/pre-defined network/);
    expect((await berth(root, ['network', 'rm', 'app'])).stdout).toBe('app\n');
    expect((await berth(root, ['network', 'inspect', 'app'])).stderr).toBe('berth: network app not found\n');
  });

  it('connects and disconnects a container with a stable address', async () => {
    expect((await berth(root, ['network', 'create', 'back'])).code).toBe(0);
    const c = await berth(root, ['create', '--name', 'c1', 'netsrv', 'echo']);
    expect(c.code, c.stderr).toBe(0);
    expect(await berth(root, ['network', 'connect', '--alias', 'db', 'back', 'c1'])).toMatchObject({
      code: 0,
      stderr: '',
    });
    const members = await berth(root, ['network', 'inspect', '-f', '{{json .Containers}}', 'back']);
    expect(members.stdout).toMatch(/"Name":"c1","IPv4Address":"10\.89\.\d+\.2\/24","Aliases":\["db"\]/);
    expect((await berth(root, ['network', 'rm', 'back'])).stderr).toMatch(/has active endpoints/);
    expect((await berth(root, ['network', 'disconnect', 'back', 'c1'])).code).toBe(0);
    expect((await berth(root, ['rm', 'c1'])).code).toBe(0);
    const bridge = await berth(root, ['network', 'inspect', '-f', '{{json .Containers}}', 'bridge']);
    expect(bridge.stdout).toBe('{}\n');
  });

  it('run --network with an unknown network fails before creating anything', async () => {
    const r = await berth(root, ['run', '--rm', '--network', 'nope', 'netsrv', 'echo']);
    expect(r).toMatchObject({ code: 125, stderr: 'berth: network nope not found\n' });
  });
});

describe('port mapping', () => {
  it('-p publishes on 127.0.0.1, `berth port` shows it, curl reaches the guest', async () => {
    const port = await freePort();
    const child = berthBackground(root, [
      'run',
      '--rm',
      '--name',
      'web',
      '-p',
      `${port}:80`,
      'netsrv',
      'http',
    ]);
    try {
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      for (let i = 0; i < 200 && !/ready 1/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toMatch(/ready 1 80 4/);
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe('hello from berth\n');
      expect((await berth(root, ['port', 'web'])).stdout).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
      expect((await berth(root, ['port', 'web', '80'])).stdout).toBe(`127.0.0.1:${port}\n`);
      expect((await berth(root, ['port', 'web', '81'])).stderr).toBe(
        "berth: No public port '81/tcp' published for web\n",
      );
      const ps = await berth(root, ['ps', '--format', '{{.Ports}}']);
      expect(ps.stdout).toBe(`127.0.0.1:${port}->80/tcp\n`);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
    }
  });

  it('a port in use stops the start with "port is already allocated"', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await berth(root, ['run', '--name', 'clash', '-p', `${port}:80`, 'netsrv', 'echo']);
      expect(r.code).toBe(125);
      expect(r.stderr).toBe(
        `berth: driver failed programming external connectivity: Bind for 127.0.0.1:${port} failed: port is already allocated\n`,
      );
      const state = await berth(root, ['inspect', '-f', '{{.State.Status}}', 'clash']);
      expect(state.stdout).toBe('created\n');
    } finally {
      busy.close();
    }
  });

  it('a malformed -p is a usage error', async () => {
    const r = await berth(root, ['run', '--rm', '-p', '99999:80', 'netsrv']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^berth: invalid argument "99999:80" for "-p, --publish" flag: invalid port/);
  });
});
