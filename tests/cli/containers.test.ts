// Container semantics through the real CLI: Docker's rules for command, env, hostname and mounts;
// the writable layer across stop/start, commit, cp, diff, export, save/load; logs; pause and a
// dead host seen from another process; named volumes.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { berth, ensureBuilt, newRoot, probeRootfs, removeRoot } from './cli-harness.ts';

let root: string;
let host: string;
beforeAll(async () => {
  ensureBuilt();
  root = newRoot();
  host = mkdtempSync(join(tmpdir(), 'berth-host-'));
  expect(
    (
      await berth(
        root,
        ['import', '--change', 'ENTRYPOINT ["/probe.wasm"]', '--change', 'ENV GREETING=hi', '-', 'probe'],
        { input: await probeRootfs() },
      )
    ).code,
  ).toBe(0);
});
afterAll(() => {
  removeRoot(root);
  removeRoot(host);
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('run semantics', () => {
  test('args replace Cmd; env = defaults + image + -e + --env-file; hostname = short id', async () => {
    const envFile = join(host, 'env.list');
    writeFileSync(envFile, '# comment\nFROM_FILE=1\n\nGREETING=file\n');
    const r = await berth(root, [
      'run',
      '--name',
      'envtest',
      '--env-file',
      envFile,
      '-e',
      'EXTRA=x',
      'probe',
      'a',
      'b',
    ]);
    expect(r.code).toBe(0);
    const id = (await berth(root, ['inspect', '-f', '{{.Id}}', 'envtest'])).stdout.trim();
    expect(r.stdout).toContain('arg0=/probe.wasm\narg1=a\narg2=b\n');
    const env = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('env '))
      .map((l) => l.slice(4));
    expect(env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `HOSTNAME=${id.slice(0, 12)}`,
      'GREETING=file',
      'FROM_FILE=1',
      'EXTRA=x',
    ]);
    expect((await berth(root, ['inspect', '-f', '{{.Config.Hostname}}', 'envtest'])).stdout).toBe(
      `${id.slice(0, 12)}\n`,
    );
  });

  test('--entrypoint drops the image Cmd; exit codes pass through', async () => {
    const r = await berth(root, ['run', '--rm', '--entrypoint', '/probe.wasm', 'probe', 'exit', '42']);
    expect(r.code).toBe(42);
    expect(
      (await berth(root, ['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'])).stdout,
    ).toBe('envtest\n');
  });

  test('-v host:ctr and :ro', async () => {
    expect(
      (
        await berth(root, [
          'run',
          '--rm',
          '-v',
          `${host}:/data`,
          'probe',
          'write',
          '/data/out.txt',
          'from-guest',
        ])
      ).code,
    ).toBe(0);
    expect(readFileSync(join(host, 'out.txt'), 'utf8')).toBe('from-guest');
    const ro = await berth(root, ['run', '--rm', '-v', `${host}:/data:ro`, 'probe', 'write', '/data/no.txt']);
    expect(ro.code).toBe(3);
    expect(ro.stderr).toMatch(/Read-only file system/);
  });

  test('named volumes: create, use across containers, ls, inspect, rm in use refused', async () => {
    expect((await berth(root, ['volume', 'create', 'store1'])).stdout).toBe('store1\n');
    expect(
      (await berth(root, ['run', '--name', 'vuser', '-v', 'store1:/v', 'probe', 'write', '/v/f', 'kept']))
        .code,
    ).toBe(0);
    expect((await berth(root, ['run', '--rm', '-v', 'store1:/v', 'probe', 'cat', '/v/f'])).stdout).toBe(
      'kept',
    );
    expect((await berth(root, ['volume', 'ls'])).stdout).toBe('DRIVER    VOLUME NAME\nlocal     store1\n');
    expect(JSON.parse((await berth(root, ['volume', 'inspect', 'store1'])).stdout)[0]).toMatchObject({
      Name: 'store1',
      Driver: 'local',
      Scope: 'local',
    });
    const busy = await berth(root, ['volume', 'rm', 'store1']);
    expect(busy.code).toBe(125);
    expect(busy.stderr).toMatch(/^berth: remove store1: volume is in use/);
    expect((await berth(root, ['rm', 'vuser'])).code).toBe(0);
    expect((await berth(root, ['volume', 'rm', 'store1'])).stdout).toBe('store1\n');
  });
});

