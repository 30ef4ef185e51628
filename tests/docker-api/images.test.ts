// The real docker CLI's image verbs against `berth system service`, with a real docker-registry
// behind htpasswd: login (checked, kept by the docker CLI only), tag, push, pull with Docker's
// progress lines, images, inspect, history, rmi.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { type Service, startService } from './service-harness.ts';
import { NO_PROXY_ENV } from '../helpers/no-proxy.ts';

let svc: Service;
let registry: RegistryServer;
let config: string;
let R: string;

/** The service's own config (berth's auth.json, a Docker config of its own) apart from the CLI's. */
const serviceEnv = () => ({
  XDG_CONFIG_HOME: join(config, 'xdg'),
  DOCKER_CONFIG: join(config, 'service-docker'),
  ...NO_PROXY_ENV,
});

beforeAll(async () => {
  config = mkdtempSync(join(tmpdir(), 'berth-api-images-'));
  registry = await startRegistry({ users: { gordon: 'tutorial-pw' } });
  R = registry.host;
  svc = await startService({ env: serviceEnv() });
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await registry?.stop();
  rmSync(config, { recursive: true, force: true });
});

const lines = (s: string) => s.split('\n').filter(Boolean);
const cliConfig = () => join(svc.env.DOCKER_CONFIG!, 'config.json');
const berthAuthFile = () => join(config, 'xdg', 'berth', 'auth.json');

