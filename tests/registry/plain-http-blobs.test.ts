// A plain-HTTP registry reached without a proxy: the disk store reads each blob body from a
// connection of its own, on the thread that hashes and writes it (blob-download.ts plainDownload);
// a manifest's plain 200 is read the same way, anything else goes through the HTTP client.
// A store without that ability (memory) goes through the HTTP client as before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../runtime/content/memory-content-store.ts';
import { NodeContentStore } from '../../runtime/content/node-content-store.ts';
import { openNodeImageStore } from '../../runtime/images/node-image-store.ts';
import { parseReference } from '../../runtime/oci/reference.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { type FaultyPeer, startFaultyPeer } from './faulty-peer.ts';
import { context, memoryImages, seededStore, taggedDigest } from './harness.ts';
import { type BuiltImage, buildImage, sha } from './image-fixtures.ts';

let reg: RegistryServer;
let img: BuiltImage;
let peer: FaultyPeer;
let root = '';

beforeAll(async () => {
  reg = await startRegistry();
  // Layers of ~1.5 MB: big enough for the store's helper thread as well as this one.
  img = buildImage({
    layers: [{ 'a.txt': 'a' }, { 'b.txt': 'b' }, { 'c.txt': 'c' }],
    randomBytesPerLayer: 1_500_000,
  });
  await pushImage(
    context(),
    parseReference(`${reg.host}/plain/app:v1`),
    { manifest: img.manifest, manifestBytes: img.manifestBytes, manifestMediaType: img.manifest.mediaType! },
    await seededStore(img),
  );
  peer = await startFaultyPeer(reg.url);
  root = mkdtempSync(join(tmpdir(), 'berth-plain-'));
});
afterAll(async () => {
  await peer?.stop();
  await reg?.stop();
  rmSync(root, { recursive: true, force: true });
});

const manifestRequests = () => peer.seen.filter((s) => s.path.includes('/manifests/')).map((s) => s.method);
const blobGets = () => peer.seen.filter((s) => s.method === 'GET' && s.path.includes('/blobs/'));

describe('blob downloads from a plain-HTTP registry', () => {
  it('the disk store reads every blob on a connection of its own, verified and stored', async () => {
    peer.seen.length = 0;
    const content = new NodeContentStore(root);
    const tags = memoryImages(content);
    await pullImage(context(), parseReference(`${peer.host}/plain/app:v1`), { content, images: tags });
    const gets = blobGets();
    expect(gets).toHaveLength(img.manifest.layers.length + 1);
    for (const g of gets) expect(g.connection).toBe('close');
    // The manifest too: one GET on a connection of its own, no HTTP client (node-plain-get.ts).
    const manifests = peer.seen.filter((s) => s.path.includes('/manifests/'));
    expect(manifests.map((s) => [s.method, s.connection])).toEqual([['GET', 'close']]);
    for (const layer of img.manifest.layers) expect(sha(await content.get(layer.digest))).toBe(layer.digest);
    expect(await taggedDigest(tags, `${peer.host}/plain/app:v1`)).toBe(img.manifestDigest);
  });

  it('a manifest answered other than a plain 200 (here chunked) is fetched again through the HTTP client', async () => {
    peer.fault = {
      kind: 'manifest',
      body: img.manifestBytes,
      contentType: img.manifest.mediaType!,
      chunked: true,
    };
    try {
      peer.seen.length = 0;
      const content = new NodeContentStore(mkdtempSync(join(root, 'chunked-')));
      const tags = memoryImages(content);
      await pullImage(context(), parseReference(`${peer.host}/plain/app:v1`), { content, images: tags });
      expect(manifestRequests()).toEqual(['GET', 'GET']);
      expect(await taggedDigest(tags, `${peer.host}/plain/app:v1`)).toBe(img.manifestDigest);
    } finally {
      peer.fault = { kind: 'none' };
    }
  });

  it('a store that cannot read sockets goes through the HTTP client (kept-alive connections)', async () => {
    peer.seen.length = 0;
    const content = new MemoryContentStore();
    await pullImage(context(), parseReference(`${peer.host}/plain/app:v1`), {
      content,
      images: memoryImages(content),
    });
    const gets = blobGets();
    expect(gets).toHaveLength(img.manifest.layers.length + 1);
    for (const g of gets) expect(g.connection).toBe('keep-alive');
    for (const layer of img.manifest.layers) expect(sha(await content.get(layer.digest))).toBe(layer.digest);
  });

  it('a tag not known here is fetched with one GET; pulling it again costs one HEAD and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-plain-store-'));
    try {
      const images = openNodeImageStore(dir, { builtins: false });
      const ref = parseReference(`${peer.host}/plain/app:v1`);
      peer.seen.length = 0;
      const first = await pullImage(context(), ref, { content: images.content, images });
      expect(first.downloaded).toBe(true);
      expect(manifestRequests()).toEqual(['GET']);
      peer.seen.length = 0;
      const again = await pullImage(context(), ref, { content: images.content, images });
      expect(again.downloaded).toBe(false);
      expect(manifestRequests()).toEqual(['HEAD']);
      expect(blobGets()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
