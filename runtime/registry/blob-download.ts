// Streams one blob from a registry into the content store. The store's writer hashes while
// writing and refuses the commit on a digest mismatch, so bad bytes are never stored; an
// interrupted download leaves its partial file in the store's ingest area, and the next attempt
// resumes it with a Range request.

import { RegistryError } from '../errors.ts';
import type { ContentStore } from '../content/content-store.ts';
import type { Descriptor } from '../oci/manifest.ts';
import { causeText } from './authorizer.ts';
import type { RepositoryClient } from './repository-client.ts';
import type { HttpReadResult, HttpResponse } from './transport.ts';

/** The part of the content store a pull needs. */
export type BlobSink = Pick<ContentStore, 'has' | 'get' | 'put' | 'writer' | 'prepareWrites'>;

export type DownloadProgress = (current: number, total: number) => void;

/** A download that stopped early; its bytes are kept and the next pull resumes it. */
export class InterruptedDownloadError extends RegistryError {
  readonly received: number;
  constructor(message: string, received: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.received = received;
  }
}

/** Downloads `desc` from `repo` into `sink`, resuming a partial download when there is one. */
export async function downloadBlob(
  repo: RepositoryClient,
  desc: Descriptor,
  sink: BlobSink,
  onProgress: DownloadProgress = () => {},
  signal?: AbortSignal,
): Promise<void> {
  let writer = await sink.writer(desc.digest, desc.size);
  let received = writer.offset;
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
    if (e instanceof InterruptedDownloadError) await writer.close();
    else {
      await reader.cancel().catch(() => {});
      await writer.abort();
    }
    throw e;
  }
  try {
    await writer.commit();
  } catch (e) {
    await writer.abort().catch(() => {});
    throw e;
  }
}

function rangeStartsAt(res: HttpResponse, offset: number): boolean {
  const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m !== null && Number(m[1]) === offset;
}