describe('the writable layer', () => {
  test('survives stop/start; diff, cp both ways, commit, export, save/load', async () => {
    expect(
      (await berth(root, ['run', '--name', 'layer', 'probe', 'write', '/etc/new.txt', 'hello'])).code,
    ).toBe(0);
    expect((await berth(root, ['diff', 'layer'])).stdout).toBe('C /etc\nA /etc/new.txt\n');
    expect((await berth(root, ['start', '-a', 'layer'])).code).toBe(0); // runs again on its own layer
    const out = join(host, 'copied.txt');
    expect((await berth(root, ['cp', 'layer:/etc/new.txt', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('hello');
    writeFileSync(join(host, 'in.txt'), 'from-host');
    expect((await berth(root, ['cp', join(host, 'in.txt'), 'layer:/etc/'])).code).toBe(0);
    expect((await berth(root, ['diff', 'layer'])).stdout).toBe('C /etc\nA /etc/in.txt\nA /etc/new.txt\n');
    const commit = await berth(root, ['commit', '-m', 'two files', 'layer', 'probe:committed']);
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await berth(root, ['run', '--rm', 'probe:committed', 'cat', '/etc/in.txt'])).stdout).toBe(
      'from-host',
    );
    const hist = await berth(root, ['history', 'probe:committed']);
    expect(hist.stdout.split('\n')[0]).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(hist.stdout).toMatch(/two files/);
    const tarPath = join(host, 'export.tar');
    expect((await berth(root, ['export', '-o', tarPath, 'layer'])).code).toBe(0);
    const listing = execFileSync('tar', ['tf', tarPath], { encoding: 'utf8' });
    expect(listing).toMatch(/etc\/new\.txt/);
    expect(listing).toMatch(/probe\.wasm/);
    const saved = join(host, 'saved.tar');
    expect((await berth(root, ['save', '-o', saved, 'probe:committed'])).code).toBe(0);
    expect((await berth(root, ['rmi', 'probe:committed'])).stdout).toMatch(/Untagged: probe:committed/);
    expect((await berth(root, ['load', '-i', saved])).stdout).toBe('Loaded image: probe:committed\n');
    expect((await berth(root, ['run', '--rm', 'probe:committed', 'cat', '/etc/new.txt'])).stdout).toBe(
      'hello',
    );
    expect((await berth(root, ['rm', 'layer'])).code).toBe(0);
  });
});

describe('across processes', () => {
  test('logs, pause/unpause from another CLI, and a dead host shows exited', async () => {
    const id = (await berth(root, ['run', '-d', '--name', 'bg', 'probe', 'loop'])).stdout.trim();
    while (!(await berth(root, ['logs', 'bg'])).stdout.includes('looping')) await wait(50);
    const logs = await berth(root, ['logs', '-t', '--tail', '1', 'bg']);
    expect(logs.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z looping\n$/);
    expect((await berth(root, ['pause', 'bg'])).code).toBe(0);
    expect((await berth(root, ['ps', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(Paused\)\n$/);
    expect((await berth(root, ['unpause', 'bg'])).code).toBe(0);
    expect((await berth(root, ['inspect', '-f', '{{.State.Status}}', 'bg'])).stdout).toBe('running\n');
    const top = await berth(root, ['top', 'bg']);
    expect(top.stdout).toMatch(/^UID +PID +PPID +C +STIME +TTY +TIME +CMD\nroot +\d+ /);
    const hostPid = Number((await berth(root, ['inspect', '-f', '{{.State.Pid}}', id])).stdout);
    process.kill(hostPid, 'SIGKILL');
    await wait(200);
    expect(
      (await berth(root, ['ps', '-a', '--filter', 'name=bg', '--format', '{{.State}} {{.Status}}'])).stdout,
    ).toMatch(/^exited Exited \(255\)/);
    expect((await berth(root, ['ps', '-q'])).stdout).toBe('');
    expect((await berth(root, ['rm', 'bg'])).code).toBe(0);
  });

  test('ps --no-trunc, -q, --format json and the Engine shape of inspect', async () => {
    const id = (await berth(root, ['create', '--name', 'shape', 'probe'])).stdout.trim();
    expect((await berth(root, ['ps', '-a', '--no-trunc', '-q', '--filter', 'name=shape'])).stdout).toBe(
      `${id}\n`,
    );
    const row = JSON.parse(
      (await berth(root, ['ps', '-a', '--filter', 'name=shape', '--format', '{{json .}}'])).stdout,
    );
    expect(row).toMatchObject({
      ID: id.slice(0, 12),
      Image: 'probe',
      Names: 'shape',
      State: 'created',
      Status: 'Created',
      Command: '"/probe.wasm"',
    });
    const [doc] = JSON.parse((await berth(root, ['container', 'inspect', 'shape'])).stdout);
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'Id',
        'Created',
        'Path',
        'Args',
        'State',
        'Image',
        'Name',
        'HostConfig',
        'Mounts',
        'Config',
        'NetworkSettings',
      ]),
    );
    expect(doc.Name).toBe('/shape');
    expect((await berth(root, ['rm', 'shape'])).code).toBe(0);
  });
});
