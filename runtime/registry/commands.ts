// The registry verbs as the CLI runs them: `pull`, `push`, `login`, `logout`, `manifest inspect`.
// Each returns what the CLI prints last; progress goes to the sink (progress.ts renders it).

import type { CredentialStore } from '../config/auth-config.ts';
import { authKeyFor, serverHost } from '../config/auth-config.ts';
import { NotFoundError, UsageError } from '../errors.ts';
import type { ImagePlatform } from '../oci/manifest.ts';
import { manifestTypeFor, parseManifestDocument } from '../oci/manifest.ts';
import { parsePlatform } from '../oci/platform.ts';
import { canonicalName, canonicalString, DEFAULT_TAG, parseReference } from '../oci/reference.ts';
import type { ImageStore } from '../images/image-store.ts';
import { isDockerHub, originEndpoint, pullEndpoints } from './endpoints.ts';
import type { ProgressSink } from './progress.ts';
import { silentProgress } from './progress.ts';
import { type PullResult, pullImage } from './pull.ts';
import { type BlobSource, type PushOptions, type PushResult, pushImage } from './push.ts';
import type { Digest } from '../oci/digest.ts';
import type { RegistryContext } from './registry-context.ts';
import { errorFromResponse } from './registry-errors.ts';
import { RegistrySession } from './registry-session.ts';

export interface PullCommandOptions {
  /** `os/arch[/variant]`; default wasi/wasm. */
  readonly platform?: string | ImagePlatform;
  readonly signal?: AbortSignal;
  readonly concurrency?: number;
}

export interface PullCommandResult extends PullResult {
  /** `docker.io/library/hello:latest` — Docker prints it as the last line, even with -q. */
  readonly canonical: string;
}

export interface PushCommandResult extends PushResult {
  readonly canonical: string;
}

export class RegistryCommands {
  constructor(
    readonly context: RegistryContext,
    readonly images: ImageStore,
    readonly credentials: CredentialStore,
  ) {}

  async pull(
    input: string,
    opts: PullCommandOptions = {},
    progress: ProgressSink = silentProgress,
  ): Promise<PullCommandResult> {
    const parsed = parseReference(input, { defaultTag: false });
    if (parsed.tag === undefined && parsed.digest === undefined) {
      progress({ kind: 'message', text: `Using default tag: ${DEFAULT_TAG}` });
    }
    const ref =
      parsed.tag === undefined && parsed.digest === undefined ? { ...parsed, tag: DEFAULT_TAG } : parsed;
    const platform = typeof opts.platform === 'string' ? parsePlatform(opts.platform) : opts.platform;
    const result = await pullImage(
      this.context,
      ref,
      { content: this.images.content, images: this.images },
      { platform, signal: opts.signal, concurrency: opts.concurrency },
      progress,
    );
    return { ...result, canonical: canonicalString(ref) };
  }

  async push(
    input: string,
    opts: PushOptions = {},
    progress: ProgressSink = silentProgress,
  ): Promise<PushCommandResult> {
    const parsed = parseReference(input, { defaultTag: false });
    if (parsed.tag === undefined && parsed.digest === undefined) {
      progress({ kind: 'message', text: `Using default tag: ${DEFAULT_TAG}` });
    }
    const ref =
      parsed.tag === undefined && parsed.digest === undefined ? { ...parsed, tag: DEFAULT_TAG } : parsed;
    const local = await this.images.find(canonicalString(ref));
    if (!local) throw new NotFoundError(`An image does not exist locally with the tag: ${input}`);
    const manifestBytes = await this.images.content.get(local.manifestDigest);
    const doc = parseManifestDocument(manifestBytes);
    if (doc.kind !== 'manifest') throw new UsageError(`${input}: pushing an image index is not supported`);
    const manifest = doc.manifest;
    // Repositories of the same registry this image is known under: candidates for a blob mount.
    const sameRegistry = [...local.repoTags, ...local.repoDigests]
      .map((n) => parseReference(n, { defaultTag: false }))
      .filter((r) => r.registry === ref.registry && r.repository !== ref.repository)
      .map((r) => r.repository);
    const result = await pushImage(
      this.context,
      ref,
      {
        manifest,
        manifestBytes,
        manifestMediaType: manifest.mediaType ?? manifestTypeFor(manifest.config.mediaType),
      },
      pushSource(this.images.content),
      { ...opts, mountFrom: opts.mountFrom ?? [...new Set(sameRegistry)] },
      progress,
    );
    return { ...result, canonical: canonicalString(ref) };
  }

