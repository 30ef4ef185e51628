// The CLI-facing registry verbs, wired as on Node (disk store, credentials file, config file),
// against the real docker-registry: login/logout, push from the image store, pull back.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeImageStore } from '../../runtime/images/node-image-store.ts';
import { openNodeRegistryCommands } from '../../runtime/registry/node-registry-commands.ts';
import { createProgressRenderer } from '../../runtime/registry/progress.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { buildImage } from './image-fixtures.ts';
import { startTokenService, type TokenService } from './token-service.ts';

const PASSWORD = 'correct horse battery';
let home: string;
let basicReg: RegistryServer;
let tokenReg: RegistryServer;
let tokens: TokenService;

function envFor(name: string): Record<string, string> {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  return { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), BERTH_ROOT: join(dir, 'data') };
}

async function commands(env: Record<string, string>) {
  const images = openNodeImageStore(env.BERTH_ROOT!, { builtins: false });
  return { images, rc: await openNodeRegistryCommands({ env, images }) };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'berth-cmd-'));
  tokens = await startTokenService({ carol: PASSWORD });
  [basicReg, tokenReg] = await Promise.all([
    startRegistry({ users: { carol: PASSWORD } }),
    startRegistry({ token: tokens }),
  ]);
});
afterAll(async () => {
  await Promise.all([basicReg?.stop(), tokenReg?.stop()]);
  await tokens?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('login / logout', () => {
  for (const kind of ['basic', 'token'] as const) {
    it(`${kind}: a wrong password is refused and nothing is saved`, async () => {
      const env = envFor(`wrong-${kind}`);
      const { rc } = await commands(env);
      const host = kind === 'basic' ? basicReg.host : tokenReg.host;
      const err = await rc.login(host, 'carol', 'bad password').catch((e) => e);
      expect(err.code).toBe('BERTH_REGISTRY');
      expect(err.message).toMatch(/unauthorized: /);
      expect(err.message).not.toContain('bad password');
      expect(() => statSync(join(env.XDG_CONFIG_HOME!, 'berth', 'auth.json'))).toThrow();
    });

    it(`${kind}: logs in, stores credentials 0600 in Docker's format, and logs out`, async () => {
      const env = envFor(`ok-${kind}`);
      const { rc } = await commands(env);
      const host = kind === 'basic' ? basicReg.host : tokenReg.host;
      expect(await rc.login(`http://${host}/`, 'carol', PASSWORD)).toBe('Login Succeeded');
      const file = join(env.XDG_CONFIG_HOME!, 'berth', 'auth.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(Buffer.from(doc.auths[host].auth, 'base64').toString()).toBe(`carol:${PASSWORD}`);
      expect(await rc.logout(host)).toBe(`Removing login credentials for ${host}`);
      expect(await rc.logout(host)).toBe(`Not logged in to ${host}`);
      expect(JSON.parse(readFileSync(file, 'utf8')).auths).toEqual({});
    });
  }

  it('reads an existing ~/.docker/config.json login', async () => {
    const env = envFor('docker-config');
    mkdirSync(join(env.HOME!, '.docker'));
    const auth = Buffer.from(`carol:${PASSWORD}`).toString('base64');
    writeFileSync(
      join(env.HOME!, '.docker', 'config.json'),
      JSON.stringify({ auths: { [`http://${tokenReg.host}`]: { auth } } }),
    );
    const { rc, images } = await commands(env);
    const img = buildImage();
    for (const [d, b] of img.blobs) await images.content.put(b, d);
    await images.content.put(img.manifestBytes, img.manifestDigest);
    await images.tag(`${tokenReg.host}/carol/app:1`, img.manifestDigest);
    const pushed = await rc.push(`${tokenReg.host}/carol/app:1`);
    expect(pushed.digest).toBe(img.manifestDigest);
  });
});

describe('push and pull commands', () => {
  it('pushes a stored image and pulls it into another store with Docker-style output', async () => {
    const envA = envFor('push-a');
    const a = await commands(envA);
    await a.rc.login(basicReg.host, 'carol', PASSWORD);
    const img = buildImage({ layers: [{ a: 'a' }, { b: 'b' }] });
    for (const [d, b] of img.blobs) await a.images.content.put(b, d);
    await a.images.content.put(img.manifestBytes, img.manifestDigest);
    await a.images.tag(`${basicReg.host}/carol/web`, img.manifestDigest);

    let pushOut = '';
    const pushed = await a.rc.push(
      `${basicReg.host}/carol/web`,
      {},
      createProgressRenderer({ isTTY: false, write: (s) => (pushOut += s) }),
    );
    expect(pushed.digest).toBe(img.manifestDigest);
    expect(pushOut).toContain('Using default tag: latest\n');
    expect(pushOut).toContain(`The push refers to repository [${basicReg.host}/carol/web]\n`);
    expect(pushOut).toContain(
      `latest: digest: ${img.manifestDigest} size: ${img.manifestBytes.byteLength}\n`,
    );
    expect(pushOut.match(/: Pushed\n/g)).toHaveLength(2);

    const envB = envFor('push-b');
    const b = await commands(envB);
    await b.rc.login(basicReg.host, 'carol', PASSWORD);
    let pullOut = '';
    const pulled = await b.rc.pull(
      `${basicReg.host}/carol/web`,
      {},
      createProgressRenderer({ isTTY: false, write: (s) => (pullOut += s) }),
    );
    expect(pulled.canonical).toBe(`${basicReg.host}/carol/web:latest`);
    expect(pulled.manifestDigest).toBe(img.manifestDigest);
    const record = await b.images.resolve(`${basicReg.host}/carol/web:latest`);
    expect(record.manifestDigest).toBe(img.manifestDigest);
    expect(record.repoDigests).toContain(`${basicReg.host}/carol/web@${img.manifestDigest}`);
    const lines = pullOut.trim().split('\n');
    expect(lines[0]).toBe('Using default tag: latest');
    expect(lines[1]).toBe('latest: Pulling from carol/web');
    for (const l of img.manifest.layers) {
      const id = l.digest.slice(7, 19);
      const mine = lines.filter((x) => x.startsWith(`${id}: `)).map((x) => x.slice(14));
      expect(mine).toEqual(['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Pull complete']);
    }
    expect(lines.at(-2)).toBe(`Digest: ${img.manifestDigest}`);
    expect(lines.at(-1)).toBe(`Status: Downloaded newer image for ${basicReg.host}/carol/web:latest`);

    expect(await b.rc.tags(`${basicReg.host}/carol/web`)).toEqual(['latest']);
    const inspected = JSON.parse(await b.rc.manifestInspect(`${basicReg.host}/carol/web`));
    expect(inspected.layers).toHaveLength(2);

    // Tag under another repository and push: blobs are mounted, not uploaded.
    await b.images.tag(`${basicReg.host}/carol/copy:1`, `${basicReg.host}/carol/web:latest`);
    let mountOut = '';
    await b.rc.push(
      `${basicReg.host}/carol/copy:1`,
      {},
      createProgressRenderer({ isTTY: false, write: (s) => (mountOut += s) }),
    );
    expect(mountOut.match(/: Mounted from carol\/web\n/g)).toHaveLength(2);
  });

  it('refuses to push an image that is not stored', async () => {
    const { rc } = await commands(envFor('missing'));
    const err = await rc.push(`${basicReg.host}/nobody/none:1`).catch((e) => e);
    expect(err.message).toBe(`An image does not exist locally with the tag: ${basicReg.host}/nobody/none:1`);
  });
});