describe('docker CLI image verbs → berth system service', () => {
  test('docker login: a wrong password is refused (401), a right one stored by the CLI, not by berth', async () => {
    const bad = await svc.docker(['login', R, '-u', 'gordon', '--password-stdin'], { input: 'wrong\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error response from daemon: login to 127\.0\.0\.1:\d+: unauthorized/);
    expect(existsSync(cliConfig()) && readFileSync(cliConfig(), 'utf8').includes(R)).toBe(false);

    // Before logging in, a push carries no credentials and the registry refuses it.
    expect((await svc.docker(['tag', 'hello-world', `${R}/gordon/hello:1`])).code).toBe(0);
    const anonymous = await svc.docker(['push', `${R}/gordon/hello:1`]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/unauthorized: authentication required/);

    const good = await svc.docker(['login', R, '-u', 'gordon', '--password-stdin'], {
      input: 'tutorial-pw\n',
    });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe('Login Succeeded\n');
    const auths = JSON.parse(readFileSync(cliConfig(), 'utf8')).auths;
    expect(Buffer.from(auths[R].auth, 'base64').toString()).toBe('gordon:tutorial-pw');
    expect(existsSync(berthAuthFile())).toBe(false);
  });

  test('docker push sends Docker progress, and the registry has the image (skopeo)', async () => {
    const push = await svc.docker(['push', `${R}/gordon/hello:1`]);
    expect(push.code, push.stderr).toBe(0);
    const out = lines(push.stdout);
    expect(out[0]).toBe(`The push refers to repository [${R}/gordon/hello]`);
    expect(out).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}: Pushed$/));
    const last = /^1: digest: (sha256:[0-9a-f]{64}) size: \d+$/.exec(out.at(-1)!);
    expect(last, push.stdout).not.toBeNull();
    const remote = JSON.parse(
      execFileSync(
        'skopeo',
        ['inspect', '--tls-verify=false', '--creds', 'gordon:tutorial-pw', `docker://${R}/gordon/hello:1`],
        { encoding: 'utf8' },
      ),
    );
    expect(remote.Digest).toBe(last![1]);
    // Pushed again: every layer is there already.
    const again = await svc.docker(['push', `${R}/gordon/hello:1`]);
    expect(lines(again.stdout)).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}: Layer already exists$/));
  });

  test('docker pull downloads an image berth lacks, with Docker progress lines; images lists it', async () => {
    expect((await svc.docker(['tag', 'berthbox', `${R}/gordon/box:2`])).code).toBe(0);
    expect((await svc.docker(['push', `${R}/gordon/box:2`])).code).toBe(0);
    // Gone locally (blobs too): the pull below has to download the layer.
    const rmi = await svc.docker(['rmi', 'berthbox', `${R}/gordon/box:2`]);
    expect(rmi.code, rmi.stderr).toBe(0);
    expect(lines(rmi.stdout)).toContainEqual(expect.stringMatching(/^Deleted: sha256:[0-9a-f]{64}$/));
    expect((await svc.docker(['images'])).stdout).not.toContain('gordon/box');

    const pull = await svc.docker(['pull', `${R}/gordon/box:2`]);
    expect(pull.code, pull.stderr).toBe(0);
    const out = lines(pull.stdout);
    expect(out[0]).toBe('2: Pulling from gordon/box');
    const layer = /^([0-9a-f]{12}): Pulling fs layer$/.exec(out[1]!)?.[1];
    expect(layer, pull.stdout).toBeDefined();
    expect(out).toEqual(expect.arrayContaining([`${layer}: Download complete`, `${layer}: Pull complete`]));
    expect(out.at(-3)).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
    expect(out.at(-2)).toBe(`Status: Downloaded newer image for ${R}/gordon/box:2`);
    expect(out.at(-1)).toBe(`${R}/gordon/box:2`);

    const again = await svc.docker(['pull', `${R}/gordon/box:2`]);
    expect(lines(again.stdout)).toContain(`Status: Image is up to date for ${R}/gordon/box:2`);

    // By digest: the CLI sends the digest as the tag.
    const digest = out.at(-3)!.slice('Digest: '.length);
    const byDigest = await svc.docker(['pull', `${R}/gordon/box@${digest}`]);
    expect(byDigest.code, byDigest.stderr).toBe(0);
    expect(lines(byDigest.stdout).at(-1)).toBe(`${R}/gordon/box@${digest}`);

    const table = await svc.docker(['images']);
    expect(table.stdout).toMatch(new RegExp(`^${R}/gordon/box +2 +[0-9a-f]{12} `, 'm'));
    const digests = await svc.docker(['images', '--digests', '--format', '{{.Repository}} {{.Digest}}']);
    expect(digests.stdout).toContain(`${R}/gordon/box ${digest}\n`);
  });

  test('docker pull of an unknown tag or repository fails with the registry message (exit 1)', async () => {
    const tag = await svc.docker(['pull', `${R}/gordon/box:nope`]);
    expect(tag.code).toBe(1);
    expect(tag.stderr).toBe(
      `Error response from daemon: manifest for ${R}/gordon/box:nope not found: manifest unknown: manifest unknown\n`,
    );
    const repo = await svc.docker(['pull', `${R}/gordon/nothere`]);
    expect(repo.code).toBe(1);
    expect(repo.stderr).toContain(`manifest for ${R}/gordon/nothere:latest not found`);
  });

  test('after docker logout the CLI sends no credentials: pulls are unauthorized', async () => {
    expect((await svc.docker(['logout', R])).code).toBe(0);
    const r = await svc.docker(['pull', `${R}/gordon/box:2`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unauthorized: authentication required/);
    expect(
      (await svc.docker(['login', R, '-u', 'gordon', '--password-stdin'], { input: 'tutorial-pw\n' })).code,
    ).toBe(0);
  });

  test('docker image inspect and docker history', async () => {
    const inspect = await svc.docker([
      'image',
      'inspect',
      '--format',
      '{{.Id}}|{{json .RepoTags}}|{{.Os}}/{{.Architecture}}|{{.RootFS.Type}} {{len .RootFS.Layers}}|{{json .Config.Cmd}}',
      `${R}/gordon/box:2`,
    ]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(
      new RegExp(`^sha256:[0-9a-f]{64}\\|\\["${R}/gordon/box:2"\\]\\|wasi/wasm\\|layers 1\\|\\["sh"\\]\\n$`),
    );
    const full = JSON.parse((await svc.docker(['image', 'inspect', `${R}/gordon/box:2`])).stdout)[0];
    expect(full.RepoDigests).toEqual([expect.stringMatching(new RegExp(`^${R}/gordon/box@sha256:`))]);
    expect(full.Size).toBeGreaterThan(0);
    expect(full.Metadata).toBeDefined();

    const history = await svc.docker([
      'history',
      '--no-trunc',
      '--format',
      '{{.ID}}|{{.CreatedBy}}|{{.Size}}',
      `${R}/gordon/box:2`,
    ]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toBe(`${full.Id}|berth built-in image berthbox|241kB\n`);

    const missing = await svc.docker(['image', 'inspect', 'no-such-image']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such image: no-such-image:latest');
  });

  test('docker images filters: a reference shows only its names, dangling, an unknown filter', async () => {
    expect((await svc.docker(['tag', `${R}/gordon/box:2`, 'mybox:v1'])).code).toBe(0);
    const byRef = await svc.docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'mybox']);
    expect(byRef.stdout).toBe('mybox:v1\n');
    const glob = await svc.docker([
      'images',
      '--format',
      '{{.Repository}}:{{.Tag}}',
      '--filter',
      `reference=${R}/gordon/*`,
    ]);
    expect(lines(glob.stdout).sort()).toEqual([`${R}/gordon/box:2`, `${R}/gordon/hello:1`]);
    expect((await svc.docker(['images', '-q', '--filter', 'dangling=true'])).stdout).toBe('');
    const bad = await svc.docker(['images', '--filter', 'bogus=1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("invalid filter 'bogus'");
  });

  test('docker rmi: refused (409) while a container uses the image, then untags and deletes', async () => {
    const id = (await svc.docker(['create', `${R}/gordon/box:2`, 'true'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await svc.docker(['rmi', 'mybox:v1'])).stdout).toBe('Untagged: mybox:v1\n');
    const used = await svc.docker(['rmi', `${R}/gordon/box:2`]);
    expect(used.code).toBe(1);
    expect(used.stderr).toMatch(
      new RegExp(
        `^Error response from daemon: conflict: unable to remove repository reference "${R}/gordon/box:2" \\(must force\\) - container ${id.slice(0, 12)} is using its referenced image [0-9a-f]{12}\\n$`,
      ),
    );
    expect((await svc.docker(['rm', id])).code).toBe(0);
    const rmi = await svc.docker(['rmi', `${R}/gordon/box:2`]);
    expect(rmi.code, rmi.stderr).toBe(0);
    expect(lines(rmi.stdout)).toEqual([
      `Untagged: ${R}/gordon/box:2`,
      expect.stringMatching(new RegExp(`^Untagged: ${R}/gordon/box@sha256:[0-9a-f]{64}$`)),
      expect.stringMatching(/^Deleted: sha256:[0-9a-f]{64}$/),
    ]);
    const gone = await svc.docker(['rmi', `${R}/gordon/box:2`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`Error response from daemon: No such image: ${R}/gordon/box:2\n`);
    // berth's own CLI sees the same store.
    expect((await svc.berth(['images', '--format', '{{.Repository}}'])).stdout).not.toContain('gordon/box');
  });

  test('docker save, load and image prune', async () => {
    expect((await svc.docker(['tag', 'berthbox', 'saved:1'])).code).toBe(0);
    const archive = join(config, 'saved.tar');
    const save = await svc.docker(['save', '-o', archive, 'saved:1']);
    expect(save.code, save.stderr).toBe(0);
    const entries = execFileSync('tar', ['tf', archive], { encoding: 'utf8' });
    expect(lines(entries)).toEqual(expect.arrayContaining(['manifest.json', 'index.json', 'oci-layout']));
    expect((await svc.docker(['rmi', 'saved:1', 'berthbox'])).code).toBe(0);
    expect((await svc.docker(['images', '-q', 'saved'])).stdout).toBe('');

    const load = await svc.docker(['load', '-i', archive]);
    expect(load).toMatchObject({ code: 0, stdout: 'Loaded image: saved:1\n' });
    expect((await svc.docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'saved'])).stdout).toBe(
      'saved:1\n',
    );
    const missing = await svc.docker(['save', '-o', join(config, 'x.tar'), 'no-such-image']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such image: no-such-image:latest');

    // Nothing dangling: a plain prune keeps the tagged image, -a removes every unused one.
    expect((await svc.docker(['image', 'prune', '-f'])).stdout).toBe('Total reclaimed space: 0B\n');
    const all = await svc.docker(['image', 'prune', '-a', '-f']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('untagged: saved:1');
    expect(all.stdout).toMatch(/Total reclaimed space: [1-9][\d.]*kB/);
    expect((await svc.docker(['images', '-q'])).stdout).toBe('');
  });

  test('bad references are 400 "invalid reference format"', async () => {
    const tag = await svc.docker(['tag', 'hello-world', 'Upper/Case:x']);
    expect(tag.code).toBe(1);
    expect(tag.stderr).toMatch(/invalid reference format/);
    const api = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          socketPath: svc.socket,
          method: 'POST',
          path: '/v1.43/images/create?fromImage=a%2F%2Fb&tag=latest',
        },
        (res: IncomingMessage) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(api).toEqual({ status: 400, body: '{"message":"invalid reference format"}' });
  });
});
