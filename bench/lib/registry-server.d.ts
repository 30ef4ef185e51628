// Types of registry-server.js (plain JS so benchmarks run without a TypeScript loader).

export interface RegistryServerOptions {
  /** Users for htpasswd basic auth (bcrypt via `htpasswd -Bbn`). */
  users?: Record<string, string>;
  /** Bearer-token auth: the registry trusts tokens signed by this issuer's certificate. */
  token?: { realm: string; service: string; issuer: string; rootCertPath: string };
  /** Extra YAML appended at top level. */
  extraYaml?: string;
}

export interface RegistryServer {
  readonly port: number;
  /** `127.0.0.1:PORT` — the registry part of an image reference. */
  readonly host: string;
  readonly url: string;
  readonly storageDir: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number>;
export function startRegistry(opts?: RegistryServerOptions): Promise<RegistryServer>;
