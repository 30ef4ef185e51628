import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../runtime/content/memory-content-store.ts';
import { parseReference } from '../../runtime/oci/reference.ts';
import { pullEndpoints } from '../../runtime/registry/endpoints.ts';
import type { ProgressEvent } from '../../runtime/registry/progress.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { startFaultyPeer } from './faulty-peer.ts';
import { context, memoryImages, seededStore, taggedDigest } from './harness.ts';
import { buildImage, sha } from './image-fixtures.ts';

let reg: RegistryServer;
const local = (img: ReturnType<typeof buildImage>) => ({
  manifest: img.manifest,
  manifestBytes: img.manifestBytes,
  manifestMediaType: img.manifest.mediaType!,
});
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(async () => {
  await reg?.stop();
});

describe('push then pull against docker-registry', () => {
  it('round-trips an image with identical digests and bytes', async () => {
    const img = buildImage({ layers: [{ 'a.txt': 'a' }, { 'b.txt': 'b' }, { 'c.txt': 'c' }] });
    const source = await seededStore(img);
    const ctx = context();
    const ref = parseReference(`${reg.host}/demo/app:v1`);
    const events: ProgressEvent[] = [];
    const pushed = await pushImage(
      ctx,
      ref,
      {
        manifest: img.manifest,
        manifestBytes: img.manifestBytes,
        manifestMediaType: img.manifest.mediaType!,
      },
      source,
      {},
      (e) => events.push(e),
    );
    expect(pushed.digest).toBe(img.manifestDigest);
    expect(events.filter((e) => e.kind === 'layer' && e.status === 'Pushed')).toHaveLength(3);

    const target = new MemoryContentStore();
    const tags = memoryImages(target);
    const pullEvents: ProgressEvent[] = [];
    const pulled = await pullImage(ctx, ref, { content: target, images: tags }, {}, (e) =>
      pullEvents.push(e),
    );
    expect(pulled.manifestDigest).toBe(img.manifestDigest);
    expect(pulled.repoDigest).toBe(img.manifestDigest);
    expect(await taggedDigest(tags, `${reg.host}/demo/app:v1`)).toBe(img.manifestDigest);
    for (const [d, b] of img.blobs) expect(sha(await target.get(d))).toBe(sha(b));
    expect(sha(await target.get(img.manifestDigest))).toBe(img.manifestDigest);
    const texts = pullEvents.map((e) => (e.kind === 'message' ? e.text : `${e.id}: ${e.status}`));
    expect(texts).toContain(`Digest: ${img.manifestDigest}`);
    expect(texts).toContain(`Status: Downloaded newer image for ${reg.host}/demo/app:v1`);
    expect(texts.filter((t) => t.endsWith('Pull complete'))).toHaveLength(3);

    // Second pull: everything present.
    const again: ProgressEvent[] = [];
    await pullImage(ctx, ref, { content: target, images: tags }, {}, (e) => again.push(e));
    expect(again.some((e) => e.kind === 'message' && e.text.startsWith('Status: Image is up to date'))).toBe(
      true,
    );
  });

  it('pushes again with HEAD existence checks, lists tags, mounts across repositories, deletes', async () => {
    const img = buildImage({ docker: true });
    const source = await seededStore(img);
    const ctx = context();
    const push = (name: string, opts = {}) => {
      const events: ProgressEvent[] = [];
      return pushImage(
        ctx,
        parseReference(name),
        {
          manifest: img.manifest,
          manifestBytes: img.manifestBytes,
          manifestMediaType: img.manifest.mediaType!,
        },
        source,
        opts,
        (e) => events.push(e),
      ).then(() => events);
    };
    await push(`${reg.host}/one/img:a`);
    const second = await push(`${reg.host}/one/img:b`);
    expect(second.some((e) => e.kind === 'layer' && e.status === 'Layer already exists')).toBe(true);
    const mounted = await push(`${reg.host}/two/img:a`, { mountFrom: ['one/img'] });
    expect(mounted.some((e) => e.kind === 'layer' && e.status === 'Mounted from one/img')).toBe(true);

    const [ep] = pullEndpoints(reg.host, ctx.config);
    const repo = await ctx.repository(ep!, 'one/img');
    expect((await repo.tags()).sort()).toEqual(['a', 'b']);
    const head = await repo.headManifest('a');
    expect(head?.digest).toBe(img.manifestDigest);
    await repo.deleteManifest(img.manifestDigest);
    expect(await repo.headManifest('a')).toBeUndefined();
  });

  it('downloads layers concurrently (up to 6 by default, or as many as asked), the config alongside', async () => {
    const img = buildImage({ layers: [{ a: '1' }, { b: '2' }, { c: '3' }, { d: '4' }, { e: '5' }] });
    const ref = `${reg.host}/conc/img:1`;
    await pushImage(context(), parseReference(ref), local(img), await seededStore(img));
    // Blobs in flight: the layers allowed at once, plus the config.
    for (const [concurrency, expected] of [
      [undefined, 6],
      [3, 4],
    ] as const) {
      const peer = await startFaultyPeer(reg.url, { kind: 'slow-blobs', delayMs: 150 });
      try {
        const target = new MemoryContentStore();
        await pullImage(
          context(),
          parseReference(`${peer.host}/conc/img:1`),
          { content: target, images: memoryImages(target) },
          { concurrency },
        );
        expect(peer.maxBlobsInFlight).toBe(expected);
      } finally {
        await peer.stop();
      }
    }
  });

  it('uploads large blobs in chunks', async () => {
    const img = buildImage({ randomBytesPerLayer: 300_000 });
    const source = await seededStore(img);
    const ctx = context();
    const ref = parseReference(`${reg.host}/chunky/img:latest`);
    await pushImage(
      ctx,
      ref,
      {
        manifest: img.manifest,
        manifestBytes: img.manifestBytes,
        manifestMediaType: img.manifest.mediaType!,
      },
      source,
      { monolithicLimit: 1000, chunkSize: 64 * 1024 },
    );
    const target = new MemoryContentStore();
    const pulled = await pullImage(ctx, ref, { content: target, images: memoryImages(target) });
    expect(pulled.manifestDigest).toBe(img.manifestDigest);
    const layer = img.manifest.layers[0]!;
    expect(sha(await target.get(layer.digest))).toBe(layer.digest);
  });
});
