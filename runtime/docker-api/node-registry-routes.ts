// The Docker Engine API's registry endpoints: pull (POST /images/create), push, and POST /auth.
// Progress goes out as Docker's JSON messages, so the docker CLI draws its own layer lines. The
// client's credentials come with each request (X-Registry-Auth) and are never stored here: the
// docker CLI keeps its logins in its own config.json.

import type { ServerResponse } from 'node:http';
import type { CredentialStore, Credentials } from '../config/auth-config.ts';
import { authKeyFor } from '../config/auth-config.ts';
import { isDigest } from '../oci/digest.ts';
import { familiarName, parseReference } from '../oci/reference.ts';
import { RegistryCommands } from '../registry/commands.ts';
import { type ProgressEvent, progressBar } from '../registry/progress.ts';
import {
  type ApiContext,
  type ApiRequest,
  ApiError,
  jsonLines,
  type Route,
  readJson,
  sendJson,
} from './node-api-http.ts';

/** The `X-Registry-Auth` header: base64url JSON of Docker's AuthConfig (`e30=` when logged out). */
export interface RegistryAuth {
  readonly server?: string;
  readonly credentials?: Credentials;
}

export function registryAuth(header: string | string[] | undefined): RegistryAuth {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return {};
  let doc: Record<string, unknown>;
  try {
    // Node's base64 decoder takes the URL-safe alphabet too, with or without padding.
    doc = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'invalid X-Registry-Auth header: not base64-encoded JSON');
  }
  const text = (k: string) => (typeof doc[k] === 'string' ? (doc[k] as string) : '');
  let username = text('username');
  let password = text('password');
  if (!username && text('auth')) {
    const pair = Buffer.from(text('auth'), 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    if (colon > 0) [username, password] = [pair.slice(0, colon), pair.slice(colon + 1)];
  }
  const server = text('serveraddress') || undefined;
  return username ? { server, credentials: { username, password } } : { server };
}

/**
 * The request's credentials first (for its server, or any when it names none), then what berth
 * has stored for this user. Saving does nothing: a login through the API is checked, not kept.
 */
class RequestCredentials implements CredentialStore {
  constructor(
    private readonly auth: RegistryAuth,
    private readonly stored: CredentialStore | undefined,
  ) {}

  async get(server: string): Promise<Credentials | undefined> {
    const { credentials, server: given } = this.auth;
    if (credentials && (!given || authKeyFor(given) === authKeyFor(server))) return credentials;
    return this.stored?.get(server);
  }

  async save(): Promise<void> {}

  async remove(): Promise<boolean> {
    return false;
  }
}

async function registryFor(ctx: ApiContext, auth: RegistryAuth): Promise<RegistryCommands> {
  const base = await ctx.registry();
  const credentials = new RequestCredentials(auth, base.credentials);
  return new RegistryCommands(base.context.withCredentials(credentials), base.images, credentials);
}

/**
 * Docker's JSON messages, started on the first one: an error before any progress is an HTTP
 * error (404 for an unknown image, as Docker answers); after, it ends the stream as an error line.
 */
function progressStream(res: ServerResponse) {
  let lines: ReturnType<typeof jsonLines> | undefined;
  const write = (message: object) => {
    lines ??= jsonLines(res);
    lines.write(message);
  };
  return {
    write,
    sink(event: ProgressEvent): void {
      if (event.kind === 'message') {
        // The docker CLI prints "Using default tag" itself; the daemon never sends it.
        if (event.text.startsWith('Using default tag: ')) return;
        const pulling = /^(\S+): (Pulling from .+)$/.exec(event.text);
        write(pulling ? { status: pulling[2], id: pulling[1] } : { status: event.text });
        return;
      }
      const { id, status, current, total } = event;
      if (current === undefined) write({ status, progressDetail: {}, id });
      else
        write({
          status,
          progressDetail: total ? { current, total } : { current },
          progress: progressBar(current, total),
          id,
        });
    },
    /** Ends the stream; an error is Docker's error message when the stream has begun. */
    end(error?: unknown): void {
      if (error !== undefined && !lines) throw error;
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        write({ errorDetail: { message }, error: message });
      }
      (lines ??= jsonLines(res)).end();
    },
  };
}

