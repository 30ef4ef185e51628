import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCredentialStore } from '../../runtime/config/auth-config.ts';
import { parseReference } from '../../runtime/oci/reference.ts';
import { pullImage } from '../../runtime/registry/pull.ts';
import { pushImage } from '../../runtime/registry/push.ts';
import { type RegistryServer, startRegistry } from '../helpers/registry-server.ts';
import { context, seededStore, stores } from './harness.ts';
import { buildImage } from './image-fixtures.ts';
import { startTokenService, type TokenService } from './token-service.ts';

const SECRET = 's3cret-Pa55';

async function creds(server: string, username: string, password: string) {
  const store = new MemoryCredentialStore();
  await store.save(server, { username, password });
  return store;
}

function local(img: ReturnType<typeof buildImage>) {
  return {
    manifest: img.manifest,
    manifestBytes: img.manifestBytes,
    manifestMediaType: img.manifest.mediaType!,
  };
}

describe('basic auth (htpasswd)', () => {
  let reg: RegistryServer;
  beforeAll(async () => {
    reg = await startRegistry({ users: { alice: SECRET } });
  });
  afterAll(async () => reg?.stop());

  it('pushes and pulls with the right password', async () => {
    const img = buildImage();
    const ctx = context({ credentials: await creds(reg.host, 'alice', SECRET) });
    const ref = parseReference(`${reg.host}/alice/app:1`);
    await pushImage(ctx, ref, local(img), await seededStore(img));
    const pulled = await pullImage(ctx, ref, stores());
    expect(pulled.manifestDigest).toBe(img.manifestDigest);
  });

  it('refuses a wrong password with a clear unauthorized message that hides the secret', async () => {
    const img = buildImage();
    const ctx = context({ credentials: await creds(reg.host, 'alice', 'wrong-password') });
    const err = await pushImage(
      ctx,
      parseReference(`${reg.host}/alice/app:2`),
      local(img),
      await seededStore(img),
    ).catch((e) => e);
    expect(err.code).toBe('BERTH_REGISTRY');
    expect(err.message).toMatch(/unauthorized: authentication required/);
    expect(err.message).not.toContain('wrong-password');
  });

  it('refuses an anonymous pull', async () => {
    const err = await pullImage(context(), parseReference(`${reg.host}/alice/app:1`), stores()).catch(
      (e) => e,
    );
    expect(err.message).toMatch(/unauthorized/);
  });
});

describe('bearer tokens from a token service', () => {
  let tokens: TokenService;
  let reg: RegistryServer;
  beforeAll(async () => {
    tokens = await startTokenService({ bob: SECRET });
    reg = await startRegistry({ token: tokens });
  });
  afterAll(async () => {
    await reg?.stop();
    await tokens?.stop();
  });

  it('gets tokens scoped per repository and round-trips an image', async () => {
    const img = buildImage();
    const ctx = context({ credentials: await creds(reg.host, 'bob', SECRET) });
    const ref = parseReference(`${reg.host}/bob/app:1`);
    await pushImage(ctx, ref, local(img), await seededStore(img));
    const pulled = await pullImage(ctx, ref, stores());
    expect(pulled.manifestDigest).toBe(img.manifestDigest);
    const scopes = tokens.requests.flatMap((r) => r.scopes);
    expect(scopes).toContain('repository:bob/app:pull,push');
    expect(scopes).toContain('repository:bob/app:pull');
    expect(tokens.requests.every((r) => r.service === tokens.service)).toBe(true);
    // Tokens are cached: far fewer token requests than registry requests.
    expect(tokens.requests.length).toBeLessThanOrEqual(3);
  });

  it('reports a refused login as unauthorized without the password', async () => {
    const ctx = context({ credentials: await creds(reg.host, 'bob', 'nope-nope') });
    const err = await pullImage(ctx, parseReference(`${reg.host}/bob/app:1`), stores()).catch((e) => e);
    expect(err.message).toBe(`${reg.host}: unauthorized: incorrect username or password`);
  });

  it('anonymous tokens carry no access: unauthorized', async () => {
    const err = await pullImage(context(), parseReference(`${reg.host}/bob/app:1`), stores()).catch((e) => e);
    expect(err.message).toMatch(/unauthorized/);
  });
});
