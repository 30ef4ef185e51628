// Registry authentication, learnt from the registry's own 401 challenge: anonymous, Basic, or a
// Bearer token from a Docker Hub-style token service (`realm?service=…&scope=repository:x:pull`),
// cached per scope set until it expires. Credentials never appear in messages.

import type { Credentials } from '../config/auth-config.ts';
import { type AuthChallenge, parseAuthChallenges } from './auth-challenge.ts';
import { registryFailure, unauthorizedError } from './registry-errors.ts';
import type { Fetcher, HttpResponse } from './transport.ts';

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

function basicHeader(c: Credentials): string {
  const bytes = new TextEncoder().encode(`${c.username}:${c.password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

export class Authorizer {
  private challenge: AuthChallenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly fetcher: Fetcher,
    /** The registry as the user names it (`docker.io`, `127.0.0.1:5000`), for messages and credentials. */
    readonly registry: string,
    private readonly credentials: Credentials | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Authorization header for a request needing `scopes`, if the scheme is already known. */
  async header(scopes: readonly string[]): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') return this.credentials ? basicHeader(this.credentials) : undefined;
    if (ch.scheme === 'bearer') {
      const key = scopeKey(scopes);
      const cached = this.tokens.get(key);
      if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
      return `Bearer ${(await this.fetchToken(ch, scopes)).token}`;
    }
    return undefined;
  }

  /**
   * Learns from a 401 response. Returns true when one retry with a fresh `header()` may succeed;
   * false when it cannot (no credentials for Basic, or the same credentials were already refused).
   */
  async handleUnauthorized(res: HttpResponse, scopes: readonly string[], hadAuth: boolean): Promise<boolean> {
    const header = res.headers.get('www-authenticate') ?? '';
    const challenges = parseAuthChallenges(header);
    const chosen =
      challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!chosen) return false;
    this.challenge = chosen;
    if (chosen.scheme === 'basic') return !!this.credentials && !hadAuth;
    // Bearer: a refused token (expired early, or too narrow) is dropped; the caller retries once.
    this.tokens.delete(scopeKey(scopes));
    return true;
  }

  private fetchToken(ch: AuthChallenge, scopes: readonly string[]): Promise<CachedToken> {
    const key = scopeKey(scopes);
    let p = this.pending.get(key);
    if (!p) {
      p = this.requestToken(ch, scopes).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async requestToken(ch: AuthChallenge, scopes: readonly string[]): Promise<CachedToken> {
    const realm = ch.params.realm;
    if (!realm) throw registryFailure(`${this.registry}: bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch (e) {
      throw registryFailure(`${this.registry}: invalid token realm "${realm}"`, e);
    }
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    const wanted = scopes.length > 0 ? scopes : ch.params.scope ? ch.params.scope.split(' ') : [];
    for (const s of wanted) url.searchParams.append('scope', s);
    if (this.credentials) url.searchParams.set('account', this.credentials.username);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.credentials) headers.Authorization = basicHeader(this.credentials);
    let res: HttpResponse;
    try {
      res = await this.fetcher(url.toString(), { headers });
    } catch (e) {
      throw registryFailure(`${this.registry}: token service ${url.host} unreachable: ${causeText(e)}`, e);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw unauthorizedError(
        this.registry,
        this.credentials ? 'incorrect username or password' : 'authentication required',
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw registryFailure(`${this.registry}: token service answered ${res.status} ${res.statusText}`);
    }
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = (await res.json()) as typeof body;
    } catch (e) {
      throw registryFailure(`${this.registry}: token service sent invalid JSON`, e);
    }
    const token = body.token || body.access_token;
    if (!token) throw registryFailure(`${this.registry}: token service sent no token`);
    // The spec's default lifetime is 60 s; renew a little early.
    const lifetime = Math.max(10, typeof body.expires_in === 'number' ? body.expires_in : 60);
    const cached = { token, expiresAt: this.now() + (lifetime - 5) * 1000 };
    this.tokens.set(scopeKey(scopes), cached);
    return cached;
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

export function causeText(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return err?.message ?? String(e);
}
