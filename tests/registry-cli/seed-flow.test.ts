// The seed's "share your image" steps as real CLI runs against the real docker-registry (htpasswd):
// login, tag, push, image rm, then `run` pulls the image back and runs it.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { berth as runBerth, ensureBuilt, newRoot, removeRoot } from '../cli/cli-harness.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { NO_PROXY_ENV } from '../helpers/no-proxy.ts';

let registry: RegistryServer;
let root: string;
let configHome: string;
let image: string;

/** No proxy variables from the machine: registry traffic here is loopback only. */
const cleanEnv = () => ({
  XDG_CONFIG_HOME: configHome,
  DOCKER_CONFIG: join(configHome, 'docker'),
  ...NO_PROXY_ENV,
});
const berth = (args: string[], input?: string, at = root) =>
  runBerth(at, args, { env: cleanEnv(), ...(input !== undefined ? { input } : {}) });
const stderrLines = (s: string) => s.split('\n').filter(Boolean);
const authFile = () => join(configHome, 'berth', 'auth.json');
const hasAuthFile = () => existsSync(authFile());

beforeAll(async () => {
  ensureBuilt();
  registry = await startRegistry({ users: { gordon: 'tutorial-pw' } });
  root = newRoot();
  configHome = mkdtempSync(join(tmpdir(), 'berth-xdg-'));
  image = `${registry.host}/gordon/get-started:part2`;
});
afterAll(async () => {
  await registry?.stop();
  removeRoot(root);
  rmSync(configHome, { recursive: true, force: true });
});

