// Failures end in one clear error and leave the store as it was: unknown names, a registry that is
// down, digests that do not match, truncated downloads (resumed later), oversized manifests and
// media types berth does not handle.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';
import { MediaType } from '../../runtime/oci/media-types.ts';
import { parseReference } from '../../runtime/oci/reference.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { freePort, type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { type FaultyPeer, startFaultyPeer } from './faulty-peer.ts';
import { context, memoryImages, seededStore, taggedDigest } from './harness.ts';
import { type BuiltImage, buildImage, sha } from './image-fixtures.ts';

let reg: RegistryServer;
let img: BuiltImage;
let peer: FaultyPeer;
const roots: string[] = [];

function freshStore(): NodeContentStore {
  const root = mkdtempSync(join(tmpdir(), 'berth-store-'));
  roots.push(root);
  return new NodeContentStore(root);
}

function local(i: BuiltImage) {
  return { manifest: i.manifest, manifestBytes: i.manifestBytes, manifestMediaType: i.manifest.mediaType! };
}

beforeAll(async () => {
  reg = await startRegistry();
  img = buildImage({ layers: [{ 'x.txt': 'x' }], randomBytesPerLayer: 200_000 });
  await pushImage(context(), parseReference(`${reg.host}/bad/app:v1`), local(img), await seededStore(img));
  peer = await startFaultyPeer(reg.url);
});
afterEach(() => {
  peer.fault = { kind: 'none' };
  peer.seen.length = 0;
});
afterAll(async () => {
  await peer?.stop();
  await reg?.stop();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function pullFrom(host: string, name: string, content = freshStore()) {
  const tags = memoryImages(content);
  const err = await pullImage(context(), parseReference(`${host}/${name}`), { content, images: tags }).catch(
    (e) => e,
  );
  return { err: err instanceof Error ? (err as Error & { code: string }) : undefined, content, tags };
}

describe('pull failures', () => {
  it('unknown repository', async () => {
    const { err, content, tags } = await pullFrom(reg.host, 'no/such:v1');
    expect(err?.code).toBe('BERTH_NOT_FOUND');
    expect(err?.message).toMatch(/manifest for .*no\/such:v1 not found: (manifest|name) unknown/);
    expect(await content.list()).toEqual([]);
    expect(await tags.list()).toEqual([]);
  });

  it('unknown tag', async () => {
    const { err, content } = await pullFrom(reg.host, 'bad/app:nope');
    expect(err?.code).toBe('BERTH_NOT_FOUND');
    expect(err?.message).toBe(
      `manifest for ${reg.host}/bad/app:nope not found: manifest unknown: manifest unknown`,
    );
    expect(await content.list()).toEqual([]);
  });

  it('registry down', async () => {
    const port = await freePort();
    const { err, content } = await pullFrom(`127.0.0.1:${port}`, 'bad/app:v1');
    expect(err?.code).toBe('BERTH_REGISTRY');
    expect(err?.message).toMatch(new RegExp(`cannot reach 127.0.0.1:${port}: .*ECONNREFUSED`));
    expect(await content.list()).toEqual([]);
  });

  it('manifest whose bytes do not match the digest asked for', async () => {
    peer.fault = {
      kind: 'manifest',
      body: new TextEncoder().encode(JSON.stringify({ ...img.manifest, annotations: { x: 'y' } })),
      contentType: MediaType.ociManifest,
    };
    const { err, content } = await pullFrom(peer.host, `bad/app@${img.manifestDigest}`);
    expect(err?.code).toBe('BERTH_DIGEST_MISMATCH');
    expect(err?.message).toContain(img.manifestDigest);
    expect(await content.list()).toEqual([]);
  });

  it('a config that disagrees with the manifest stops the layers downloading with it; nothing tagged', async () => {
    // The manifest of a 3-layer image with the config of a 1-layer one.
    const three = buildImage({
      layers: [{ a: '1' }, { b: '2' }, { c: '3' }],
      randomBytesPerLayer: 1_200_000,
    });
    const one = buildImage();
    const manifest = { ...three.manifest, config: one.manifest.config };
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    const mixed: BuiltImage = {
      ...three,
      manifest,
      manifestBytes,
      manifestDigest: sha(manifestBytes),
      configBytes: one.configBytes,
      blobs: new Map([...three.blobs, ...one.blobs]),
    };
    await pushImage(
      context(),
      parseReference(`${reg.host}/bad/mixed:v1`),
      local(mixed),
      await seededStore(mixed),
    );
    const { err, content, tags } = await pullFrom(reg.host, 'bad/mixed:v1');
    expect(err?.message).toMatch(/config lists 1 layers but the manifest has 3/);
    expect(await content.has(mixed.manifestDigest)).toBe(false);
    expect(await tags.list()).toEqual([]);
    // Layers that did complete are valid blobs; none is stored under a wrong digest.
    for (const d of await content.list()) expect(sha(await content.get(d))).toBe(d);
  });

  it('blob whose bytes do not match its digest: refused, nothing stored', async () => {
    peer.fault = { kind: 'corrupt-blobs' };
    const { err, content, tags } = await pullFrom(peer.host, 'bad/app:v1');
    expect(err?.code).toBe('BERTH_DIGEST_MISMATCH');
    expect(await content.list()).toEqual([]);
    expect(readdirSync(content.ingestDir)).toEqual([]);
    expect(await tags.list()).toEqual([]);
  });

  it('truncated download: nothing half-stored, the next pull resumes with a Range request', async () => {
    const content = freshStore();
    const layer = img.manifest.layers[0]!;
    peer.fault = { kind: 'truncate-blobs', minSize: 10_000 };
    const first = await pullFrom(peer.host, 'bad/app:v1', content);
    expect(first.err?.code).toBe('BERTH_REGISTRY');
    expect(first.err?.message).toMatch(/interrupted|truncated/);
    expect(first.err?.message).toMatch(/pull again to resume/);
    expect(await content.has(layer.digest)).toBe(false);
    expect(await content.has(img.manifestDigest)).toBe(false);
    const partial = join(content.ingestDir, layer.digest.slice(7));
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(layer.size);

    peer.fault = { kind: 'none' };
    peer.seen.length = 0;
    const second = await pullFrom(peer.host, 'bad/app:v1', content);
    expect(second.err).toBeUndefined();
    expect(peer.seen.find((s) => s.path.endsWith(layer.digest))?.range).toBe(`bytes=${kept}-`);
    expect(sha(await content.get(layer.digest))).toBe(layer.digest);
    expect(await taggedDigest(second.tags, `${peer.host}/bad/app:v1`)).toBe(img.manifestDigest);
  });

  it('oversized manifest (declared length)', async () => {
    peer.fault = {
      kind: 'manifest',
      body: new Uint8Array(5 * 1024 * 1024).fill(32),
      contentType: MediaType.ociManifest,
    };
    const { err, content } = await pullFrom(peer.host, 'bad/app:v1');
    expect(err?.message).toMatch(/too large/);
    expect(await content.list()).toEqual([]);
  });

  it('oversized manifest (streamed without a length): the read stops at the cap', async () => {
    let sent = 0;
    peer.fault = {
      kind: 'manifest',
      contentType: MediaType.ociManifest,
      body: async function* () {
        for (let i = 0; i < 64; i++) {
          sent += 256 * 1024;
          yield new Uint8Array(256 * 1024).fill(32);
        }
      },
    };
    const { err, content } = await pullFrom(peer.host, 'bad/app:v1');
    expect(err?.message).toMatch(/too large \(more than 4194304 bytes\)/);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(await content.list()).toEqual([]);
  });

  it('unsupported manifest media type', async () => {
    peer.fault = {
      kind: 'manifest',
      body: new TextEncoder().encode('{"schemaVersion":1,"name":"x"}'),
      contentType: MediaType.dockerManifestV1Signed,
    };
    const { err, content } = await pullFrom(peer.host, 'bad/app:v1');
    expect(err?.code).toBe('BERTH_UNSUPPORTED');
    expect(err?.message).toMatch(/schema 1 are not supported/);
    expect(await content.list()).toEqual([]);

    peer.fault = {
      kind: 'manifest',
      body: new TextEncoder().encode('{}'),
      contentType: 'application/vnd.example.thing+json',
    };
    const other = await pullFrom(peer.host, 'bad/app:v1');
    expect(other.err?.message).toMatch(
      /unsupported manifest media type "application\/vnd.example.thing\+json"/,
    );
  });

  it('unsupported layer media type (zstd): refused before any download', async () => {
    const zimg = buildImage();
    const manifest = {
      ...zimg.manifest,
      layers: zimg.manifest.layers.map((l) => ({ ...l, mediaType: MediaType.ociLayerZstd })),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    await pushImage(
      context(),
      parseReference(`${reg.host}/bad/zstd:v1`),
      { manifest, manifestBytes: bytes, manifestMediaType: MediaType.ociManifest },
      await seededStore(zimg),
    );
    const { err, content } = await pullFrom(reg.host, 'bad/zstd:v1');
    expect(err?.code).toBe('BERTH_UNSUPPORTED');
    expect(err?.message).toMatch(/zstd/);
    expect(await content.list()).toEqual([]);
  });
});
