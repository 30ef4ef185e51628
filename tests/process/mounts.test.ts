import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Layer } from '../../overlay/layer.ts';
import { writeTar } from '../../overlay/tar-write.ts';
import { FsError } from '../../overlay/types.ts';
import { type Mount, runWasm } from '../../runtime/run-wasm.ts';
import { HostDirectoryFs } from '../../shims/platform/node/host-directory-fs.ts';
import { collector, guest, processRuntime } from './guest.ts';

const runtime = processRuntime();
const probe = guest('process-probe');
afterAll(() => runtime.pool.close());

function hostDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-mount-'));
  writeFileSync(join(dir, 'in.txt'), 'from the host\n');
  return dir;
}

async function run(args: string[], mounts: Mount[]) {
  const out = collector();
  const exit = await runWasm(probe, { runtime, args: ['p', ...args], mounts, stdout: out.sink });
  return { exitCode: exit.exitCode, text: out.text() };
}

describe('mounts', () => {
  it('a read-write host directory: the guest reads and writes real files', async () => {
    const dir = hostDir();
    const mounts = [{ source: dir, target: '/data' }];
    expect(await run(['read', '/data/in.txt'], mounts)).toEqual({ exitCode: 0, text: 'from the host\n' });
    expect((await run(['write', '/data/out.txt', 'guest wrote'], mounts)).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('guest wrote');
  });

  it('a read-only host directory refuses writes with EROFS', async () => {
    const dir = hostDir();
    const r = await run(['write', '/data/out.txt', 'x'], [{ source: dir, target: '/data', readonly: true }]);
    expect(r).toEqual({ exitCode: 1, text: 'open /data/out.txt: Read-only file system\n' });
    expect(existsSync(join(dir, 'out.txt'))).toBe(false);
    expect(
      (await run(['read', '/data/in.txt'], [{ source: dir, target: '/data', readonly: true }])).text,
    ).toBe('from the host\n');
  });

  it('a host directory at / is the guest root', async () => {
    const dir = hostDir();
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc/hostname'), 'berth\n');
    expect((await run(['read', '/etc/hostname'], [{ source: dir, target: '/' }])).text).toBe('berth\n');
  });

  it('a symlink in the host directory never leads out of it', async () => {
    const dir = hostDir();
    const outside = mkdtempSync(join(tmpdir(), 'berth-outside-'));
    writeFileSync(join(outside, 'secret'), 'host secret\n');
    symlinkSync(join(outside, 'secret'), join(dir, 'escape'));
    symlinkSync(outside, join(dir, 'escape-dir'));
    const mounts = [{ source: dir, target: '/' }];
    expect((await run(['read', '/escape'], mounts)).text).not.toContain('host secret');
    expect((await run(['read', '/escape-dir/secret'], mounts)).text).not.toContain('host secret');
    const fs = new HostDirectoryFs(dir, false);
    expect(fs.open('/escape', { read: true })).toMatchObject({ code: 'ELOOP' });
    expect(fs.readlink('/escape')).toBe(join(outside, 'secret'));
    expect((fs.lstat('/escape') as { type: string }).type).toBe('symlink');
  });

  it('HostDirectoryFs maps errors to FsError and refuses every write when read-only', () => {
    const dir = hostDir();
    const rw = new HostDirectoryFs(dir, false);
    expect(rw.lstat('/missing')).toBeInstanceOf(FsError);
    expect(rw.lstat('/missing')).toMatchObject({ code: 'ENOENT', syscall: 'lstat', path: '/missing' });
    expect(rw.mkdir('/in.txt', 0o755)).toMatchObject({ code: 'EEXIST' });
    expect(rw.rmdir('/in.txt')).toMatchObject({ code: 'ENOTDIR' });
    const ro = new HostDirectoryFs(dir, true);
    expect(ro.mkdir('/d', 0o755)).toMatchObject({ code: 'EROFS' });
    expect(ro.unlink('/in.txt')).toMatchObject({ code: 'EROFS' });
    expect(ro.open('/in.txt', { write: true })).toMatchObject({ code: 'EROFS' });
    expect(ro.open('/new', { write: true, create: true })).toMatchObject({ code: 'EROFS' });
    expect(ro.rename('/in.txt', '/x')).toMatchObject({ code: 'EROFS' });
    expect(existsSync(join(dir, 'in.txt'))).toBe(true);
    const h = ro.open('/in.txt', { read: true });
    if (h instanceof FsError) throw h;
    const buf = new Uint8Array(4);
    expect(h.read(buf, 5)).toBe(4);
    expect(Buffer.from(buf).toString()).toBe('the ');
    expect(h.write(buf, 0)).toMatchObject({ code: 'EROFS' });
    h.close();
    expect(rw.readdir('/')).toEqual([expect.objectContaining({ name: 'in.txt', type: 'file' })]);
  });
});

describe('image layers at /', () => {
  const entry = (name: string, type: 'dir' | 'file', data?: string) => ({
    name,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtimeNs: 0n,
    ...(data !== undefined ? { data: new TextEncoder().encode(data) } : {}),
  });

  it('runs on shared layers, returns the upper as a diff tar and restores it next time', async () => {
    const layer = await Layer.fromTar(
      await writeTar([entry('etc', 'dir'), entry('etc/motd', 'file', 'layer motd\n')]),
    );
    const mount = (upper?: Uint8Array): Mount => ({
      type: 'layers',
      target: '/',
      layers: [layer],
      ...(upper ? { upper } : {}),
    });
    expect((await run(['read', '/etc/motd'], [mount()])).text).toBe('layer motd\n');

    const out = collector();
    const first = await runWasm(probe, {
      runtime,
      args: ['p', 'write', '/etc/new', 'made in run 1'],
      mounts: [mount()],
      captureUpper: true,
      stdout: out.sink,
    });
    expect(first.exitCode).toBe(0);
    expect(first.upper).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(first.upper)).toContain('made in run 1');

    expect((await run(['read', '/etc/new'], [mount(first.upper)])).text).toBe('made in run 1');
    // The layer itself is unchanged: a fresh container does not see run 1's file.
    expect((await run(['read', '/etc/new'], [mount()])).exitCode).toBe(1);
  });

  it('a tmpfs mount is an empty writable directory', async () => {
    const r = await run(['write', '/scratch/f', 'x'], [{ type: 'tmpfs', target: '/scratch' }]);
    expect(r).toEqual({ exitCode: 0, text: 'wrote /scratch/f\n' });
  });
});
