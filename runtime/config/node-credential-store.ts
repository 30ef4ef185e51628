// Registry credentials on disk (Node): berth's own auth.json (written with mode 0600, atomically),
// then Docker's ~/.docker/config.json (read only). Secrets are never logged.
import { promises as fsp, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type AuthConfigDocument,
  type Credentials,
  type CredentialStore,
  findCredentials,
  parseAuthConfig,
  withCredentials,
  withoutCredentials,
} from './auth-config.ts';
import { berthAuthPath, dockerConfigPath, type Env } from './node-config-paths.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

// Read synchronously (small files, read before a pull's first request: an awaited read is loop
// turns through libuv's pool); node:crypto and fs.promises load only when credentials are written.
function readDoc(path: string): AuthConfigDocument {
  try {
    return parseAuthConfig(readFileSync(path, 'utf8'), path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

async function writeDocPrivate(path: string, doc: AuthConfigDocument): Promise<void> {
  const { randomBytes } = builtin('node:crypto');
  const { chmod, mkdir, open, rename, rm } = fsp;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(doc, null, '\t')}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await chmod(tmp, 0o600); // the umask cannot widen it, but be explicit
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export class NodeCredentialStore implements CredentialStore {
  readonly path: string;
  readonly dockerPath: string;
  constructor(env: Env = process.env) {
    this.path = berthAuthPath(env);
    this.dockerPath = dockerConfigPath(env);
  }

  async get(server: string): Promise<Credentials | undefined> {
    const own = findCredentials(readDoc(this.path), server);
    if (own) return own;
    // A broken Docker file must not stop berth: it is someone else's.
    let docker: AuthConfigDocument = {};
    try {
      docker = readDoc(this.dockerPath);
    } catch {}
    return findCredentials(docker, server);
  }

  async save(server: string, creds: Credentials): Promise<void> {
    await writeDocPrivate(this.path, withCredentials(readDoc(this.path), server, creds));
  }

  async remove(server: string): Promise<boolean> {
    const [doc, removed] = withoutCredentials(readDoc(this.path), server);
    if (removed) await writeDocPrivate(this.path, doc);
    return removed;
  }
}
