// berth's WebAssembly SHA-256 (runtime/oci/sha256.c), which hashes small blobs: the same digests
// as OpenSSL at every block boundary and size class, and the committed bytes are a build of the
// committed source.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../runtime/oci/digest.ts';

const openssl = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const repo = join(import.meta.dirname, '..', '..');

describe('sha256Hex below the native threshold (WebAssembly)', () => {
  it('matches OpenSSL for every length up to 300 bytes and around each padding boundary', () => {
    const data = randomBytes(70_000);
    for (let n = 0; n <= 300; n++)
      expect(sha256Hex(data.subarray(0, n)), `length ${n}`).toBe(openssl(data.subarray(0, n)));
    for (const n of [447, 448, 511, 512, 4095, 4096, 4097, 16_383, 16_384, 65_535]) {
      expect(sha256Hex(data.subarray(0, n)), `length ${n}`).toBe(openssl(data.subarray(0, n)));
    }
  });

  it('gives the known digests of "" and "abc"', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes views into bigger and shared buffers', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(5000));
    shared.set(randomBytes(5000));
    const view = shared.subarray(123, 4321);
    expect(sha256Hex(view)).toBe(openssl(new Uint8Array(view)));
  });

  it('runtime/oci/sha256-wasm.ts is a build of runtime/oci/sha256.c', () => {
    execFileSync(process.execPath, [join(repo, 'scripts', 'build-sha256.js'), '--check'], { stdio: 'pipe' });
  });
});
