// A Docker Hub-style token service for tests: the real docker-registry (auth: token) trusts the
// self-signed certificate made here, and this server issues ES256 JWTs (x5c header) for the
// scopes asked, to users with the right password. It is a peer the registry verifies, not a mock.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenService {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly rootCertPath: string;
  /** Every token request seen: scopes, service, and the user (never the password). */
  readonly requests: { scopes: string[]; service: string | null; user: string | undefined }[];
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenService(users: Record<string, string>): Promise<TokenService> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-token-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=berth-test-token',
    ],
    { stdio: 'ignore' },
  );
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = new X509Certificate(readFileSync(certPath)).raw;
  const service = 'berth-test-registry';
  const issuer = 'berth-test-issuer';
  const requests: TokenService['requests'] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (users[u!] !== rest.join(':')) {
        requests.push({ scopes, service: url.searchParams.get('service'), user: u });
        res
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end('{"details":"incorrect username or password"}');
        return;
      }
      user = u;
    }
    requests.push({ scopes, service: url.searchParams.get('service'), user });
    const access = user
      ? scopes.map((s) => {
          const [type, ...mid] = s.split(':');
          const actions = mid.pop()!.split(',');
          return { type, name: mid.join(':'), actions };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${signingInput}.${b64url(sig)}`;
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ token, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertPath: certPath,
    requests,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
