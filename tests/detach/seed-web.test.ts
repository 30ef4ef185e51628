// The seed tutorial's web flow with real clients: friendlyhello published with -p and read with
// curl (foreground and detached), `container ls` / `container stop`, then friendlyhello and
// redis-lite on a user network sharing one counter (checked with the real redis-cli), network
// isolation, and the usual bad input. Real CLI subprocesses, a temporary BERTH_ROOT, free ports.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../overlay/tar-write.ts';
import { berth, berthBackground } from '../cli/cli-harness.ts';
import { netGuest } from '../net/net-harness.ts';
import { ENV, cleanup, cli, ensureBuilt, inspect, newRoot, waitFor } from './detach-harness.ts';

let root: string;
beforeAll(async () => {
  await ensureBuilt();
  root = newRoot();
  // A small client image (images/tests/net-client.c) to probe DNS and connects from inside.
  const tar = await writeTar([
    { name: 'nc.wasm', type: 'file', mode: 0o755, uid: 0, gid: 0, mtimeNs: 0n, data: netGuest('net-client') },
  ]);
  const r = await berth(root, ['import', '--change', 'ENTRYPOINT ["/nc.wasm"]', '-', 'netclient'], {
    input: tar,
    env: ENV,
  });
  expect(r.stderr).toBe('');
}, 120_000);
afterAll(async () => {
  await cleanup(root);
});

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Can a new listener take the port (nobody holds it any more)? */
const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 15_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
    );
  });
}

const curl = (port: number) =>
  run('curl', ['-sS', '--noproxy', '*', '--max-time', '10', `http://127.0.0.1:${port}/`]);
const redisCli = (port: number, ...args: string[]) =>
  run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);

const visits = (page: string): string => /<b>Visits:<\/b> (.*)$/.exec(page)?.[1] ?? `no visits in ${page}`;

describe('seed: friendlyhello with -p and curl', () => {
  it('foreground `run -p PORT:80 friendlyhello` answers curl with Hello World! and its hostname', async () => {
    const port = await freePort();
    const child = berthBackground(root, ['run', '--name', 'fg', '-p', `${port}:80`, 'friendlyhello']);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    try {
      await waitFor(() => /serving HTTP on port 80/.test(out) || undefined);
      const page = await curl(port);
      expect(page.stderr).toBe('');
      const hostname = (await inspect(root, 'fg')).Config.Hostname as string;
      expect(hostname).toMatch(/^[0-9a-f]{12}$/);
      expect(page.stdout).toBe(
        `<h3>Hello World!</h3><b>Hostname:</b> ${hostname}<br/><b>Visits:</b> ` +
          '<i>cannot connect to Redis, counter disabled</i>',
      );
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
    }
    expect(await canBind(port)).toBe(true);
  });

  it('run -d -p: container ls shows PORTS, curl answers, container stop frees the port', async () => {
    const port = await freePort();
    const r = await cli(root, ['run', '-d', '-p', `${port}:80`, 'friendlyhello']);
    expect(r.stderr).toBe('');
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ls = await cli(root, ['container', 'ls']);
    const row = ls.stdout.split('\n').find((l) => l.startsWith(id.slice(0, 12)));
    expect(row).toMatch(new RegExp(`Up .*127\\.0\\.0\\.1:${port}->80/tcp`));
    expect(ls.stdout.split('\n')[0]).toMatch(/PORTS\s+NAMES$/);
    expect((await curl(port)).stdout).toMatch(/^<h3>Hello World!<\/h3><b>Hostname:<\/b> [0-9a-f]{12}<br\/>/);
    expect(await canBind(port)).toBe(false);
    const stop = await cli(root, ['container', 'stop', id.slice(0, 12)]);
    expect(stop).toMatchObject({ code: 0, stdout: `${id.slice(0, 12)}\n` });
    expect((await cli(root, ['container', 'ls', '-q'])).stdout).not.toContain(id.slice(0, 12));
    expect(await canBind(port)).toBe(true);
    expect((await curl(port)).code).not.toBe(0);
  }, 60_000);
});

