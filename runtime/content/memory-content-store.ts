// The blob store in memory: the browser's default and a reference for the store's contract.

import { DigestMismatchError, InvalidStateError, NotFoundError } from '../errors.ts';
import { type Digest, DigestVerifier, digestOf, parseDigest, verifyDigest } from '../oci/digest.ts';
import { blobNotFound, type ContentStore, type ContentWriter } from './content-store.ts';

export class MemoryContentStore implements ContentStore {
  private readonly blobs = new Map<Digest, Uint8Array>();
  private readonly partials = new Map<Digest, Uint8Array[]>();

  async has(digest: Digest): Promise<boolean> {
    return this.blobs.has(digest);
  }

  async size(digest: Digest): Promise<number | undefined> {
    return this.blobs.get(digest)?.byteLength;
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const bytes = this.blobs.get(digest);
    if (bytes === undefined) throw new NotFoundError(blobNotFound(digest));
    verifyDigest(bytes, digest, 'blob');
    return bytes;
  }

  async put(bytes: Uint8Array, expected?: Digest): Promise<Digest> {
    const digest = digestOf(bytes);
    if (expected !== undefined && expected !== digest) {
      throw new DigestMismatchError(expected, digest, { what: 'blob' });
    }
    if (!this.blobs.has(digest)) this.blobs.set(digest, bytes.slice());
    return digest;
  }

  async writer(expected: Digest, size?: number): Promise<ContentWriter> {
    parseDigest(expected);
    const chunks = this.partials.get(expected) ?? [];
    this.partials.delete(expected);
    const verifier = new DigestVerifier(expected);
    for (const c of chunks) verifier.update(c);
    const offset = verifier.size;
    const store = this;
    return {
      expected,
      offset,
      async write(chunk) {
        chunks.push(chunk.slice());
        verifier.update(chunk);
      },
      async commit() {
        if (size !== undefined && verifier.size !== size) {
          throw new InvalidStateError(`blob ${expected}: wrote ${verifier.size} bytes, expected ${size}`);
        }
        verifier.verify('blob');
        const all = new Uint8Array(verifier.size);
        let at = 0;
        for (const c of chunks) {
          all.set(c, at);
          at += c.byteLength;
        }
        store.blobs.set(expected, all);
        return expected;
      },
      async abort() {},
      async close() {
        store.partials.set(expected, chunks);
      },
    };
  }

  async delete(digest: Digest): Promise<void> {
    this.blobs.delete(digest);
  }

  async list(): Promise<Digest[]> {
    return [...this.blobs.keys()].sort();
  }

  /** Test hook: overwrite a stored blob's bytes without changing its key. */
  corrupt(digest: Digest, bytes: Uint8Array): void {
    this.blobs.set(digest, bytes);
  }
}
