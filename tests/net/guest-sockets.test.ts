// Guest sockets end to end: real guests (images/tests/net-*.c) in workers, berth's network
// stack on this thread, and real clients on 127.0.0.1 (node:net, curl, redis-cli).

import { execFile } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetwork } from '../../runtime/networks/commands.ts';
import { processRuntime } from '../process/guest.ts';
import { NetHarness, hostPort, netGuest } from './net-harness.ts';

const run = promisify(execFile);
const runtime = processRuntime(4);
const h = new NetHarness(runtime);
const server = netGuest('net-server');
const client = netGuest('net-client');
afterAll(async () => {
  await h.close();
  await runtime.pool.close();
});

/** Sends `data`, half-closes, and collects the whole answer. */
function exchange(port: number, data: Uint8Array | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => {
      s.end(data);
    });
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    });
    s.on('error', reject);
  });
}

/** Resumes `s` and collects exactly `n` bytes from it. */
function readBytes(s: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got < n) return;
      s.off('data', onData);
      s.off('error', reject);
      s.pause();
      const all = Buffer.concat(chunks);
      if (got > n) s.unshift(all.subarray(n));
      resolve(all.subarray(0, n));
    };
    s.on('data', onData);
    s.on('error', reject);
    s.resume();
  });
}

const pattern = (size: number, seed: number) =>
  Buffer.from(new Uint8Array(size).map((_, i) => (i * seed + (i >> 13)) & 255));

function listenOnHost(handler: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const srv = createServer(handler);
    srv.listen(0, '127.0.0.1', () =>
      resolve({ server: srv, port: (srv.address() as { port: number }).port }),
    );
  });
}

describe('pre-opened listeners (LISTEN_FDS) and -p', () => {
  it('serves an echo guest through a published port, many clients at once', async () => {
    const g = await h.start('echo', server, ['echo'], { publish: ['80'], exposed: [80] });
    await g.waitFor(/ready 1/);
    const port = hostPort(g, 80);
    expect(g.settings.Ports['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => exchange(port, `client ${i} says hi`)),
    );
    expect(answers.map(String)).toEqual(answers.map((_, i) => `client ${i} says hi`));
    // 4 MiB both ways: more than a ring holds, so back-pressure has to work in both directions.
    const big = new Uint8Array(4 << 20).map((_, i) => (i * 7) & 255);
    const back = await exchange(port, big);
    expect(back.length).toBe(big.length);
    expect(Buffer.compare(back, Buffer.from(big))).toBe(0);
  });

  it('a client that stops reading: the guest bytes wait in order, then flow directly again', async () => {
    // The guest writes into the host socket itself until it is full, then through the engine,
    // which hands the socket back once it has flushed: the echo must come back in order.
    const g = await h.start('slow', server, ['echo'], { publish: ['80'] });
    await g.waitFor(/ready 1/);
    const s = connect({ host: '127.0.0.1', port: hostPort(g, 80) });
    await new Promise((r) => s.once('connect', r));
    s.pause();
    const big = pattern(6 << 20, 13);
    s.write(big);
    await new Promise((r) => setTimeout(r, 400));
    const back = await readBytes(s, big.length);
    expect(Buffer.compare(back, big)).toBe(0);
    for (const word of ['after', 'the', 'hand-over']) {
      s.write(word);
      expect(String(await readBytes(s, word.length))).toBe(word);
    }
    s.destroy();
  });

  it('a client that resets in the middle of an answer does not disturb the next one', async () => {
    const g = await h.start('reset', server, ['echo'], { publish: ['80'] });
    await g.waitFor(/ready 1/);
    const port = hostPort(g, 80);
    for (let round = 0; round < 3; round++) {
      const s = connect({ host: '127.0.0.1', port });
      await new Promise((r) => s.once('connect', r));
      s.on('error', () => {});
      s.write(pattern(8 << 20, 7 + round));
      expect((await readBytes(s, 64 << 10)).length).toBe(64 << 10);
      s.resetAndDestroy();
      expect(String(await exchange(port, `still here ${round}`))).toBe(`still here ${round}`);
    }
  });

  it('announces the listeners in the environment', async () => {
    const g = await h.start('fds', server, ['echo'], { exposed: [6379, 80] });
    await g.waitFor(/ready 2 80:6379 4\n/);
  });

  it('-P publishes every exposed port on a free host port', async () => {
    const g = await h.start('all', server, ['echo'], { exposed: [80, 81], publishAll: true });
    await g.waitFor(/ready 2/);
    const p80 = hostPort(g, 80);
    const p81 = hostPort(g, 81);
    expect(p80).not.toBe(p81);
    expect((await exchange(p81, 'x')).toString()).toBe('x');
  });

  it('curl gets HTTP/1.1 answers over one keep-alive connection', async () => {
    const g = await h.start('web', server, ['http'], { publish: ['127.0.0.1::8080'] });
    await g.waitFor(/ready 1/);
    const url = `http://127.0.0.1:${hostPort(g, 8080)}/`;
    const { stdout, stderr } = await run('curl', ['-sv', url, url], { timeout: 10_000 });
    expect(stdout).toBe('hello from berth\nhello from berth\n');
    expect(stderr).toMatch(/Re-using existing connection|Reusing existing connection/);
  });

  it('redis-cli talks RESP to a guest', async () => {
    const g = await h.start('resp', server, ['resp'], { publish: ['6379'] });
    await g.waitFor(/ready 1/);
    const port = String(hostPort(g, 6379));
    expect((await run('redis-cli', ['-p', port, 'ping'])).stdout).toBe('PONG\n');
    expect((await run('redis-cli', ['-p', port, 'echo', 'berth'])).stdout).toBe('berth\n');
  });

  it('a guest that never reads does not make the engine buffer without bound', async () => {
    const g = await h.start('sink', server, ['sink'], { publish: ['9000'] });
    await g.waitFor(/ready 1/);
    const s = connect({ host: '127.0.0.1', port: hostPort(g, 9000) });
    await new Promise((r) => s.once('connect', r));
    await g.waitFor(/accepted 1/);
    const chunk = Buffer.alloc(1 << 20);
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 64; i++) s.write(chunk);
    await new Promise((r) => setTimeout(r, 1500));
    // What left this socket: the ring (64 KiB) plus kernel buffers, not 64 MiB.
    const flushed = s.bytesWritten - s.writableLength;
    expect(flushed).toBeLessThan(24 << 20);
    expect(s.writableLength).toBeGreaterThan(32 << 20);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 << 20);
    s.destroy();
  });
});

