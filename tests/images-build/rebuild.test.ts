import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts/build-images.js');

function requireClang(): void {
  const r = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0 || !existsSync('/usr/include/wasm32-wasi/stdio.h')) {
    throw new Error(
      'clang with wasi-libc is required to check the built-in images: install the Debian packages ' +
        'clang lld wasi-libc libclang-rt-dev-wasm32 (node scripts/ensure-system-deps.js does it as root)',
    );
  }
}

describe('built-in guest images', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'berth-rebuild-test-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('committed .wasm files match a fresh build of their sources', () => {
    requireClang();
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/image\(s\) match/);
  }, 300_000);

  it('--check reports a .wasm that differs from its sources', () => {
    requireClang();
    const images = join(tmp, 'images');
    cpSync(join(root, 'images/hello-world'), join(images, 'hello-world'), { recursive: true });
    writeFileSync(join(images, 'hello-world/hello-world.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d]));
    const r = spawnSync(process.execPath, [script, '--check', 'hello-world'], {
      encoding: 'utf8',
      env: { ...process.env, BERTH_IMAGES_DIR: images },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('hello-world: images/hello-world/hello-world.wasm differs from a fresh build');
  });
});
