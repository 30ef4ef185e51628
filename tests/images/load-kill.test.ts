// `load` killed with kill -9 midway must leave the store consistent: the index as before, any
// stored blobs whole, and the same load working afterwards.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadImages } from '../../runtime/archive/load.ts';
import { saveImagesBytes } from '../../runtime/archive/save.ts';
import { packArchiveBytes } from '../../runtime/archive/tar-io.ts';
import { createImage } from '../../runtime/images/image-create.ts';
import { bundleScript } from '../content/bundle-script.ts';
import { type TestStore, testStore } from './fixtures.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('load killed midway', () => {
  it('leaves the index untouched and every blob whole; loading again works', async () => {
    const a: TestStore = testStore();
    cleanups.push(a.cleanup);
    const layers: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      layers.push(
        await packArchiveBytes([
          { path: `f${i}`, type: 'file', data: randomFillSync(new Uint8Array(3_000_000)) },
        ]),
      );
    }
    await createImage(a.store, {
      layers,
      config: { architecture: 'wasm', os: 'wasi', config: { Entrypoint: ['/f0'] } },
      names: ['big:1'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'berth-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const archive = join(dir, 'big.tar');
    writeFileSync(archive, await saveImagesBytes(a.store, ['big:1']));

    const b: TestStore = testStore();
    cleanups.push(b.cleanup);
    await b.store.resolve('hello-world');
    const indexBefore = readFileSync(join(b.root, 'images.json'), 'utf8');

    const script = await bundleScript(
      `import { createReadStream } from 'node:fs';
       import { loadImages } from '../../runtime/archive/load.ts';
       import { openNodeImageStore } from '../../runtime/images/node-image-store.ts';
       const [root, file] = process.argv.slice(2);
       process.stdout.write('start\\n');
       await loadImages(openNodeImageStore(root, { builtins: false }), createReadStream(file, { highWaterMark: 256 * 1024 }));
       process.stdout.write('done\\n');`,
      import.meta.dirname,
    );
    const child = spawn(process.execPath, [script, b.root, archive], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const blobDir = join(b.root, 'blobs', 'sha256');
    const before = readdirSync(blobDir).length;
    // Kill once it has stored a few of the new layers, well before it could finish.
    for (let i = 0; i < 2000 && readdirSync(blobDir).length < before + 3 && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(out).not.toContain('done');
    expect(readdirSync(blobDir).length).toBeGreaterThan(before);

    expect(readFileSync(join(b.root, 'images.json'), 'utf8')).toBe(indexBefore);
    for (const name of readdirSync(blobDir)) {
      await b.store.content.get(`sha256:${name}`); // whole and verified, or this throws
    }
    await expect(b.store.resolve('big:1')).rejects.toThrow('No such image: big:1');
    expect(existsSync(join(b.root, 'images.lock'))).toBe(false);

    const [loaded] = await loadImages(b.store, readFileSync(archive));
    expect(loaded!.names).toEqual(['big:1']);
    expect((await b.store.resolve('big:1')).config.rootfs.diff_ids).toHaveLength(12);
    expect((await b.store.resolve('hello-world')).repoTags).toEqual(['hello-world:latest']);
  });
});
