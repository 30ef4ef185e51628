// berth's config file (daemon.json-like) and credentials in Docker's config.json format.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authKeyFor,
  findCredentials,
  MemoryCredentialStore,
  parseAuthConfig,
} from '../../runtime/config/auth-config.ts';
import { isInsecureRegistry, parseBerthConfig } from '../../runtime/config/berth-config.ts';
import { loadBerthConfig } from '../../runtime/config/node-config-file.ts';
import { NodeCredentialStore } from '../../runtime/config/node-credential-store.ts';
import { parseAuthChallenges } from '../../runtime/registry/auth-challenge.ts';
import { originEndpoint, pullEndpoints } from '../../runtime/registry/endpoints.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('berth config', () => {
  it('parses Docker daemon.json keys', () => {
    const c = parseBerthConfig(
      JSON.stringify({
        'registry-mirrors': ['https://mirror.example.com/'],
        'insecure-registries': ['myregistry:5000', '10.0.0.0/8', 'http://plain.example'],
        dns: ['10.0.0.2', '8.8.8.8', '2001:4860:4860::8888'],
        'log-level': 'debug',
      }),
    );
    expect(c.registryMirrors).toEqual(['https://mirror.example.com']);
    expect(c.insecureRegistries).toEqual(['myregistry:5000', '10.0.0.0/8', 'plain.example']);
    expect(c.dns).toEqual(['10.0.0.2', '8.8.8.8', '2001:4860:4860::8888']);
  });

  it('refuses bad values with the file named', () => {
    expect(() => parseBerthConfig('{"registry-mirrors":["ftp://x"]}', 'c.json')).toThrow(
      /c.json: invalid mirror: unsupported scheme/,
    );
    expect(() => parseBerthConfig('{"registry-mirrors":["https://x/path"]}')).toThrow(
      /path, query or credentials are not allowed/,
    );
    expect(() => parseBerthConfig('{"dns":["your_dns_address"]}')).toThrow(
      /your_dns_address is not an ip address/,
    );
    expect(() => parseBerthConfig('{"insecure-registries":"x"}')).toThrow(/must be a list of strings/);
    expect(() => parseBerthConfig('{nope')).toThrow(/invalid JSON/);
  });

  it('treats loopback as insecure by default, others by entry or CIDR', () => {
    const c = parseBerthConfig('{"insecure-registries":["myregistry:5000","10.0.0.0/8"]}');
    expect(isInsecureRegistry('127.0.0.1:5000', c)).toBe(true);
    expect(isInsecureRegistry('localhost:5000', c)).toBe(true);
    expect(isInsecureRegistry('[::1]:5000', c)).toBe(true);
    expect(isInsecureRegistry('myregistry:5000', c)).toBe(true);
    expect(isInsecureRegistry('myregistry:5001', c)).toBe(false);
    expect(isInsecureRegistry('10.2.3.4:443', c)).toBe(true);
    expect(isInsecureRegistry('quay.io', c)).toBe(false);
    expect(originEndpoint('quay.io', c).baseUrl).toBe('https://quay.io');
    expect(originEndpoint('myregistry:5000', c).baseUrl).toBe('http://myregistry:5000');
  });

  it('uses mirrors for docker.io only, before the origin', () => {
    const c = parseBerthConfig('{"registry-mirrors":["https://m1.example","http://m2.example:5000"]}');
    expect(pullEndpoints('docker.io', c).map((e) => [e.baseUrl, e.mirror])).toEqual([
      ['https://m1.example', true],
      ['http://m2.example:5000', true],
      ['https://registry-1.docker.io', false],
    ]);
    expect(pullEndpoints('quay.io', c).map((e) => e.baseUrl)).toEqual(['https://quay.io']);
  });

  it('loads $XDG_CONFIG_HOME/berth/config.json, defaults when absent', async () => {
    const home = tmp();
    expect((await loadBerthConfig({ XDG_CONFIG_HOME: home })).registryMirrors).toEqual([]);
    mkdirSync(join(home, 'berth'));
    writeFileSync(join(home, 'berth', 'config.json'), '{"registry-mirrors":["https://m.example"]}');
    expect((await loadBerthConfig({ XDG_CONFIG_HOME: home })).registryMirrors).toEqual(['https://m.example']);
  });
});

describe('credentials', () => {
  it('keys Docker Hub under its legacy URL and others by host', () => {
    expect(authKeyFor('docker.io')).toBe('https://index.docker.io/v1/');
    expect(authKeyFor('https://index.docker.io/v1/')).toBe('https://index.docker.io/v1/');
    expect(authKeyFor('http://127.0.0.1:5000/')).toBe('127.0.0.1:5000');
  });

  it('reads auth, username/password entries and keys with schemes', () => {
    const doc = parseAuthConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:pa:ss').toString('base64') },
          'http://reg.example:5000': { username: 'u', password: 'p' },
        },
        credsStore: 'desktop',
      }),
      'x',
    );
    expect(findCredentials(doc, 'docker.io')).toEqual({ username: 'hub', password: 'pa:ss' });
    expect(findCredentials(doc, 'reg.example:5000')).toEqual({ username: 'u', password: 'p' });
    expect(findCredentials(doc, 'other')).toBeUndefined();
  });

  it("saves with mode 0600, keeps unknown keys, prefers its own file over Docker's", async () => {
    const home = tmp();
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    mkdirSync(join(home, '.docker'));
    writeFileSync(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'a.example': { auth: Buffer.from('d:1').toString('base64') } } }),
    );
    const store = new NodeCredentialStore(env);
    expect(await store.get('a.example')).toEqual({ username: 'd', password: '1' });
    await store.save('a.example', { username: 'b', password: '2' });
    expect(await store.get('a.example')).toEqual({ username: 'b', password: '2' });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, '.config', 'berth')).mode & 0o777).toBe(0o700);
    // Docker's file is never written.
    expect(
      JSON.parse(readFileSync(join(home, '.docker', 'config.json'), 'utf8')).auths['a.example'].auth,
    ).toBe(Buffer.from('d:1').toString('base64'));
    expect(await store.remove('a.example')).toBe(true);
    expect(await store.get('a.example')).toEqual({ username: 'd', password: '1' });
  });

  it('in memory too', async () => {
    const m = new MemoryCredentialStore();
    await m.save('docker.io', { username: 'x', password: 'y' });
    expect(await m.get('index.docker.io')).toEqual({ username: 'x', password: 'y' });
    expect(await m.remove('docker.io')).toBe(true);
    expect(await m.remove('docker.io')).toBe(false);
  });
});

describe('WWW-Authenticate', () => {
  it('parses Docker Hub bearer challenges', () => {
    expect(
      parseAuthChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/ubuntu:pull',
        },
      },
    ]);
  });
  it('parses several challenges, unquoted values and escapes', () => {
    expect(
      parseAuthChallenges('Basic realm="a \\"b\\"", Bearer realm=https://t/token, error=insufficient_scope'),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://t/token', error: 'insufficient_scope' } },
    ]);
  });
});