describe('seed: login, tag, push, pull-and-run', () => {
  test('a wrong password is refused with exit 1 and nothing is saved', async () => {
    const r = await berth(['login', registry.host, '-u', 'gordon', '--password-stdin'], 'wrong\n');
    expect(r.code).toBe(1);
    const lines = stderrLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^berth: .*(401|unauthorized)/);
    expect(r.stdout).not.toContain('Login Succeeded');
    expect(hasAuthFile()).toBe(false);
  });

  test('push without logging in is unauthorized (exit 1)', async () => {
    expect((await berth(['tag', 'hello-world', image])).code).toBe(0);
    const r = await berth(['push', image]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unauthorized/);
  });

  test('login --password-stdin, tag, push', async () => {
    const login = await berth(['login', registry.host, '-u', 'gordon', '--password-stdin'], 'tutorial-pw\n');
    expect(login.stderr).toBe('');
    expect(login.stdout).toBe('Login Succeeded\n');
    expect(login.code).toBe(0);
    expect(hasAuthFile()).toBe(true);

    const push = await berth(['push', image]);
    expect(push.code).toBe(0);
    const lines = stderrLines(push.stdout);
    expect(lines[0]).toBe(`The push refers to repository [${registry.host}/gordon/get-started]`);
    expect(lines).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}: Pushed$/));
    expect(lines.at(-1)).toMatch(/^part2: digest: sha256:[0-9a-f]{64} size: \d+$/);

    const raw = await berth(['manifest', 'inspect', image]);
    expect(raw.code).toBe(0);
    const manifest = JSON.parse(raw.stdout) as { schemaVersion: number; layers: unknown[] };
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.layers.length).toBeGreaterThan(0);
  });

  test('image rm both names, then run pulls the image and runs it', async () => {
    const rm = await berth(['image', 'rm', 'hello-world', image]);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`Untagged: ${image}`);
    expect((await berth(['image', 'ls', '-q'])).stdout).toBe('');

    const run = await berth(['run', image]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Hello from berth!');
    const err = stderrLines(run.stderr);
    expect(err[0]).toBe(`Unable to find image '${image}' locally`);
    expect(err).toContain('part2: Pulling from gordon/get-started');
    expect(err).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}: Pull complete$/));
    expect(err).toContain(`Status: Downloaded newer image for ${image}`);
    expect((await berth(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toBe(`${image}\n`);
  });

  test('pull in plain mode prints Docker lines; -q prints only the name', async () => {
    const fresh = newRoot();
    try {
      const r = await berth(['pull', image], undefined, fresh);
      expect(r.code).toBe(0);
      const lines = stderrLines(r.stdout);
      expect(lines[0]).toBe('part2: Pulling from gordon/get-started');
      for (const state of ['Pulling fs layer', 'Download complete', 'Pull complete'])
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^[0-9a-f]{12}: ${state}$`)));
      expect(lines).toContainEqual(expect.stringMatching(/^Digest: sha256:[0-9a-f]{64}$/));
      expect(lines).toContain(`Status: Downloaded newer image for ${image}`);
      expect(lines.at(-1)).toBe(image);
      expect(r.stdout).not.toContain('\x1b[');

      const again = await berth(['pull', '-q', image], undefined, fresh);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(`${image}\n`);

      const all = await berth(['pull', '-a', `${registry.host}/gordon/get-started`], undefined, fresh);
      expect(all.code).toBe(0);
      expect(all.stdout).toContain(`Status: Image is up to date for ${registry.host}/gordon/get-started`);

      // Untagged (kept under another name), then pulled again: every blob is still here, but the
      // tag is new here, which Docker calls a newer image.
      expect((await berth(['tag', image, 'kept:1'], undefined, fresh)).code).toBe(0);
      const untag = await berth(['image', 'rm', image], undefined, fresh);
      expect(untag.stdout).toBe(`Untagged: ${image}\n`);
      const retag = await berth(['pull', image], undefined, fresh);
      expect(retag.stdout).toContain(`Status: Downloaded newer image for ${image}`);
    } finally {
      removeRoot(fresh);
    }
  });

  test('pull of an unknown tag: a clear error, exit 1, the store unchanged', async () => {
    const before = (await berth(['image', 'ls', '--digests', '--no-trunc'])).stdout;
    const r = await berth(['pull', `${registry.host}/gordon/get-started:nope`]);
    expect(r.code).toBe(1);
    const lines = stderrLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^berth: manifest for .*get-started:nope not found/);
    expect((await berth(['image', 'ls', '--digests', '--no-trunc'])).stdout).toBe(before);
  });

  test('push of a corrupt local blob is refused by the registry (berth does not re-hash for push)', async () => {
    const fresh = newRoot();
    try {
      expect((await berth(['pull', '-q', image], undefined, fresh)).code).toBe(0);
      const corrupt = `${registry.host}/gordon/corrupt:1`;
      expect((await berth(['tag', image, corrupt], undefined, fresh)).code).toBe(0);
      // Known only under the new name, so the push uploads instead of mounting from get-started.
      const inspect = await berth(
        ['image', 'inspect', '--format', '{{json .RepoDigests}}', corrupt],
        undefined,
        fresh,
      );
      const [repoDigest] = JSON.parse(inspect.stdout) as string[];
      expect((await berth(['image', 'rm', image, repoDigest!], undefined, fresh)).code).toBe(0);
      const layer = (
        JSON.parse((await berth(['manifest', 'inspect', image], undefined, fresh)).stdout) as {
          layers: { digest: string }[];
        }
      ).layers[0]!.digest;
      const file = join(fresh, 'blobs', 'sha256', layer.slice('sha256:'.length));
      const bytes = readFileSync(file);
      bytes[0] = bytes[0]! ^ 0xff;
      writeFileSync(file, bytes);
      const r = await berth(['push', corrupt], undefined, fresh);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^berth: upload of sha256:[0-9a-f]{64} .*(400 Bad Request|digest invalid)/);
      expect((await berth(['manifest', 'inspect', corrupt], undefined, fresh)).code).toBe(1);
    } finally {
      removeRoot(fresh);
    }
  });

  test('--pull=never refuses a missing image; --pull=always checks the registry', async () => {
    const other = `${registry.host}/gordon/absent:1`;
    const never = await berth(['run', '--pull=never', other]);
    expect(never.code).toBe(125);
    expect(never.stderr).toBe(`berth: No such image: ${other}\n`);
    const bad = await berth(['create', '--pull=sometimes', image]);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/invalid pull option: 'sometimes'/);
    const always = await berth(['run', '--rm', '--pull=always', image]);
    expect(always.code).toBe(0);
    expect(always.stderr).not.toContain('Unable to find image');
    expect(always.stderr).toContain(`Status: Image is up to date for ${image}`);
    expect(always.stdout).toContain('Hello from berth!');
  });

  test('-p warns like Docker; logout forgets the credentials', async () => {
    const r = await berth(['login', '-u', 'gordon', '-p', 'tutorial-pw', registry.host]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    expect(r.stdout).toBe('Login Succeeded\n');

    const out = await berth(['logout', registry.host]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`Removing login credentials for ${registry.host}\n`);
    expect((await berth(['logout', registry.host])).stdout).toBe(`Not logged in to ${registry.host}\n`);
    const pull = await berth(['pull', image]);
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(/unauthorized/);
    const saved = hasAuthFile() ? (JSON.parse(readFileSync(authFile(), 'utf8')) as { auths?: object }) : {};
    expect(saved.auths ?? {}).not.toHaveProperty([registry.host]);
  });

  test('info shows mirrors, insecure registries and proxies from the config', async () => {
    mkdirSync(join(configHome, 'berth'), { recursive: true });
    writeFileSync(
      join(configHome, 'berth', 'config.json'),
      JSON.stringify({
        'registry-mirrors': [`http://${registry.host}`],
        'insecure-registries': ['registry.internal:5000'],
        proxies: { 'https-proxy': 'http://proxy.internal:3128', 'no-proxy': 'localhost,.internal' },
      }),
    );
    try {
      const r = await berth(['info']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(' HTTPS Proxy: http://proxy.internal:3128\n');
      expect(r.stdout).toContain(' No Proxy: localhost,.internal\n');
      expect(r.stdout).toContain(' Insecure Registries:\n  registry.internal:5000\n  127.0.0.0/8\n');
      expect(r.stdout).toContain(` Registry Mirrors:\n  http://${registry.host}/\n`);
    } finally {
      rmSync(join(configHome, 'berth', 'config.json'));
    }
  });
});
