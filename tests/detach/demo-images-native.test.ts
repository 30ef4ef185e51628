// The demo images' C sources built natively with gcc (the benchmark's peer build): redis-lite
// answers the real redis-cli, friendlyhello counts visits through it. Loopback only.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from '../cli/cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-demo-'));
const children: ChildProcess[] = [];

function build(name: string): string {
  const src = join(repo, 'images', name);
  const files = readdirSync(src)
    .filter((f) => f.endsWith('.c'))
    .map((f) => join(src, f));
  const out = join(dir, name);
  execFileSync('gcc', [
    '-O2',
    '-Wall',
    '-Werror',
    '-Wno-unused-parameter',
    `-I${join(repo, 'images', 'include')}`,
    ...files,
    '-o',
    out,
  ]);
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function serve(bin: string, env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(bin, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes(ready) && resolve());
    child.once('exit', (code) => reject(new Error(`${bin} exited ${code}`)));
  });
  return child;
}

const redisCli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' }).trim();

let redisPort: number;
let webPort: number;
beforeAll(async () => {
  const redis = build('redis-lite');
  const web = build('friendlyhello');
  redisPort = await freePort();
  webPort = await freePort();
  await serve(redis, { PORT: String(redisPort) }, 'ready');
  await serve(
    web,
    {
      PORT: String(webPort),
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redisPort),
      NAME: 'Test',
      HOSTNAME: 'box1',
    },
    'serving',
  );
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('redis-lite (native)', () => {
  it('answers redis-cli: strings, counters, expiry, keys', () => {
    expect(redisCli(redisPort, 'PING')).toBe('PONG');
    expect(redisCli(redisPort, 'SET', 'k', 'v', 'EX', '100')).toBe('OK');
    expect(redisCli(redisPort, 'GET', 'k')).toBe('v');
    expect(Number(redisCli(redisPort, 'TTL', 'k'))).toBeGreaterThan(98);
    expect(redisCli(redisPort, 'SET', 'k', 'w', 'NX')).toBe('');
    expect(redisCli(redisPort, 'INCRBY', 'n', '41')).toBe('41');
    expect(redisCli(redisPort, 'INCR', 'n')).toBe('42');
    expect(redisCli(redisPort, 'DECR', 'n')).toBe('41');
    expect(redisCli(redisPort, 'INCR', 'k')).toBe('ERR value is not an integer or out of range');
    expect(redisCli(redisPort, 'KEYS', '*').split('\n').sort()).toEqual(['k', 'n']);
    expect(redisCli(redisPort, 'EXISTS', 'k', 'n', 'zz')).toBe('2');
    expect(redisCli(redisPort, 'DEL', 'k')).toBe('1');
    expect(redisCli(redisPort, 'TTL', 'k')).toBe('-2');
    expect(redisCli(redisPort, 'ECHO', 'hi there')).toBe('hi there');
    expect(redisCli(redisPort, 'INFO', 'server')).toMatch(/redis_version:/);
    expect(redisCli(redisPort, 'FLUSHALL')).toBe('OK');
    expect(redisCli(redisPort, 'DBSIZE')).toBe('0');
    expect(redisCli(redisPort, 'NOPE')).toMatch(/^ERR unknown command 'NOPE'/);
  });

  it('serves many clients at once (redis-benchmark)', () => {
    const out = execFileSync(
      'redis-benchmark',
      ['-h', '127.0.0.1', '-p', String(redisPort), '-q', '-n', '2000', '-c', '50', '-t', 'set,get,incr'],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/INCR: [\d.]+ requests per second/);
  });
});

describe('friendlyhello (native)', () => {
  it('greets with NAME and hostname and counts visits in redis', async () => {
    redisCli(redisPort, 'DEL', 'counter');
    const a = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
    const b = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
    expect(a).toBe('<h3>Hello Test!</h3><b>Hostname:</b> box1<br/><b>Visits:</b> 1');
    expect(b).toContain('<b>Visits:</b> 2');
    expect(redisCli(redisPort, 'GET', 'counter')).toBe('2');
    expect((await fetch(`http://127.0.0.1:${webPort}/missing`)).status).toBe(404);
  });

  it('says the counter is disabled when redis cannot be reached', async () => {
    const port = await freePort();
    const closed = await freePort();
    await serve(
      join(dir, 'friendlyhello'),
      { PORT: String(port), REDIS_HOST: '127.0.0.1', REDIS_PORT: String(closed) },
      'serving',
    );
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toMatch(/^<h3>Hello world!<\/h3>/);
    expect(page).toContain('<i>cannot connect to Redis, counter disabled</i>');
  });
});
