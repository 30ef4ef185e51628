// registry-mirrors for docker.io: tried first, the origin used when a mirror lacks the image, is
// down, or serves bytes that do not match their digest. Docker Hub's origin is a local registry here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../runtime/content/memory-content-store.ts';
import { parseReference } from '../../runtime/oci/reference.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { freePort, type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { startFaultyPeer } from './faulty-peer.ts';
import { context, memoryImages, seededStore, taggedDigest } from './harness.ts';
import { type BuiltImage, buildImage, sha } from './image-fixtures.ts';

let origin: RegistryServer;
let emptyMirror: RegistryServer;
let img: BuiltImage;

beforeAll(async () => {
  [origin, emptyMirror] = await Promise.all([startRegistry(), startRegistry()]);
  img = buildImage({ layers: [{ 'one.txt': '1' }, { 'two.txt': '2' }] });
  // Publish as docker.io/library/hello via the origin.
  const ctx = context({ dockerHubOrigin: origin.url });
  await pushImage(
    ctx,
    parseReference('hello:latest'),
    { manifest: img.manifest, manifestBytes: img.manifestBytes, manifestMediaType: img.manifest.mediaType! },
    await seededStore(img),
  );
});
afterAll(async () => {
  await Promise.all([origin?.stop(), emptyMirror?.stop()]);
});

async function pullHello(mirrors: string[]) {
  const ctx = context({ dockerHubOrigin: origin.url, config: { registryMirrors: mirrors } });
  const content = new MemoryContentStore();
  const tags = memoryImages(content);
  const result = await pullImage(ctx, parseReference('hello'), { content, images: tags });
  return { result, content, tags };
}

describe('registry mirrors', () => {
  it('falls back to the origin when the mirror lacks the image', async () => {
    const { result, tags } = await pullHello([emptyMirror.url]);
    expect(result.manifestDigest).toBe(img.manifestDigest);
    expect(await taggedDigest(tags, 'hello:latest')).toBe(img.manifestDigest);
  });

  it('falls back to the origin when the mirror is down', async () => {
    const { result } = await pullHello([`http://127.0.0.1:${await freePort()}`]);
    expect(result.manifestDigest).toBe(img.manifestDigest);
  });

  it('uses a mirror that has the image', async () => {
    const mirror = await startFaultyPeer(origin.url);
    try {
      const { result } = await pullHello([mirror.url]);
      expect(result.manifestDigest).toBe(img.manifestDigest);
      expect(mirror.seen.filter((s) => s.path.includes('/blobs/')).length).toBe(3);
    } finally {
      await mirror.stop();
    }
  });

  it('rejects blobs with the wrong bytes from a mirror by digest and takes them from the origin', async () => {
    const mirror = await startFaultyPeer(origin.url, { kind: 'corrupt-blobs' });
    try {
      const { result, content } = await pullHello([mirror.url]);
      expect(result.manifestDigest).toBe(img.manifestDigest);
      expect(mirror.seen.some((s) => s.path.includes('/blobs/'))).toBe(true);
      for (const [d] of img.blobs) expect(sha(await content.get(d))).toBe(d);
    } finally {
      await mirror.stop();
    }
  });
});
