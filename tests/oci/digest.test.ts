import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeSha256 } from '../../runtime/content/node-sha256.ts';
import { DigestMismatchError, InvalidReferenceError } from '../../runtime/errors.ts';
import {
  type Digest,
  DigestVerifier,
  digestOf,
  parseDigest,
  sha256Hex,
  shortId,
  useSha256,
  verifyDigest,
} from '../../runtime/oci/digest.ts';

const enc = new TextEncoder();
const ref = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('digest', () => {
  afterEach(() => useSha256(nodeSha256));

  it('the default (pure-JS, browser) implementation is correct', () => {
    // Runs first: nothing in this file has installed node:crypto's yet.
    const big = new Uint8Array(70_000).map((_, i) => i * 13);
    expect(sha256Hex(big)).toBe(ref(big));
  });

  it('pure-JS and node:crypto implementations agree with the reference', async () => {
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const inputs = [new Uint8Array(0), enc.encode('abc'), new Uint8Array(1_000_003).map((_, i) => i * 7)];
    for (const impl of ['noble', 'node'] as const) {
      if (impl === 'noble') {
        useSha256(() => {
          const h = sha256.create();
          return { update: (c) => void h.update(c), hex: () => Buffer.from(h.digest()).toString('hex') };
        });
      } else useSha256(nodeSha256);
      for (const b of inputs) expect(sha256Hex(b)).toBe(ref(b));
    }
    expect(sha256Hex(enc.encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('verifies and names the digest on mismatch', () => {
    const good = digestOf(enc.encode('hello'));
    expect(() => verifyDigest(enc.encode('hello'), good)).not.toThrow();
    try {
      verifyDigest(enc.encode('hellO'), good, 'blob');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DigestMismatchError);
      expect((e as DigestMismatchError).code).toBe('BERTH_DIGEST_MISMATCH');
      expect((e as Error).message).toContain(good);
    }
  });

  it('streams: DigestVerifier equals the one-shot digest', () => {
    const data = new Uint8Array(100_000).map((_, i) => i);
    const v = new DigestVerifier(digestOf(data));
    for (let i = 0; i < data.length; i += 4096) v.update(data.subarray(i, i + 4096));
    expect(v.size).toBe(data.length);
    expect(() => v.verify()).not.toThrow();
    const bad = new DigestVerifier(digestOf(data));
    bad.update(data.subarray(1));
    expect(() => bad.verify()).toThrow(DigestMismatchError);
  });

  it('parses digests strictly', () => {
    const d = `sha256:${'0'.repeat(64)}`;
    expect(parseDigest(d)).toBe(d);
    expect(() => parseDigest(`sha256:${'0'.repeat(63)}`)).toThrow(InvalidReferenceError);
    expect(() => parseDigest(`sha256:${'A'.repeat(64)}`)).toThrow('invalid digest format');
    expect(() => parseDigest(`sha512:${'0'.repeat(128)}`)).toThrow('unsupported digest algorithm: sha512');
    expect(shortId(d as Digest)).toBe('000000000000');
  });
});
