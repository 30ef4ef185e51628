// The real docker CLI against `berth system service` (the Docker Engine API over berth's engine):
// the seed's container verbs as a Docker user types them, with DOCKER_HOST set and no dockerd.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repo } from '../cli/cli-harness.ts';
import { freePort } from '../helpers/registry-server.ts';
import { type Service, startService } from './service-harness.ts';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
}, 60_000);
afterAll(() => svc?.stop());

describe('docker CLI → berth system service', () => {
  test('the API is for this user only: a 0600 socket, and no address but loopback', async () => {
    expect(statSync(svc.socket).mode & 0o777).toBe(0o600);
    for (const where of ['tcp://0.0.0.0:0', 'tcp://192.0.2.1:2375']) {
      const r = await svc.berth(['system', 'service', where]);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(
        /^berth: refusing to serve the API on .*: only 127\.0\.0\.1, ::1 or a unix socket\n$/,
      );
    }
  });

  test('docker version and info name berth as the server', async () => {
    const v = await svc.docker(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}']);
    expect(v).toMatchObject({ code: 0 });
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+ 1\.43$/);
    const info = await svc.docker(['info', '--format', '{{.DefaultRuntime}} {{.OSType}}']);
    expect(info).toMatchObject({ code: 0, stdout: 'wasm linux\n' });
  });

  test('docker run --rm hello-world prints its message and leaves no container', async () => {
    const r = await svc.docker(['run', '--rm', 'hello-world']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hello from berth!');
    expect((await svc.docker(['ps', '-a', '-q'])).stdout).toBe('');
  });

  test('exit codes, stdout and stderr apart, stdin with -i, a tty with -t', async () => {
    const r = await svc.docker(['run', '--rm', 'berthbox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    const cat = await svc.docker(
      ['run', '-i', '--rm', 'berthbox', 'sh', '-c', 'read a; read b; echo "$b-$a"'],
      {
        input: 'one\ntwo\n',
      },
    );
    expect(cat).toMatchObject({ code: 0, stdout: 'two-one\n' });
    // With a TTY there is one stream: stderr comes out on stdout.
    const tty = await svc.docker(['run', '-t', '--rm', 'berthbox', 'sh', '-c', 'echo e >&2']);
    expect(tty.code).toBe(0);
    expect(tty.stdout.replace(/\r/g, '')).toBe('e\n');
    const missing = await svc.docker(['run', '--rm', 'berthbox', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-command');
  });

  test('create, start -a, rename, start, wait, logs, inspect, rm', async () => {
    const id = (
      await svc.docker(['create', '--name', 'c1', 'berthbox', 'sh', '-c', 'echo ran; exit 6'])
    ).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const attached = await svc.docker(['start', '-a', 'c1']);
    expect(attached).toMatchObject({ code: 6, stdout: 'ran\n' });
    expect((await svc.docker(['rename', 'c1', 'c2'])).code).toBe(0);
    expect((await svc.docker(['start', 'c2'])).stdout).toBe('c2\n');
    expect((await svc.docker(['wait', 'c2'])).stdout).toBe('6\n');
    expect((await svc.docker(['logs', 'c2'])).stdout).toBe('ran\nran\n');
    const state = await svc.docker([
      'inspect',
      '-f',
      '{{.Name}} {{.State.Status}} {{.State.ExitCode}}',
      'c2',
    ]);
    expect(state.stdout).toBe('/c2 exited 6\n');
    // berth's own CLI sees the same container.
    expect((await svc.berth(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout).toMatch(
      /^c2 Exited \(6\)/,
    );
    expect((await svc.docker(['rm', 'c2'])).stdout).toBe('c2\n');
    const gone = await svc.docker(['inspect', 'c2']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('No such');
  });

  test('the seed: run -d -p 4000:80 friendlyhello serves curl, ps shows the port, stop, kill, rm -f', async () => {
    // The seed's build, by the docker CLI (the classic builder's POST /build).
    const built = await svc.docker(['build', '--tag=friendlyhello', join(repo, 'examples', 'friendlyhello')]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain('Successfully tagged friendlyhello:latest');
    const port = await freePort();
    const run = await svc.docker(['run', '-d', '--name', 'web', '-p', `${port}:80`, 'friendlyhello']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const page = execFileSync(
      'curl',
      ['-s', '--retry', '5', '--retry-connrefused', `http://127.0.0.1:${port}/`],
      {
        encoding: 'utf8',
      },
    );
    expect(page).toContain('Hello World!');
    // The default bridge's address, also at the top of NetworkSettings as Docker puts it.
    const ip = await svc.docker([
      'inspect',
      '-f',
      '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}}',
      'web',
    ]);
    expect(ip.stdout).toMatch(/^(10\.88\.\d+\.\d+) \1\n$/);
    const ps = await svc.docker(['ps', '--format', '{{.Names}}|{{.Ports}}|{{.Status}}']);
    expect(ps.stdout).toMatch(new RegExp(`^web\\|127\\.0\\.0\\.1:${port}->80/tcp\\|Up `));
    expect((await svc.docker(['stop', '-t', '1', 'web'])).stdout).toBe('web\n');
    const stopped = await svc.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'web']);
    expect(stopped.stdout).toBe('exited 137\n');
    expect((await svc.docker(['ps', '-q'])).stdout).toBe('');
    expect((await svc.docker(['start', 'web'])).code).toBe(0);
    expect((await svc.docker(['kill', 'web'])).stdout).toBe('web\n');
    expect((await svc.docker(['rm', '-f', 'web'])).stdout).toBe('web\n');
  });

  test('exec: into a detached container, with stdin, -w and -e, detached, exit codes', async () => {
    expect(
      (
        await svc.docker([
          'run',
          '-d',
          '--name',
          'box',
          'berthbox',
          'sh',
          '-c',
          'echo data > /tmp/f; sleep 60',
        ])
      ).code,
    ).toBe(0);
    let seen = '';
    for (let i = 0; i < 50 && seen !== 'data\n'; i++)
      seen = (await svc.docker(['exec', 'box', 'cat', '/tmp/f'])).stdout;
    expect(seen).toBe('data\n');
    const piped = await svc.docker(['exec', '-i', 'box', 'sh', '-c', 'cat; exit 7'], { input: 'piped\n' });
    expect(piped).toMatchObject({ code: 7, stdout: 'piped\n' });
    const env = await svc.docker(['exec', '-w', '/tmp', '-e', 'A=b', 'box', 'sh', '-c', 'echo $PWD $A']);
    expect(env.stdout).toBe('/tmp b\n');
    expect((await svc.docker(['exec', '-d', 'box', 'sh', '-c', 'echo d > /tmp/g'])).code).toBe(0);
    let g = '';
    for (let i = 0; i < 50 && g !== 'd\n'; i++)
      g = (await svc.docker(['exec', 'box', 'cat', '/tmp/g'])).stdout;
    expect(g).toBe('d\n');
    const missing = await svc.docker(['exec', 'box', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-command');
    const top = await svc.docker(['top', 'box']);
    expect(top.stdout).toMatch(/^UID\s+PID\s+PPID.*CMD\n/);
    expect(top.stdout).toContain('sh -c echo data > /tmp/f; sleep 60');
    const df = await svc.docker(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']);
    expect(df.stdout).toMatch(/^Containers \d+ 1$/m);
    expect((await svc.docker(['rm', '-f', 'box'])).code).toBe(0);
    const stopped = await svc.docker(['exec', 'box', 'ls']);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('No such container: box');
  });

  test('docker build: -q prints the ID, a bad line or a failing RUN fails with its Dockerfile line', async () => {
    const dir = mkdtempSync(join(svc.root, 'ctx-'));
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM berthbox\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n',
    );
    writeFileSync(join(dir, 'hello.txt'), 'from the context\n');
    const quiet = await svc.docker(['build', '-q', '-t', 'ctx-image', dir]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await svc.docker(['run', '--rm', 'ctx-image'])).stdout).toBe('from the context\n');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM berthbox\nBOGUS x\n');
    const bad = await svc.docker(['build', '-t', 'bad-image', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Dockerfile:2: unknown instruction: BOGUS');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM berthbox\nRUN exit 3\n');
    const failed = await svc.docker(['build', '-t', 'bad-image', dir]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('exit code: 3');
    // The build cache goes with builder prune (the steps above were cached there).
    const pruned = await svc.docker(['builder', 'prune', '-f']);
    expect(pruned.stdout).toMatch(/^Deleted build cache objects:\n[0-9a-f]{64}\n/);
    // Nothing was tagged by the failed builds.
    const inspect = await svc.docker(['run', '--rm', 'bad-image']);
    expect(inspect.code).toBe(125);
  });

  test('diff, cp both ways, export, commit and container prune', async () => {
    const made = await svc.docker([
      'run',
      '--name',
      'files',
      'berthbox',
      'sh',
      '-c',
      'mkdir /work; echo a > /work/a.txt',
    ]);
    expect(made.code, made.stderr).toBe(0);
    expect((await svc.docker(['diff', 'files'])).stdout).toBe('A /work\nA /work/a.txt\n');
    const out = mkdtempSync(join(svc.root, 'cp-'));
    expect((await svc.docker(['cp', 'files:/work', out])).code).toBe(0);
    expect(readFileSync(join(out, 'work', 'a.txt'), 'utf8')).toBe('a\n');
    writeFileSync(join(out, 'b.txt'), 'from the host\n');
    const into = await svc.docker(['cp', join(out, 'b.txt'), 'files:/work/']);
    expect(into.code, into.stderr).toBe(0);
    const exported = execFileSync('docker', ['export', 'files'], { env: { ...process.env, ...svc.env } });
    const names = execFileSync('tar', ['-t'], { input: exported, encoding: 'utf8' }).split('\n');
    expect(names).toContain('work/b.txt');
    const committed = await svc.docker(['commit', 'files', 'committed:1']);
    expect(committed.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await svc.docker(['run', '--rm', 'committed:1', 'cat', '/work/b.txt'])).stdout).toBe(
      'from the host\n',
    );
    const pruned = await svc.docker(['container', 'prune', '-f']);
    expect(pruned.stdout).toContain('Deleted Containers:');
    expect((await svc.docker(['ps', '-a', '-q'])).stdout).toBe('');
  });

  test('docker events: create, start, pause, unpause, die and destroy of a container', async () => {
    const events = spawn('docker', ['events', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], {
      env: { ...process.env, ...svc.env },
    });
    let seen = '';
    events.stdout.on('data', (c) => (seen += c));
    await new Promise((r) => setTimeout(r, 500));
    await svc.docker(['run', '-d', '--name', 'watched', 'berthbox', 'sleep', '30']);
    await new Promise((r) => setTimeout(r, 300));
    await svc.docker(['pause', 'watched']);
    await new Promise((r) => setTimeout(r, 300));
    await svc.docker(['unpause', 'watched']);
    await new Promise((r) => setTimeout(r, 300));
    await svc.docker(['rm', '-f', 'watched']);
    for (let i = 0; i < 50 && !seen.includes('destroy watched'); i++)
      await new Promise((r) => setTimeout(r, 100));
    events.kill();
    expect(seen).toBe(
      'create watched\nstart watched\npause watched\nunpause watched\ndie watched\ndestroy watched\n',
    );
  });

  test('volumes and networks: create, use, in-use refusal, inspect, rm', async () => {
    expect((await svc.docker(['volume', 'create', 'vol1'])).stdout).toBe('vol1\n');
    expect((await svc.docker(['volume', 'ls', '-q'])).stdout).toContain('vol1\n');
    expect(
      (await svc.docker(['run', '--rm', '-v', 'vol1:/data', 'berthbox', 'sh', '-c', 'echo kept > /data/x']))
        .code,
    ).toBe(0);
    expect((await svc.docker(['run', '--rm', '-v', 'vol1:/data', 'berthbox', 'cat', '/data/x'])).stdout).toBe(
      'kept\n',
    );
    await svc.docker(['create', '--name', 'user', '-v', 'vol1:/data', 'berthbox', 'true']);
    const inUse = await svc.docker(['volume', 'rm', 'vol1']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('volume is in use');
    await svc.docker(['rm', 'user']);
    expect((await svc.docker(['volume', 'rm', 'vol1'])).stdout).toBe('vol1\n');
    expect((await svc.docker(['network', 'create', 'net1'])).stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await svc.docker(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).stdout).toContain(
      'net1 bridge\n',
    );
    await svc.docker(['create', '--name', 'member', '--network', 'net1', 'berthbox', 'true']);
    const members = await svc.docker([
      'network',
      'inspect',
      '-f',
      '{{range .Containers}}{{.Name}}{{end}}',
      'net1',
    ]);
    expect(members.stdout).toBe('member\n');
    await svc.docker(['rm', 'member']);
    expect((await svc.docker(['network', 'rm', 'net1'])).stdout).toBe('net1\n');
    const gone = await svc.docker(['network', 'rm', 'net1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('network net1 not found');
    await svc.docker(['network', 'create', 'unused']);
    expect((await svc.docker(['network', 'prune', '-f'])).stdout).toBe('Deleted Networks:\nunused\n\n');
  });

  test("errors come back as Docker's: unknown container, running container rm, bad image name", async () => {
    const unknown = await svc.docker(['stop', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No such container: nope');
    await svc.docker(['run', '-d', '--name', 'busy', 'berthbox', 'sleep', '30']);
    const rm = await svc.docker(['rm', 'busy']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/Error response from daemon: .*running/);
    expect((await svc.docker(['rm', '-f', 'busy'])).code).toBe(0);
    const bad = await svc.docker(['run', '--rm', 'Bad:Name']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('invalid reference format');
  });
});
