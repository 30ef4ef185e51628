// The distribution-spec operations on one repository of one registry endpoint: manifests (HEAD,
// GET with the full Accept list, PUT, DELETE), blobs (HEAD, ranged GET, uploads and cross-
// repository mounts) and the tag list.

import { type Digest, digestOf as defaultDigestOf, isDigest } from '../oci/digest.ts';
import { DigestMismatchError, NotFoundError, UnsupportedError } from '../errors.ts';
import { assertSupportedManifestType, MANIFEST_ACCEPT, MediaType } from '../oci/media-types.ts';
import { errorFromResponse, registryFailure } from './registry-errors.ts';
import { type PlainGet, type RegistrySession, readBounded } from './registry-session.ts';
import type { HttpResponse } from './transport.ts';

/** Manifests larger than this are refused unread (containerd and Docker use 4 MiB too). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
];

export interface FetchedManifest {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly bytes: Uint8Array;
}

export interface ManifestHead {
  readonly mediaType: string;
  readonly digest: Digest | undefined;
  readonly size: number;
}

export type UploadStart = { mounted: true } | { mounted: false; location: string };

function bareMediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export class RepositoryClient {
  readonly pullScopes: string[];
  readonly pushScopes: string[];
  constructor(
    readonly session: RegistrySession,
    readonly repository: string,
    readonly maxManifestBytes = MAX_MANIFEST_BYTES,
    /** The manifest's digest (the context's: on Node, node:crypto once a pull has loaded it). */
    private readonly digestOf: (bytes: Uint8Array) => Digest = defaultDigestOf,
  ) {
    this.pullScopes = [`repository:${repository}:pull`];
    this.pushScopes = [`repository:${repository}:pull,push`];
  }

  /** `127.0.0.1:5000/repo` — for messages. */
  get name(): string {
    return `${this.session.endpoint.registry}/${this.repository}`;
  }

  private path(kind: 'manifests' | 'blobs' | 'tags', rest: string): string {
    return `/v2/${this.repository}/${kind}/${rest}`;
  }

  private refText(reference: string): string {
    return isDigest(reference) ? `${this.name}@${reference}` : `${this.name}:${reference}`;
  }

  async headManifest(reference: string): Promise<ManifestHead | undefined> {
    const res = await this.session.send({
      method: 'HEAD',
      path: this.path('manifests', reference),
      scopes: this.pullScopes,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw await errorFromResponse(res, `manifest for ${this.refText(reference)}`);
    const d = res.headers.get('docker-content-digest') ?? '';
    return {
      mediaType: bareMediaType(res.headers.get('content-type')),
      digest: isDigest(d) ? d : undefined,
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  /**
   * GETs a manifest, bounded in size, its digest checked against the reference or header.
   * `whileWaiting` runs once, when the request is on its way (a plain-HTTP GET: once written;
   * otherwise once the answer's head is in): the caller's time to get ready meanwhile.
   */
  async getManifest(reference: string, whileWaiting?: () => void): Promise<FetchedManifest> {
    const what = `manifest for ${this.refText(reference)}`;
    const path = this.path('manifests', reference);
    const headers = { Accept: MANIFEST_ACCEPT };
    let waited = false;
    const onSent = () => {
      if (waited) return;
      waited = true;
      whileWaiting?.();
    };
    const res =
      (await this.session.sendPlain(path, this.pullScopes, headers, this.maxManifestBytes, onSent)) ??
      (await this.session.send({ path, scopes: this.pullScopes, headers }));
    onSent();
    if (res.status === 404) {
      const err = await errorFromResponse(res, what);
      throw new NotFoundError(err.message.replace(`${what}:`, `${what} not found:`), { cause: err });
    }
    if (!res.ok) throw await errorFromResponse(res, what);
    const bytes = await readBounded(res, this.maxManifestBytes, what);
    const digest = this.digestOf(bytes);
    const announced = res.headers.get('docker-content-digest');
    const expected = isDigest(reference)
      ? reference
      : announced && isDigest(announced)
        ? announced
        : undefined;
    if (expected && expected !== digest) throw new DigestMismatchError(expected, digest, { what });
    let mediaType = bareMediaType(res.headers.get('content-type'));
    if (!mediaType || mediaType === 'application/json' || mediaType === 'text/plain') {
      mediaType = mediaTypeInBody(bytes) ?? mediaType;
    }
    if (schemaVersionOf(bytes) === 1) assertSupportedManifestType(MediaType.dockerManifestV1);
    assertSupportedManifestType(mediaType);
    if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
      throw new UnsupportedError(`${what}: unsupported manifest media type "${mediaType}"`);
    }
    return { mediaType, digest, bytes };
  }

  async blobExists(digest: Digest): Promise<boolean> {
    const res = await this.session.send({
      method: 'HEAD',
      path: this.path('blobs', digest),
      scopes: this.pushScopes,
    });
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (res.ok) return true;
    throw await errorFromResponse(res, `blob ${digest} in ${this.name}`);
  }

  /** The blob GET as a plain-HTTP request another thread can send itself (see RegistrySession.plainGet). */
  plainBlobGet(digest: Digest, offset: number): Promise<PlainGet | undefined> {
    return this.session.plainGet(
      this.path('blobs', digest),
      this.pullScopes,
      offset > 0 ? { Range: `bytes=${offset}-` } : {},
    );
  }

  /** GETs a blob from `offset` on; the caller checks 200 (whole blob) versus 206 (the rest). */
  async getBlob(digest: Digest, offset: number, signal?: AbortSignal): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    const res = await this.session.send({
      path: this.path('blobs', digest),
      scopes: this.pullScopes,
      headers,
      signal,
    });
    if (res.status === 200 || res.status === 206) return res;
    if (res.status === 416 && offset > 0) {
      await res.body?.cancel();
      return this.getBlob(digest, 0, signal);
    }
    const what = `blob ${digest} of ${this.name}`;
    if (res.status === 404)
      throw new NotFoundError(`${what} not found: ${(await errorFromResponse(res, what)).message}`);
    throw await errorFromResponse(res, what);
  }

  /**
   * POSTs a new upload. With `mountFrom` the registry may link the blob from another repository
   * of the same registry instead (201), sparing the upload.
   */
  async startUpload(mount?: { digest: Digest; from: string }): Promise<UploadStart> {
    const query = mount
      ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}`
      : '';
    const scopes = mount ? [...this.pushScopes, `repository:${mount.from}:pull`] : this.pushScopes;
    const res = await this.session.send({
      method: 'POST',
      path: this.path('blobs', `uploads/${query}`),
      scopes,
    });
    await res.body?.cancel();
    if (res.status === 201 && mount) return { mounted: true };
    if (res.status === 202) return { mounted: false, location: this.location(res) };
    throw await errorFromResponse(res, `upload to ${this.name}`);
  }

  private location(res: HttpResponse): string {
    const loc = res.headers.get('location');
    if (!loc) throw registryFailure(`upload to ${this.name}: the registry sent no Location`);
    return this.session.url(loc);
  }

  /** Sends one chunk of an upload; returns the next Location. */
  async uploadChunk(location: string, chunk: Uint8Array, offset: number): Promise<string> {
    const res = await this.session.send({
      method: 'PATCH',
      path: location,
      scopes: this.pushScopes,
      body: chunk,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${offset}-${offset + chunk.byteLength - 1}`,
        'Content-Length': String(chunk.byteLength),
      },
    });
    await res.body?.cancel();
    if (res.status !== 202) throw await errorFromResponse(res, `upload chunk to ${this.name}`);
    return this.location(res);
  }

  /** Completes an upload with a PUT carrying the digest (and the last bytes, for a monolithic upload). */
  async finishUpload(location: string, digest: Digest, body?: Uint8Array): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    headers['Content-Length'] = String(body?.byteLength ?? 0);
    const res = await this.session.send({
      method: 'PUT',
      path: url.toString(),
      scopes: this.pushScopes,
      body: body ?? new Uint8Array(0),
      headers,
    });
    await res.body?.cancel();
    if (res.status !== 201) throw await errorFromResponse(res, `upload of ${digest} to ${this.name}`);
  }

  async putManifest(reference: string, mediaType: string, bytes: Uint8Array): Promise<Digest> {
    const res = await this.session.send({
      method: 'PUT',
      path: this.path('manifests', reference),
      scopes: this.pushScopes,
      body: bytes,
      headers: { 'Content-Type': mediaType },
    });
    await res.body?.cancel();
    if (res.status !== 201) throw await errorFromResponse(res, `manifest ${this.refText(reference)}`);
    const digest = this.digestOf(bytes);
    const announced = res.headers.get('docker-content-digest');
    if (announced && isDigest(announced) && announced !== digest) {
      throw new DigestMismatchError(digest, announced, { what: `manifest pushed to ${this.name}` });
    }
    return digest;
  }

  /** All tags, following `Link` pagination. */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = this.path('tags', 'list');
    while (path) {
      const res = await this.session.send({ path, scopes: this.pullScopes });
      if (!res.ok) throw await errorFromResponse(res, `tags of ${this.name}`);
      const body = JSON.parse(
        new TextDecoder().decode(await readBounded(res, MAX_MANIFEST_BYTES, 'tag list')),
      ) as {
        tags?: string[] | null;
      };
      out.push(...(body.tags ?? []));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '');
      path = link ? link[1] : undefined;
    }
    return out;
  }

  async deleteManifest(digest: Digest): Promise<void> {
    const res = await this.session.send({
      method: 'DELETE',
      path: this.path('manifests', digest),
      scopes: [`repository:${this.repository}:delete`],
    });
    await res.body?.cancel();
    if (res.status !== 202 && res.status !== 200)
      throw await errorFromResponse(res, `delete ${this.refText(digest)}`);
  }
}

function parsedJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function mediaTypeInBody(bytes: Uint8Array): string | undefined {
  const mt = parsedJson(bytes)?.mediaType;
  return typeof mt === 'string' ? mt : undefined;
}

function schemaVersionOf(bytes: Uint8Array): number | undefined {
  const v = parsedJson(bytes)?.schemaVersion;
  return typeof v === 'number' ? v : undefined;
}