/** Aborts when the client goes away before the answer is complete. */
function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  return controller.signal;
}

/** `fromImage` with `tag` (a tag or, for a pull by digest, `sha256:…`), unless it names one itself. */
function pullReference(fromImage: string, tag: string): string {
  const ref = parseReference(fromImage, { defaultTag: false });
  if (ref.tag !== undefined || ref.digest !== undefined || !tag) return fromImage;
  return isDigest(tag) ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

const pull: Route['handle'] = async (ctx, req, res) => {
  const fromImage = req.query.get('fromImage');
  if (req.query.get('fromSrc') !== null)
    throw new ApiError(501, 'berth does not import images through the API (use `berth import`)');
  if (!fromImage) throw new ApiError(400, 'fromImage is required');
  const input = pullReference(fromImage, req.query.get('tag') ?? '');
  const registry = await registryFor(ctx, registryAuth(req.raw.headers['x-registry-auth']));
  const platform = req.query.get('platform') || undefined;
  const stream = progressStream(res);
  const signal = abortOnClose(res);
  try {
    await registry.pull(input, { ...(platform ? { platform } : {}), signal }, stream.sink);
  } catch (error) {
    stream.end(error);
    return;
  }
  stream.end();
};

/** The local tags of `name`'s repository: what `docker push --all-tags` (no tag) pushes. */
async function repositoryTags(ctx: ApiContext, name: string): Promise<string[]> {
  const repo = familiarName(parseReference(name, { defaultTag: false }));
  const tags = (await ctx.engine.images.list()).flatMap((i) => i.repoTags);
  return tags.filter((t) => t.slice(0, t.lastIndexOf(':')) === repo).sort();
}

const push: Route['handle'] = async (ctx, req, res, [name]) => {
  const tag = req.query.get('tag') ?? '';
  const parsed = parseReference(name!, { defaultTag: false });
  const targets =
    parsed.tag !== undefined || parsed.digest !== undefined
      ? [name!]
      : tag
        ? [`${name}:${tag}`]
        : await repositoryTags(ctx, name!);
  if (targets.length === 0) throw new ApiError(404, `An image does not exist locally with the tag: ${name}`);
  const registry = await registryFor(ctx, registryAuth(req.raw.headers['x-registry-auth']));
  const stream = progressStream(res);
  try {
    for (const target of targets) {
      const result = await registry.push(target, {}, stream.sink);
      const ref = parseReference(target);
      stream.write({
        progressDetail: {},
        aux: { Tag: ref.tag ?? '', Digest: result.digest, Size: result.size },
      });
    }
  } catch (error) {
    stream.end(error);
    return;
  }
  stream.end();
};

interface AuthBody {
  username?: string;
  password?: string;
  serveraddress?: string;
}

/** POST /auth: checks a login against the registry; the client stores it, berth does not. */
const auth: Route['handle'] = async (ctx, req: ApiRequest, res) => {
  const body = await readJson<AuthBody>(req.raw);
  const registry = await registryFor(ctx, {});
  try {
    await registry.login(body.serveraddress || undefined, body.username ?? '', body.password ?? '');
  } catch (error) {
    const message = (error as Error).message;
    if (/unauthorized|denied|incorrect username or password/i.test(message)) throw new ApiError(401, message);
    throw error;
  }
  sendJson(res, 200, { Status: 'Login Succeeded', IdentityToken: '' });
};

export const registryRoutes: Route[] = [
  { method: 'POST', pattern: /^\/images\/create$/, handle: pull },
  { method: 'POST', pattern: /^\/images\/(.+)\/push$/, handle: push },
  { method: 'POST', pattern: /^\/auth$/, handle: auth },
];