  /** Checks the credentials against the registry, then stores them (0600). Returns "Login Succeeded". */
  async login(server: string | undefined, username: string, password: string): Promise<string> {
    if (!username) throw new UsageError('Error: Username is required');
    if (!password) throw new UsageError('Error: Password Required');
    const registry = registryOfServer(server);
    const endpoint = originEndpoint(registry, this.context.config, this.context.endpointOptions);
    const session = new RegistrySession(endpoint, this.context.fetcher, { username, password });
    const res = await session.checkLogin();
    if (!res.ok) {
      const err = await errorFromResponse(res, `login to ${registry}`);
      throw err;
    }
    await res.body?.cancel();
    await this.credentials.save(registry, { username, password });
    return 'Login Succeeded';
  }

  /** Forgets the stored credentials; Docker's wording either way. */
  async logout(server: string | undefined): Promise<string> {
    const registry = registryOfServer(server);
    const key = authKeyFor(registry);
    const removed = await this.credentials.remove(registry);
    return removed ? `Removing login credentials for ${key}` : `Not logged in to ${key}`;
  }

  /** `manifest inspect`: the manifest or index as the registry has it, pretty-printed. */
  async manifestInspect(input: string): Promise<string> {
    const ref = parseReference(input);
    const [endpoint] = pullEndpoints(ref.registry, this.context.config, this.context.endpointOptions).slice(
      -1,
    );
    const repo = await this.context.repository(endpoint!, ref.repository);
    const fetched = await repo.getManifest(ref.digest ?? ref.tag ?? DEFAULT_TAG);
    return JSON.stringify(JSON.parse(new TextDecoder().decode(fetched.bytes)), null, '\t');
  }

  /** All tags of a repository (`name` without tag). */
  async tags(input: string): Promise<string[]> {
    const ref = parseReference(input, { defaultTag: false });
    const endpoint = originEndpoint(ref.registry, this.context.config, this.context.endpointOptions);
    return (await this.context.repository(endpoint, ref.repository)).tags();
  }

  /** Deletes a manifest from the registry by tag or digest (the registry must allow deletes). */
  async deleteRemote(input: string): Promise<string> {
    const ref = parseReference(input);
    const endpoint = originEndpoint(ref.registry, this.context.config, this.context.endpointOptions);
    const repo = await this.context.repository(endpoint, ref.repository);
    let digest = ref.digest;
    if (!digest) {
      const head = await repo.headManifest(ref.tag ?? DEFAULT_TAG);
      if (!head?.digest) throw new NotFoundError(`manifest for ${canonicalString(ref)} not found`);
      digest = head.digest;
    }
    await repo.deleteManifest(digest);
    return `${canonicalName(ref)}@${digest}`;
  }
}

/**
 * Blobs for a push. The registry recomputes each digest and refuses a mismatch, so a store that
 * can read without re-hashing (the disk store) skips its own check: one hash pass fewer per byte.
 */
function pushSource(content: ImageStore['content']): BlobSource {
  const raw = content as ImageStore['content'] & { getUnverified?(d: Digest): Promise<Uint8Array> };
  return { get: (d) => (raw.getUnverified ? raw.getUnverified(d) : content.get(d)) };
}

/** `berth login` with no server means Docker Hub; otherwise `host[:port]` (a scheme or path is dropped). */
export function registryOfServer(server: string | undefined): string {
  if (!server) return 'docker.io';
  const host = serverHost(server);
  return isDockerHub(host) ? 'docker.io' : host;
}
