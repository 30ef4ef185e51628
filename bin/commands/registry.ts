// pull, push, login, logout, manifest inspect, and the pull `run`/`create` do for a missing image.
// Registry failures exit 1 like Docker's pull/push/login; progress is Docker's jsonmessage output.

import type { RegistryCommands } from '../../runtime/registry/commands.ts';
import type { ProgressSink } from '../../runtime/registry/progress.ts';
import { type Opts, engine, err, out, reportError, str } from './context.ts';
import { builtin } from '../../shims/platform/node/builtin.ts';

let opened: Promise<RegistryCommands> | undefined;

/**
 * The registry client. `run`'s pull shares the CLI engine's image store (one store, one index
 * cache); the registry verbs open only the image store, so they skip loading the engine.
 */
function registry(shareEngine = false): Promise<RegistryCommands> {
  opened ??= (async () => {
    const [{ openNodeRegistryCommands }, e] = await Promise.all([
      import('../../runtime/registry/node-registry-commands.ts'),
      shareEngine ? engine() : undefined,
    ]);
    return openNodeRegistryCommands(e ? { images: e.images.store } : {});
  })();
  return opened;
}

async function renderer(stream: NodeJS.WriteStream, quiet: boolean): Promise<ProgressSink> {
  const { createProgressRenderer } = await import('../../runtime/registry/progress.ts');
  return createProgressRenderer(
    { write: (s) => void stream.write(s), isTTY: stream.isTTY === true },
    { quiet },
  );
}

/** Docker's pull/push/login print the error and exit 1, not the engine's 125. */
function failed(e: unknown): number {
  reportError(e);
  return 1;
}

async function guarded(fn: () => Promise<void>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (e) {
    return failed(e);
  }
}

export async function pull(args: string[], o: Opts): Promise<number> {
  const quiet = o.quiet === true;
  const platform = str(o.platform);
  const rc = await registry();
  const sink = await renderer(process.stdout, quiet);
  return guarded(async () => {
    if (!o.allTags) {
      const res = await rc.pull(args[0]!, { platform }, sink);
      out(`${res.canonical}\n`);
      return;
    }
    const { parseReference, canonicalName, familiarName } = await import('../../runtime/oci/reference.ts');
    const { UsageError } = await import('../../runtime/errors.ts');
    const ref = parseReference(args[0]!, { defaultTag: false });
    if (ref.tag !== undefined || ref.digest !== undefined)
      throw new UsageError("tag can't be used with --all-tags/-a");
    // One Status line for the whole repository, as Docker's daemon writes it.
    let downloaded = false;
    const perTag: ProgressSink = (e) => {
      if (e.kind !== 'message' || !e.text.startsWith('Status: ')) sink(e);
    };
    for (const tag of await rc.tags(args[0]!)) {
      const res = await rc.pull(`${canonicalName(ref)}:${tag}`, { platform }, perTag);
      downloaded ||= res.downloaded;
    }
    const name = familiarName(ref);
    sink({
      kind: 'message',
      text: downloaded
        ? `Status: Downloaded newer image for ${name}`
        : `Status: Image is up to date for ${name}`,
    });
    out(`${canonicalName(ref)}\n`);
  });
}

export async function push(args: string[], o: Opts): Promise<number> {
  const quiet = o.quiet === true;
  const rc = await registry();
  const sink = await renderer(process.stdout, quiet);
  return guarded(async () => {
    const res = await rc.push(args[0]!, {}, sink);
    if (quiet) out(`${res.canonical}\n`);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal; with `hidden` nothing typed is echoed (a password). */
function prompt(question: string, hidden: boolean): Promise<string> {
  // Loaded here: only `login` at a terminal prompts, and every pull would pay for them.
  const { Writable } = builtin('node:stream');
  const { createInterface } = builtin('node:readline');
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stdout.write('\n');
      resolve(answer);
    });
    muted = hidden;
  });
}

export async function login(args: string[], o: Opts): Promise<number> {
  const server = args[0];
  let username = str(o.username);
  let password = str(o.password);
  if (password !== undefined)
    err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  return guarded(async () => {
    const { UsageError } = await import('../../runtime/errors.ts');
    if (password !== undefined && o.passwordStdin)
      throw new UsageError('--password and --password-stdin are mutually exclusive');
    if (o.passwordStdin) {
      if (!username) throw new UsageError('Must provide --username with --password-stdin');
      password = (await readStdin()).replace(/\r?\n$/, '');
    }
    const rc = await registry();
    const { registryOfServer } = await import('../../runtime/registry/commands.ts');
    if (username === undefined && password === undefined) {
      // Stored credentials are tried first, as Docker does.
      const stored = await rc.credentials.get(registryOfServer(server));
      if (stored?.username && stored.password) {
        out('Authenticating with existing credentials...\n');
        out(`${await rc.login(server, stored.username, stored.password)}\n`);
        return;
      }
    }
    if (username === undefined || password === undefined) {
      if (!process.stdin.isTTY)
        throw new UsageError('Error: Cannot perform an interactive login from a non TTY device');
      username ??= (await prompt('Username: ', false)).trim();
      password ??= await prompt('Password: ', true);
    }
    out(`${await rc.login(server, username, password)}\n`);
  });
}

export async function logout(args: string[]): Promise<number> {
  const rc = await registry();
  return guarded(async () => {
    out(`${await rc.logout(args[0])}\n`);
  });
}

export async function manifestInspect(args: string[]): Promise<number> {
  const rc = await registry();
  return guarded(async () => {
    out(`${await rc.manifestInspect(args[args.length - 1]!)}\n`);
  });
}

/** The engine's puller for `run`/`create`: Docker's notice and pull progress, both on stderr. */
export async function pullForRun(
  _ref: string,
  o: { reason: 'missing' | 'always'; shown: string; platform?: string },
): Promise<void> {
  if (o.reason === 'missing') err(`Unable to find image '${o.shown}' locally\n`);
  const rc = await registry(true);
  // Docker's run pulls the normalised name (`nosuch:latest`), without "Using default tag".
  await rc.pull(o.shown, { platform: o.platform }, await renderer(process.stderr, false));
}
