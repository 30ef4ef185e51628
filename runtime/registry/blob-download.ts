// Streams one blob from a registry into the content store. The store's writer hashes while
// writing and refuses the commit on a digest mismatch, so bad bytes are never stored; an
// interrupted download leaves its partial file in the store's ingest area, and the next attempt
// resumes it with a Range request.

import { RegistryError } from '../errors.ts';
import type { ContentStore, ContentWriter } from '../content/content-store.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { causeText } from './authorizer.ts';
import type { RepositoryClient } from './repository-client.ts';
import type { HttpReadResult, HttpResponse } from './transport.ts';

/** The part of the content store a pull needs. */
export type BlobSink = Pick<
  ContentStore,
  'has' | 'get' | 'put' | 'stagePut' | 'writer' | 'prepareWrites' | 'finishWrites' | 'httpIngestThreads'
>;

export type DownloadProgress = (current: number, total: number) => void;

/** A download that stopped early; its bytes are kept and the next pull resumes it. */
export class InterruptedDownloadError extends RegistryError {
  readonly received: number;
  constructor(message: string, received: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.received = received;
  }
}

/**
 * Downloads `desc` from `repo` into `sink`, resuming a partial download when there is one.
 * `onBodyEnd` is called once all bytes are in, before the store verifies and publishes them.
 */
export async function downloadBlob(
  repo: RepositoryClient,
  desc: Descriptor,
  sink: BlobSink,
  onProgress: DownloadProgress = () => {},
  signal?: AbortSignal,
  onBodyEnd: () => void = () => {},
): Promise<void> {
  let writer = await sink.writer(desc.digest, desc.size);
  let received = writer.offset;
  if (writer.appendFromHttp && (await plainDownload(repo, desc, writer, onProgress, signal, onBodyEnd)))
    return;
  let res: HttpResponse;
  try {
    res = await repo.getBlob(desc.digest, received, signal);
    if (res.status === 200 && received > 0) {
      // The registry ignored the Range: start over.
      await writer.abort();
      writer = await sink.writer(desc.digest, desc.size);
      received = writer.offset;
      if (received !== 0) throw new RegistryError(`blob ${desc.digest}: partial download could not be reset`);
    } else if (res.status === 206 && !rangeStartsAt(res, received)) {
      await res.body?.cancel();
      throw new RegistryError(`blob ${desc.digest}: registry answered a different range than asked`);
    }
  } catch (e) {
    await writer.close();
    throw e;
  }
  onProgress(received, desc.size);
  if (!res.body) {
    await writer.close();
    throw new InterruptedDownloadError(`blob ${desc.digest}: empty response body`, received);
  }
  const reader = res.body.getReader();
  try {
    for (;;) {
      let chunk: HttpReadResult;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw new InterruptedDownloadError(
          `download of ${desc.digest} from ${repo.name} interrupted after ${received} of ${desc.size} bytes: ${causeText(e)} (pull again to resume)`,
          received,
          { cause: e },
        );
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      if (received > desc.size) {
        await reader.cancel();
        throw new RegistryError(`blob ${desc.digest} from ${repo.name} is larger than its size ${desc.size}`);
      }
      // A network chunk is ours alone: the store may take it without a copy (and batches them).
      await writer.write(chunk.value, true);
      onProgress(received, desc.size);
    }
    if (received < desc.size) {
      throw new InterruptedDownloadError(
        `download of ${desc.digest} from ${repo.name} truncated at ${received} of ${desc.size} bytes (pull again to resume)`,
        received,
      );
    }
  } catch (e) {
    // What did arrive is a valid prefix: keep it for the resume.
    if (e instanceof InterruptedDownloadError) await keepOrDrop(writer, signal);
    else {
      await reader.cancel().catch(() => {});
      await writer.abort();
    }
    throw e;
  }
  await commitBlob(writer, onBodyEnd);
}

/**
 * An interrupted download keeps its prefix for the resume, unless it was stopped because another
 * blob of the pull came with bytes that do not match its digest: a source serving bad bytes
 * leaves nothing behind.
 */
async function keepOrDrop(writer: ContentWriter, signal: AbortSignal | undefined): Promise<void> {
  const reason = signal?.aborted ? (signal.reason as { code?: unknown } | undefined) : undefined;
  if (reason?.code === 'BERTH_DIGEST_MISMATCH') await writer.abort();
  else await writer.close();
}

/** The body is all in: free the caller's slot, then verify and move the blob into place. */
async function commitBlob(writer: ContentWriter, onBodyEnd: () => void): Promise<void> {
  onBodyEnd();
  try {
    await writer.commit();
  } catch (e) {
    await writer.abort().catch(() => {});
    throw e;
  }
}

/**
 * The fast path of a plain-HTTP registry reached without a proxy: the store's writer reads the
 * body from a connection of its own, on the thread that hashes and writes it (no HTTP client,
 * no copy between threads). True when the blob is stored; false when that answer was not a plain
 * body (401, a redirect, an error…) and nothing was written: the ordinary request follows.
 */
async function plainDownload(
  repo: RepositoryClient,
  desc: Descriptor,
  writer: ContentWriter,
  onProgress: DownloadProgress,
  signal: AbortSignal | undefined,
  onBodyEnd: () => void,
): Promise<boolean> {
  const start = writer.offset;
  const get = await repo.plainBlobGet(desc.digest, start);
  if (!get || !writer.appendFromHttp) return false;
  onProgress(start, desc.size);
  const outcome = await writer.appendFromHttp(
    { ...get, offset: start, size: desc.size },
    (n) => onProgress(start + n, desc.size),
    signal,
  );
  if (outcome.kind === 'declined') return false;
  const received = start + outcome.received;
  if (outcome.kind === 'interrupted') {
    await keepOrDrop(writer, signal);
    throw new InterruptedDownloadError(
      `download of ${desc.digest} from ${repo.name} interrupted after ${received} of ${desc.size} bytes: ${outcome.message} (pull again to resume)`,
      received,
    );
  }
  if (outcome.kind === 'failed') {
    await writer.abort();
    throw new BlobStoreError(`blob ${desc.digest}: cannot store it: ${outcome.message}`, outcome.code);
  }
  onProgress(received, desc.size);
  await commitBlob(writer, onBodyEnd);
  return true;
}

/** Writing a downloaded blob to the store failed (disk full, permissions): `errno` says why. */
export class BlobStoreError extends Error {
  readonly code = 'BERTH_BLOB_STORE' as const;
  readonly errno: string | undefined;
  constructor(message: string, errno?: string) {
    super(message);
    this.name = 'BlobStoreError';
    this.errno = errno;
  }
}

function rangeStartsAt(res: HttpResponse, offset: number): boolean {
  const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m !== null && Number(m[1]) === offset;
}
