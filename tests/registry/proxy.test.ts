// HTTP_PROXY / HTTPS_PROXY / NO_PROXY for registry traffic: the selection rules (Go's, as Docker
// uses), and a real pull through a CONNECT proxy on 127.0.0.1 that resolves the registry's name.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../runtime/oci/reference.ts';
import { proxyFor } from '../../runtime/registry/proxy-env.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { context, seededStore, stores } from './harness.ts';
import { buildImage } from './image-fixtures.ts';

describe('proxyFor', () => {
  const env = {
    HTTPS_PROXY: 'http://proxy:3128',
    http_proxy: 'proxy2:8080',
    NO_PROXY: 'internal.example, .corp, 10.0.0.0/8, mirror:5000',
  };
  it('picks the proxy by scheme, lower or upper case, and adds http:// to a bare host', () => {
    expect(proxyFor('https://registry-1.docker.io/v2/', env)).toBe('http://proxy:3128');
    expect(proxyFor('http://registry.example:5000/v2/', env)).toBe('http://proxy2:8080');
  });
  it('honours NO_PROXY hosts, domain suffixes, CIDRs and host:port', () => {
    expect(proxyFor('https://internal.example/v2/', env)).toBeUndefined();
    expect(proxyFor('https://a.internal.example/v2/', env)).toBeUndefined();
    expect(proxyFor('https://x.corp/v2/', env)).toBeUndefined();
    expect(proxyFor('https://10.1.2.3/v2/', env)).toBeUndefined();
    expect(proxyFor('http://mirror:5000/v2/', env)).toBeUndefined();
    expect(proxyFor('http://mirror:5001/v2/', env)).toBe('http://proxy2:8080');
    expect(proxyFor('https://notinternal.example/v2/', env)).toBe('http://proxy:3128');
    expect(proxyFor('https://anything/', { ...env, NO_PROXY: '*' })).toBeUndefined();
  });
  it('never proxies loopback', () => {
    expect(proxyFor('http://127.0.0.1:5000/v2/', env)).toBeUndefined();
    expect(proxyFor('http://localhost:5000/v2/', env)).toBeUndefined();
    expect(proxyFor('http://[::1]:5000/v2/', env)).toBeUndefined();
  });
  it('no proxy without the variable', () => {
    expect(proxyFor('https://registry-1.docker.io/v2/', {})).toBeUndefined();
  });
});

describe('pull through HTTP_PROXY', () => {
  let reg: RegistryServer;
  let proxy: Server;
  let proxyUrl: string;
  const tunnels: string[] = [];
  beforeAll(async () => {
    reg = await startRegistry();
    // A CONNECT proxy: the only place `registry.test` means anything (it maps to the registry).
    proxy = createServer();
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      if (host !== 'registry.test') {
        socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        return;
      }
      const upstream = connect(Number(port), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const addr = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await reg?.stop();
  });

  it('reaches a registry by name only through the proxy', async () => {
    const img = buildImage();
    const name = `registry.test:${reg.port}/via/proxy:1`;
    const ctx = context({
      env: { HTTP_PROXY: proxyUrl },
      config: { insecureRegistries: [`registry.test:${reg.port}`] },
    });
    await pushImage(
      ctx,
      parseReference(name),
      {
        manifest: img.manifest,
        manifestBytes: img.manifestBytes,
        manifestMediaType: img.manifest.mediaType!,
      },
      await seededStore(img),
    );
    const pulled = await pullImage(ctx, parseReference(name), stores());
    expect(pulled.manifestDigest).toBe(img.manifestDigest);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((t) => t === `registry.test:${reg.port}`)).toBe(true);
  });

  it('goes direct to loopback even with HTTP_PROXY set', async () => {
    tunnels.length = 0;
    const img = buildImage();
    const ctx = context({ env: { HTTP_PROXY: proxyUrl } });
    await pushImage(
      ctx,
      parseReference(`${reg.host}/direct/img:1`),
      {
        manifest: img.manifest,
        manifestBytes: img.manifestBytes,
        manifestMediaType: img.manifest.mediaType!,
      },
      await seededStore(img),
    );
    expect(tunnels).toEqual([]);
  });
});