describe('seed: friendlyhello + redis-lite on a user network', () => {
  let webPort: number;
  let redisPort: number;
  beforeAll(async () => {
    webPort = await freePort();
    redisPort = await freePort();
    expect((await cli(root, ['network', 'create', 'app'])).code).toBe(0);
    const redis = await cli(root, [
      'run',
      '-d',
      '--network',
      'app',
      '--name',
      'redis',
      '-p',
      `${redisPort}:6379`,
      'redis-lite',
    ]);
    expect(redis.stderr).toBe('');
    const web = await cli(root, [
      'run',
      '-d',
      '--network',
      'app',
      '--name',
      'web',
      '-p',
      `${webPort}:80`,
      'friendlyhello',
    ]);
    expect(web.stderr).toBe('');
  });

  it('every curl increments Visits and redis-cli reads the same counter', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(visits((await curl(webPort)).stdout));
    expect(seen).toEqual(['1', '2', '3']);
    expect((await redisCli(redisPort, 'get', 'counter')).stdout.trim()).toBe('3');
    expect((await redisCli(redisPort, 'set', 'counter', '41')).stdout.trim()).toBe('OK');
    expect(visits((await curl(webPort)).stdout)).toBe('42');
  });

  it('a container on another network cannot resolve or reach redis', async () => {
    expect((await cli(root, ['network', 'create', 'other'])).code).toBe(0);
    const name = await cli(root, ['run', '--rm', '--network', 'other', 'netclient', 'resolve', 'redis']);
    expect(name).toMatchObject({ code: 1, stdout: 'resolve failed 44\n' }); // ENOENT
    const ip = (await inspect(root, 'redis')).NetworkSettings.Networks.app.IPAddress as string;
    expect(ip).toMatch(/^10\.89\.\d+\.\d+$/);
    const byIp = await cli(root, ['run', '--rm', '--network', 'other', 'netclient', ip, '6379', 'PING\r\n']);
    expect(byIp).toMatchObject({ code: 1, stdout: 'connect failed 23\n' }); // EHOSTUNREACH
    // Same network: the name resolves and redis answers.
    const ok = await cli(root, ['run', '--rm', '--network', 'app', 'netclient', 'redis', '6379', 'PING\r\n']);
    expect(ok.stdout).toBe(`connected ${ip}:6379\n+PONG\r\n`);
    // friendlyhello on the other network: its counter is disabled.
    const port = await freePort();
    const web = await cli(root, [
      'run',
      '-d',
      '--network',
      'other',
      '--name',
      'web2',
      '-p',
      `${port}:80`,
      'friendlyhello',
    ]);
    expect(web.stderr).toBe('');
    expect(visits((await curl(port)).stdout)).toBe('<i>cannot connect to Redis, counter disabled</i>');
    expect((await cli(root, ['rm', '-f', 'web2'])).code).toBe(0);
  });

  it('--network none cannot connect anywhere', async () => {
    const ip = (await inspect(root, 'redis')).NetworkSettings.Networks.app.IPAddress as string;
    const cases: [string[], RegExp][] = [
      [['redis', '6379', 'x'], /^resolve failed 44\n$/],
      [[ip, '6379', 'x'], /^connect failed (23|40)\n$/],
      [['host.berth.internal', String(redisPort), 'x'], /^resolve failed 44\n$/],
      [['127.0.0.1', String(redisPort), 'x'], /^connect failed 14\n$/], // its own loopback: nobody listens
    ];
    for (const [args, out] of cases) {
      const r = await cli(root, ['run', '--rm', '--network', 'none', 'netclient', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stdout, args.join(' ')).toMatch(out);
    }
  });

  it('a closed port is ECONNREFUSED and an unknown name ENOENT inside the guest', async () => {
    const closed = await cli(root, ['run', '--rm', '--network', 'app', 'netclient', 'redis', '6380', 'x']);
    expect(closed).toMatchObject({ code: 1, stdout: 'connect failed 14\n' });
    const unknown = await cli(root, ['run', '--rm', '--network', 'app', 'netclient', 'resolve', 'nosuch']);
    expect(unknown).toMatchObject({ code: 1, stdout: 'resolve failed 44\n' });
    // friendlyhello pointed at either shows the disabled counter instead of failing the page.
    for (const env of ['REDIS_PORT=6380', 'REDIS_HOST=nosuch']) {
      const port = await freePort();
      const r = await cli(root, [
        'run',
        '-d',
        '--network',
        'app',
        '-e',
        env,
        '-p',
        `${port}:80`,
        'friendlyhello',
      ]);
      expect(r.stderr).toBe('');
      const page = await curl(port);
      expect(page.stdout, env).toMatch(/^<h3>Hello World!<\/h3>/);
      expect(visits(page.stdout), env).toBe('<i>cannot connect to Redis, counter disabled</i>');
      expect((await cli(root, ['rm', '-f', r.stdout.trim()])).code).toBe(0);
    }
  });

  it('rejects bad input: malformed -p, unknown network, a name in use, a taken port', async () => {
    const malformed = await cli(root, ['run', '-d', '-p', '80x:80', 'friendlyhello']);
    expect(malformed).toMatchObject({ code: 125 });
    expect(malformed.stderr).toBe(
      'berth: invalid argument "80x:80" for "-p, --publish" flag: invalid port: "80x"\n',
    );
    const tooBig = await cli(root, ['run', '-d', '-p', '70000:80', 'friendlyhello']);
    expect(tooBig.code).toBe(125);
    expect(tooBig.stderr).toMatch(/^berth: invalid argument "70000:80" for "-p, --publish" flag/);
    const network = await cli(root, ['run', '-d', '--network', 'nope', 'friendlyhello']);
    expect(network).toMatchObject({ code: 125, stderr: 'berth: network nope not found\n' });
    const dup = await cli(root, ['run', '-d', '--name', 'redis', 'redis-lite']);
    expect(dup.code).toBe(125);
    expect(dup.stderr).toMatch(
      /^berth: Conflict\. The container name "\/redis" is already in use by container "[0-9a-f]{64}"/,
    );
    const taken = await cli(root, ['run', '-d', '-p', `${webPort}:80`, 'friendlyhello']);
    expect(taken.code).toBe(125);
    expect(taken.stderr).toMatch(/port is already allocated\n$/);
    // The running pair is untouched by all of that.
    expect(visits((await curl(webPort)).stdout)).toMatch(/^\d+$/);
  });

  it('stopping the pair frees both ports', async () => {
    const r = await cli(root, ['container', 'stop', '-t', '1', 'web', 'redis']);
    expect(r).toMatchObject({ code: 0, stdout: 'web\nredis\n' });
    expect(await canBind(webPort)).toBe(true);
    expect(await canBind(redisPort)).toBe(true);
    expect(readFileSync(join(root, 'networks', 'networks.json'), 'utf8')).toContain('"app"');
  });
});
