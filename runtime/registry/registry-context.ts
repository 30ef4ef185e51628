// What every registry operation shares: the HTTP fetcher, berth's settings, the credential store,
// and one authenticated session per endpoint (so a token fetched for one request serves the next).

import type { CredentialStore } from '../config/auth-config.ts';
import type { BerthConfig } from '../config/berth-config.ts';
import { DEFAULT_CONFIG } from '../config/berth-config.ts';
import type { Digest } from '../oci/digest.ts';
import type { EndpointOptions, RegistryEndpoint } from './endpoints.ts';
import { MAX_MANIFEST_BYTES, RepositoryClient } from './repository-client.ts';
import { RegistrySession } from './registry-session.ts';
import type { Fetcher } from './transport.ts';

export interface RegistryContextOptions extends EndpointOptions {
  readonly fetcher: Fetcher;
  readonly config?: BerthConfig;
  readonly credentials?: CredentialStore;
  /** Manifest size cap in bytes (default 4 MiB). */
  readonly maxManifestBytes?: number;
  /** How a manifest's digest is computed (default runtime/oci/digest.ts's digestOf). */
  readonly digestOf?: (bytes: Uint8Array) => Digest;
}

export class RegistryContext {
  readonly fetcher: Fetcher;
  readonly config: BerthConfig;
  readonly credentials: CredentialStore | undefined;
  readonly endpointOptions: EndpointOptions;
  readonly maxManifestBytes: number;
  private readonly digestOf: ((bytes: Uint8Array) => Digest) | undefined;
  private readonly sessions = new Map<string, Promise<RegistrySession>>();

  constructor(opts: RegistryContextOptions) {
    this.fetcher = opts.fetcher;
    this.config = opts.config ?? DEFAULT_CONFIG;
    this.credentials = opts.credentials;
    this.endpointOptions = { dockerHubOrigin: opts.dockerHubOrigin };
    this.maxManifestBytes = opts.maxManifestBytes ?? MAX_MANIFEST_BYTES;
    this.digestOf = opts.digestOf;
  }

  /** The same registry access under other credentials (the Docker API's per-request X-Registry-Auth). */
  withCredentials(credentials: CredentialStore): RegistryContext {
    return new RegistryContext({
      ...this.endpointOptions,
      fetcher: this.fetcher,
      config: this.config,
      credentials,
      maxManifestBytes: this.maxManifestBytes,
      digestOf: this.digestOf,
    });
  }

  session(endpoint: RegistryEndpoint): Promise<RegistrySession> {
    let s = this.sessions.get(endpoint.baseUrl);
    if (!s) {
      s = this.openSession(endpoint);
      this.sessions.set(endpoint.baseUrl, s);
    }
    return s;
  }

  private async openSession(endpoint: RegistryEndpoint): Promise<RegistrySession> {
    // A mirror gets only credentials stored for the mirror itself, never the origin's.
    const server = endpoint.mirror ? new URL(endpoint.baseUrl).host : endpoint.registry;
    const creds = await this.credentials?.get(server);
    return new RegistrySession(endpoint, this.fetcher, creds);
  }

  async repository(endpoint: RegistryEndpoint, repository: string): Promise<RepositoryClient> {
    return new RepositoryClient(
      await this.session(endpoint),
      repository,
      this.maxManifestBytes,
      this.digestOf,
    );
  }
}