describe('WASIX sockets and berth networks', () => {
  it('a WASIX server and client on one network reach each other by name and alias', async () => {
    await createNetwork(h.networks.store, 'app');
    const srv = await h.start('srv', server, ['wasix', '7000'], { network: 'app', aliases: ['db'] });
    await srv.waitFor(/listening 7000 flag 1/);
    const ip = srv.settings.Networks.app!.IPAddress;
    expect(ip).toMatch(/^10\.89\.\d+\.\d+$/);
    const byName = await h.run('cli', client, ['srv', '7000', 'ping'], { network: 'app' });
    expect(byName.code).toBe(0);
    expect(byName.out).toMatch(
      new RegExp(
        `^connected ${ip.replace(/\./g, '\\.')}:7000\\nhello 10\\.89\\.\\d+\\.\\d+ from ${ip.replace(/\./g, '\\.')}:7000\\nping$`,
      ),
    );
    const byAlias = await h.run('cli2', client, ['db', '7000', 'pong'], { network: 'app' });
    expect(byAlias.out).toMatch(/pong$/);
  });

  it('a WASIX server binding a published port gets the pre-opened listener', async () => {
    const g = await h.start('wx', server, ['wasix', '80'], { publish: ['80'] });
    await g.waitFor(/listening 80/);
    const answer = await exchange(hostPort(g, 80), 'abc');
    expect(answer.toString()).toMatch(/^hello 10\.88\.0\.1 from 10\.88\.\d+\.\d+:80\nabc$/);
  });

  it('containers on different networks do not see each other', async () => {
    await createNetwork(h.networks.store, 'other');
    const srv = await h.start('iso-srv', server, ['wasix', '7100'], { network: 'app' });
    await srv.waitFor(/listening 7100/);
    const ip = srv.settings.Networks.app!.IPAddress;
    expect((await h.run('iso1', client, ['iso-srv', '7100', 'x'], { network: 'other' })).out).toBe(
      'resolve failed 44\n',
    );
    expect((await h.run('iso2', client, [ip, '7100', 'x'], { network: 'other' })).out).toBe(
      'connect failed 23\n',
    );
  });

  it('--network none allows only the container itself', async () => {
    const srv = await h.start('none-srv', server, ['wasix', '7200'], { network: 'app' });
    await srv.waitFor(/listening 7200/);
    const ip = srv.settings.Networks.app!.IPAddress;
    expect((await h.run('n1', client, ['none-srv', '7200', 'x'], { network: 'none' })).out).toBe(
      'resolve failed 44\n',
    );
    expect((await h.run('n2', client, [ip, '7200', 'x'], { network: 'none' })).out).toBe(
      'connect failed 40\n',
    );
    expect((await h.run('n3', client, ['host.berth.internal', '80', 'x'], { network: 'none' })).out).toBe(
      'resolve failed 44\n',
    );
  });

  it('a closed port is ECONNREFUSED, an unknown name fails cleanly', async () => {
    const srv = await h.start('closed', server, ['wasix', '7300'], { network: 'app' });
    await srv.waitFor(/listening 7300/);
    expect((await h.run('c1', client, ['closed', '7301', 'x'], { network: 'app' })).out).toBe(
      'connect failed 14\n',
    );
    expect((await h.run('c2', client, ['127.0.0.1', '9', 'x'], { network: 'app' })).out).toBe(
      'connect failed 14\n',
    );
    const unknown = await h.run('c3', client, ['no-such-host', '80', 'x'], { network: 'app' });
    expect(unknown).toEqual({ code: 1, out: 'resolve failed 44\n' });
  });

  it('addresses inside berth subnets never reach a real socket', async () => {
    expect((await h.run('s1', client, ['10.89.0.250', '80', 'x'], { network: 'app' })).out).toBe(
      'connect failed 23\n',
    );
    expect((await h.run('s2', client, ['10.88.7.7', '80', 'x'], { network: 'app' })).out).toBe(
      'connect failed 23\n',
    );
  });

  it('host.berth.internal reaches the host loopback; 127.0.0.1 is the container’s own', async () => {
    const { server: srv, port } = await listenOnHost((s) => {
      s.on('data', (d) => s.end(`host got ${d}`));
    });
    try {
      const viaAlias = await h.run('h1', client, ['host.berth.internal', String(port), 'hi'], {});
      expect(viaAlias.out).toMatch(/^connected 10\.88\.0\.1:\d+\nhost got hi$/);
      const viaLoopback = await h.run('h2', client, ['127.0.0.1', String(port), 'hi'], {});
      expect(viaLoopback.out).toBe('connect failed 14\n');
      const added = await h.run('h3', client, ['resolve', 'myhost'], { extraHosts: ['myhost:10.1.2.3'] });
      expect(added.out).toBe('address 10.1.2.3\n');
    } finally {
      srv.close();
    }
  });

  it('killing a container closes its connections: peers see EOF', async () => {
    const sink = await h.start('sink2', server, ['sink'], { network: 'app', exposed: [9000] });
    await sink.waitFor(/ready 1/);
    const cli = await h.start('k1', client, ['sink2', '9000', 'bye'], { network: 'app' });
    await cli.waitFor(/connected/);
    await sink.waitFor(/accepted 1/);
    sink.proc.kill('SIGKILL');
    expect(await cli.exited()).toBe(0);
    expect(cli.text()).toMatch(/^connected 10\.89\.\d+\.\d+:9000\n$/);
  });

  it('a host port in use fails the start with "port is already allocated"', async () => {
    const { server: srv, port } = await listenOnHost(() => {});
    try {
      await expect(h.start('busy', server, ['echo'], { publish: [`${port}:80`] })).rejects.toThrow(
        /Bind for 127\.0\.0\.1:\d+ failed: port is already allocated/,
      );
    } finally {
      srv.close();
    }
  });
});
