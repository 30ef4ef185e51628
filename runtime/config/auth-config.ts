// Registry credentials in Docker's config.json format: `{"auths": {"<server>": {"auth": base64("user:pass")}}}`.
// Pure data handling here; reading and writing the files (mode 0600) lives in node-credential-store.ts.

import { ConfigError } from './berth-config.ts';

/** Docker keeps Docker Hub credentials under this legacy key. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** What the registry client needs to find a login; implemented on disk in node-credential-store.ts, in memory in tests or the browser. */
export interface CredentialStore {
  get(server: string): Promise<Credentials | undefined>;
  save(server: string, creds: Credentials): Promise<void>;
  /** False when there was nothing stored for `server`. */
  remove(server: string): Promise<boolean>;
}

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

/** A config.json document; unknown keys are kept so Docker's own files round-trip. */
export interface AuthConfigDocument {
  auths?: Record<string, AuthEntry>;
  [key: string]: unknown;
}

/** The key a registry's credentials are stored under: Docker Hub's legacy URL, else `host[:port]`. */
export function authKeyFor(server: string): string {
  const host = serverHost(server);
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') {
    return DOCKER_HUB_AUTH_KEY;
  }
  return host;
}

/** `https://host:port/v1/` or `host:port` -> `host:port` (Docker's ConvertToHostname). */
export function serverHost(server: string): string {
  let s = server.trim();
  s = s.replace(/^[a-z]+:\/\//i, '');
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  return s.toLowerCase();
}

export function parseAuthConfig(text: string, source: string): AuthConfigDocument {
  if (text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: invalid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: must be a JSON object`);
  }
  const doc = raw as AuthConfigDocument;
  if (doc.auths !== undefined && (typeof doc.auths !== 'object' || doc.auths === null)) {
    throw new ConfigError(`${source}: "auths" must be an object`);
  }
  return doc;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function base64Encode(s: string): string {
  let bin = '';
  for (const b of utf8.encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

function base64Decode(s: string): string {
  const bin = atob(s);
  return fromUtf8.decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function entryCredentials(entry: AuthEntry): Credentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    let decoded: string;
    try {
      decoded = base64Decode(entry.auth);
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/** Credentials stored for `server`, matching keys written with or without a scheme or path. */
export function findCredentials(doc: AuthConfigDocument, server: string): Credentials | undefined {
  const auths = doc.auths ?? {};
  const wanted = authKeyFor(server);
  const direct = auths[wanted];
  if (direct) return entryCredentials(direct);
  for (const [key, entry] of Object.entries(auths)) {
    if (authKeyFor(key) === wanted) return entryCredentials(entry);
  }
  return undefined;
}

export function withCredentials(
  doc: AuthConfigDocument,
  server: string,
  creds: Credentials,
): AuthConfigDocument {
  const auths = { ...removeKeys(doc.auths ?? {}, server) };
  auths[authKeyFor(server)] = { auth: base64Encode(`${creds.username}:${creds.password}`) };
  return { ...doc, auths };
}

/** Returns the document without `server`'s entry, and whether there was one. */
export function withoutCredentials(doc: AuthConfigDocument, server: string): [AuthConfigDocument, boolean] {
  const before = doc.auths ?? {};
  const after = removeKeys(before, server);
  return [{ ...doc, auths: after }, Object.keys(after).length !== Object.keys(before).length];
}

function removeKeys(auths: Record<string, AuthEntry>, server: string): Record<string, AuthEntry> {
  const wanted = authKeyFor(server);
  return Object.fromEntries(Object.entries(auths).filter(([k]) => authKeyFor(k) !== wanted));
}

/** Credentials kept in memory (browser, tests). */
export class MemoryCredentialStore implements CredentialStore {
  private doc: AuthConfigDocument = {};
  async get(server: string): Promise<Credentials | undefined> {
    return findCredentials(this.doc, server);
  }
  async save(server: string, creds: Credentials): Promise<void> {
    this.doc = withCredentials(this.doc, server, creds);
  }
  async remove(server: string): Promise<boolean> {
    const [doc, removed] = withoutCredentials(this.doc, server);
    this.doc = doc;
    return removed;
  }
}
