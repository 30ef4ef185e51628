// Interop with skopeo (containers/image): images it writes, berth reads; images berth pushes,
// skopeo reads and copies back with the same digests.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../runtime/content/memory-content-store.ts';
import { parseReference } from '../../runtime/oci/reference.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { context, memoryImages, seededStore } from './harness.ts';
import { buildImage, indexOf, writeOciLayout } from './image-fixtures.ts';

const run = promisify(execFile);
const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });

let reg: RegistryServer;
let dir: string;
beforeAll(async () => {
  reg = await startRegistry();
  dir = mkdtempSync(join(tmpdir(), 'berth-skopeo-'));
});
afterAll(async () => {
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('skopeo interop', () => {
  it('pulls a multi-platform index skopeo pushed and selects wasi/wasm (or linux/amd64 when asked)', async () => {
    const wasm = buildImage({
      platform: { os: 'wasi', architecture: 'wasm' },
      layers: [{ 'app.wasm': 'wasm!' }],
    });
    const linux = buildImage({
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [{ 'bin/app': 'elf' }],
    });
    const layout = join(dir, 'multi');
    writeOciLayout(layout, 'v1', [linux, wasm]);
    await skopeo(
      'copy',
      '--all',
      '--dest-tls-verify=false',
      `oci:${layout}:v1`,
      `docker://${reg.host}/interop/multi:v1`,
    );

    const ctx = context();
    const ref = parseReference(`${reg.host}/interop/multi:v1`);
    const content = new MemoryContentStore();
    const pulled = await pullImage(ctx, ref, { content, images: memoryImages(content) });
    expect(pulled.config.os).toBe('wasi');
    expect(pulled.config.architecture).toBe('wasm');
    expect(pulled.manifestDigest).toBe(wasm.manifestDigest);
    expect(pulled.repoDigest).toBe(indexOf([linux, wasm]).digest);
    expect(await content.has(linux.manifest.layers[0]!.digest)).toBe(false);

    const amd = await pullImage(
      ctx,
      ref,
      { content, images: memoryImages(content) },
      { platform: { os: 'linux', architecture: 'amd64' } },
    );
    expect(amd.manifestDigest).toBe(linux.manifestDigest);
    const err = await pullImage(
      ctx,
      ref,
      { content, images: memoryImages(content) },
      { platform: { os: 'linux', architecture: 'arm64' } },
    ).catch((e) => e);
    expect(err.message).toMatch(/no matching manifest for linux\/arm64/);
  });

  it('pulls a single-platform image for another --platform with a warning, as Docker does', async () => {
    const linux = buildImage({
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [{ 'bin/app': 'elf' }],
    });
    const layout = join(dir, 'single');
    writeOciLayout(layout, 'v1', [linux]);
    const name = `${reg.host}/interop/single:v1`;
    await skopeo('copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${name}`);

    const content = new MemoryContentStore();
    const pull = async (platform: { os: string; architecture: string }) => {
      const messages: string[] = [];
      const pulled = await pullImage(
        context(),
        parseReference(name),
        { content, images: memoryImages(content) },
        { platform },
        (e) => {
          if (e.kind === 'message') messages.push(e.text);
        },
      );
      return { pulled, messages };
    };
    const other = await pull({ os: 'linux', architecture: 'arm64' });
    expect(other.pulled.manifestDigest).toBe(linux.manifestDigest);
    expect(await content.has(linux.manifest.layers[0]!.digest)).toBe(true);
    expect(other.messages).toContain(
      'WARNING: image platform (linux/amd64) does not match the expected platform (linux/arm64)',
    );
    const same = await pull({ os: 'linux', architecture: 'amd64' });
    expect(same.messages.some((m) => m.startsWith('WARNING'))).toBe(false);
  });

  it('pushes an image that skopeo inspects and copies back with identical digests', async () => {
    const img = buildImage({ docker: true, layers: [{ a: '1' }, { b: '2' }] });
    const ctx = context();
    const name = `${reg.host}/interop/pushed:v2`;
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

    const { stdout } = await skopeo('inspect', '--tls-verify=false', `docker://${name}`);
    const info = JSON.parse(stdout) as { Digest: string; Layers: string[]; Os: string; Architecture: string };
    expect(info.Digest).toBe(img.manifestDigest);
    expect(info.Layers).toEqual(img.manifest.layers.map((l) => l.digest));
    expect(info.Os).toBe('wasi');

    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${name}`);
    expect(raw.stdout.trim()).toBe(new TextDecoder().decode(img.manifestBytes));

    const back = join(dir, 'back');
    await skopeo('copy', '--src-tls-verify=false', `docker://${name}`, `dir:${back}`);
    const copied = readFileSync(join(back, 'manifest.json'));
    expect(new Uint8Array(copied)).toEqual(img.manifestBytes);
    for (const l of img.manifest.layers) {
      expect(readFileSync(join(back, l.digest.slice(7))).length).toBe(l.size);
    }
  });
});
