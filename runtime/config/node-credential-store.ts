// Registry credentials on disk (Node): berth's own auth.json (written with mode 0600, atomically),
// then Docker's ~/.docker/config.json (read only). Secrets are never logged.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
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

async function readDoc(path: string): Promise<AuthConfigDocument> {
  try {
    return parseAuthConfig(await readFile(path, 'utf8'), path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

async function writeDocPrivate(path: string, doc: AuthConfigDocument): Promise<void> {
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
    const own = findCredentials(await readDoc(this.path), server);
    if (own) return own;
    // A broken Docker file must not stop berth: it is someone else's.
    const docker = await readDoc(this.dockerPath).catch(() => ({}));
    return findCredentials(docker, server);
  }

  async save(server: string, creds: Credentials): Promise<void> {
    await writeDocPrivate(this.path, withCredentials(await readDoc(this.path), server, creds));
  }

  async remove(server: string): Promise<boolean> {
    const [doc, removed] = withoutCredentials(await readDoc(this.path), server);
    if (removed) await writeDocPrivate(this.path, doc);
    return removed;
  }
}
