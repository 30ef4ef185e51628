// The content-addressed blob store: manifests, configs and layers by sha256 digest. Every read
// is verified against its digest and every write is all-or-nothing, so a blob under a digest is
// always that digest's bytes. Implementations: node-content-store.ts (disk), memory-content-store.ts
// (browser, tests).

import type { Digest } from '../oci/digest.ts';

/** A streaming write of one blob whose digest is known in advance (a download). */
export interface ContentWriter {
  readonly expected: Digest;
  /** Bytes already present from an earlier, interrupted write; continue from here. */
  readonly offset: number;
  /**
   * Appends `chunk`. With `owned` the caller hands the chunk over and never touches it again, so
   * a store may keep it, or move its buffer to another thread, instead of copying it.
   */
  write(chunk: Uint8Array, owned?: boolean): Promise<void>;
  /**
   * Verifies size (when given to writer()) and digest, then publishes the blob atomically.
   * On mismatch the partial data is discarded and DigestMismatchError (or InvalidStateError for a
   * wrong size) is thrown: nothing is stored.
   */
  commit(): Promise<Digest>;
  /** Discards the partial data. */
  abort(): Promise<void>;
  /** Keeps the partial data for a later resume (`offset`) and releases it. */
  close(): Promise<void>;
  /**
   * Optional (Node's disk store): appends the body of a plain-HTTP GET read straight from its
   * socket on the thread that writes and hashes the blob. The caller still commits or closes.
   */
  appendFromHttp?(
    req: HttpIngestRequest,
    onProgress: (received: number) => void,
    signal?: AbortSignal,
  ): Promise<HttpIngestOutcome>;
}

/** A GET to send on a fresh connection (`head`: request line and headers, CRLF-terminated). */
export interface HttpIngestRequest {
  readonly host: string;
  readonly port: number;
  readonly head: string;
  /** Bytes already in the file (a resume): the answer must be a 206 from here, else 200. */
  readonly offset: number;
  /** The blob's full size. */
  readonly size: number;
  /** Give up when nothing arrives for this long, ms. */
  readonly idleMs: number;
}

export type HttpIngestOutcome =
  /** The whole body was appended: `received` bytes (size - offset). */
  | { readonly kind: 'complete'; readonly received: number }
  /** The connection failed midway: `received` bytes were appended (a valid prefix: resumable). */
  | { readonly kind: 'interrupted'; readonly received: number; readonly message: string }
  /** Not an answer taken here; nothing was appended. */
  | { readonly kind: 'declined'; readonly status: number; readonly message: string }
  /** Writing the file failed. */
  | { readonly kind: 'failed'; readonly received: number; readonly message: string; readonly code?: string };

export interface ContentStore {
  has(digest: Digest): Promise<boolean>;
  /** Stored size in bytes, or undefined when absent. */
  size(digest: Digest): Promise<number | undefined>;
  /** The blob's bytes, verified: NotFoundError when absent, DigestMismatchError when corrupt. */
  get(digest: Digest): Promise<Uint8Array>;
  /** Stores bytes; with `expected`, refuses (DigestMismatchError, nothing stored) on a mismatch. */
  put(bytes: Uint8Array, expected?: Digest): Promise<Digest>;
  writer(expected: Digest, size?: number): Promise<ContentWriter>;
  /**
   * Optional: put in two steps, so the slow part (writing and syncing) overlaps other work while
   * the blob is not yet stored: commit stores it (as put), discard drops what was written.
   */
  stagePut?(bytes: Uint8Array, expected?: Digest): Promise<StagedBlob>;
  /**
   * Optional hint: about `bytes` of blobs are about to be written (a pull), so prepare for them;
   * without `bytes`, an amount not known yet (a pull of an image not stored here).
   */
  prepareWrites?(bytes?: number): void;
  /** Optional hint: the writes prepareWrites announced are over (what it readied may go). */
  finishWrites?(): void;
  /**
   * Optional: how many blobs fed by appendFromHttp the store takes in at full speed at once (its
   * hashing threads). More at once only splits the same cores; fewer lets the next blob go to
   * whichever thread frees up first.
   */
  readonly httpIngestThreads?: number;
  delete(digest: Digest): Promise<void>;
  list(): Promise<Digest[]>;
}

/** A blob written but not stored yet (ContentStore.stagePut). */
export interface StagedBlob {
  commit(): Promise<Digest>;
  discard(): void;
}

export function blobNotFound(digest: Digest): string {
  return `content digest ${digest}: not found`;
}
