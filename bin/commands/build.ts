// `berth build`: reads the Dockerfile and context (a directory, a tar, or `-` for a Dockerfile on
// stdin), runs the builder and shows BuildKit-style progress: redrawn live on a TTY, plain lines
// otherwise (or with --progress=plain); -q prints only the image ID.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ProgressEvent } from '../../runtime/builder/progress.ts';
import { UsageError } from '../../runtime/errors.ts';
import { engine, err, list, type Opts, out, reportError, str } from './context.ts';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function pairs(values: string[], what: string, fromEnv: boolean): Record<string, string> {
  const outMap: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i === 0) throw new UsageError(`invalid ${what}: ${v}`, { exitCode: 125 });
    if (i < 0) {
      // Docker: `--build-arg NAME` takes NAME from the environment, when set there.
      const env = fromEnv ? process.env[v] : '';
      if (env !== undefined) outMap[v] = env;
    } else outMap[v.slice(0, i)] = v.slice(i + 1);
  }
  return outMap;
}

/** A live view for terminals: one line per vertex, redrawn in place, output only on failure. */
function ttyRenderer(write: (s: string) => void): { sink: (e: ProgressEvent) => void; end(): void } {
  const lines = new Map<number, { name: string; status: string; start: number }>();
  const logs = new Map<number, string>();
  let drawn = 0;
  const started = Date.now();
  const draw = () => {
    let s = drawn ? `\x1b[${drawn}A` : '';
    const all = [...lines.entries()];
    s += `\x1b[2K[+] Building ${((Date.now() - started) / 1000).toFixed(1)}s (${all.filter(([, l]) => l.status !== 'running').length}/${all.length})\n`;
    for (const [id, l] of all) {
      const t = l.status === 'running' ? ((Date.now() - l.start) / 1000).toFixed(1) + 's' : l.status;
      s += `\x1b[2K => ${l.status === 'CACHED' ? 'CACHED ' : ''}#${id} ${l.name} ${l.status === 'CACHED' ? '' : t}\n`;
    }
    drawn = all.length + 1;
    write(s);
  };
  return {
    sink: (e) => {
      if (e.type === 'start') lines.set(e.id, { name: e.name, status: 'running', start: e.at });
      else if (e.type === 'cached') lines.get(e.id)!.status = 'CACHED';
      else if (e.type === 'done') {
        const l = lines.get(e.id)!;
        l.status = `${((e.at - l.start) / 1000).toFixed(1)}s`;
      } else if (e.type === 'error') {
        const l = lines.get(e.id)!;
        l.status = 'ERROR';
        draw();
        const text = logs.get(e.id);
        if (text) write(text.replace(/^/gm, `#${e.id} `).replace(/#\d+ $/, ''));
        return;
      } else if (e.type === 'log') logs.set(e.id, (logs.get(e.id) ?? '') + e.text);
      else if (e.type === 'note') write(`${e.text}\n`);
      draw();
    },
    end: () => draw(),
  };
}

export async function build(args: string[], opts: Opts): Promise<number> {
  const contextArg = args[0];
  if (contextArg === undefined) {
    err('berth: "build" requires exactly 1 argument.\nSee \'berth build --help\'.\n');
    return 1;
  }
  try {
    const { contextFromDirectory, contextFromTar, dockerfileIn, emptyContext } = await import(
      '../../runtime/builder/node-build-context.ts'
    );
    const fileOpt = str(opts.file);
    /** The Dockerfile of a context given as a tar. */
    const inTar = (context: Awaited<ReturnType<typeof contextFromTar>>): string => {
      const text = dockerfileIn(context, fileOpt ?? 'Dockerfile');
      if (text === undefined)
        throw new UsageError(`Cannot locate specified Dockerfile: ${fileOpt ?? 'Dockerfile'}`, {
          exitCode: 1,
        });
      return text;
    };
    let dockerfile: string;
    let context: Awaited<ReturnType<typeof contextFromDirectory>>;
    let fileName = 'Dockerfile';
    if (contextArg === '-') {
      const bytes = await readStdin();
      const isTar = bytes.length >= 512 && bytes.subarray(257, 262).toString() === 'ustar';
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
      if (isTar || gz) {
        context = await contextFromTar(bytes);
        dockerfile = inTar(context);
      } else {
        dockerfile = bytes.toString('utf8');
        context = emptyContext();
      }
    } else if (existsSync(contextArg) && statSync(contextArg).isFile()) {
      context = await contextFromTar(await readFile(contextArg));
      dockerfile = inTar(context);
    } else {
      if (!existsSync(contextArg))
        throw new UsageError(`unable to prepare context: path "${contextArg}" not found`, { exitCode: 1 });
      const path = fileOpt === '-' ? undefined : resolve(fileOpt ?? join(contextArg, 'Dockerfile'));
      if (path && !existsSync(path))
        throw new UsageError(
          `failed to read dockerfile: open ${fileOpt ?? 'Dockerfile'}: no such file or directory`,
          { exitCode: 1 },
        );
      dockerfile = path ? readFileSync(path, 'utf8') : (await readStdin()).toString('utf8');
      if (fileOpt && fileOpt !== '-') fileName = fileOpt.slice(fileOpt.lastIndexOf('/') + 1);
      context = await contextFromDirectory(contextArg);
    }
    const tags = list(opts.tag);
    const { parseReference } = await import('../../runtime/oci/reference.ts');
    for (const t of tags) {
      try {
        parseReference(t);
      } catch {
        throw new UsageError(`invalid argument "${t}" for "-t, --tag" flag: invalid reference format`, {
          exitCode: 125,
        });
      }
    }
    const quiet = opts.quiet === true;
    const mode = str(opts.progress) ?? 'auto';
    const tty = !quiet && mode !== 'plain' && (mode === 'tty' || process.stderr.isTTY === true);
    const { plainRenderer } = await import('../../runtime/builder/progress.ts');
    const plain = plainRenderer();
    const live = tty ? ttyRenderer((s) => process.stderr.write(s)) : undefined;
    const failedLogs = new Map<number, string>();
    const sink = (e: ProgressEvent) => {
      if (quiet) {
        if (e.type === 'log') failedLogs.set(e.id, (failedLogs.get(e.id) ?? '') + e.text);
        return;
      }
      if (live) live.sink(e);
      else process.stderr.write(plain(e));
    };
    const e = await engine();
    const { build: runBuild } = await import('../../runtime/builder/builder.ts');
    const { nodeBuildDeps } = await import('../../runtime/builder/node-builder.ts');
    const deps = nodeBuildDeps(e.root, e.images.store, {
      pull: async (ref) => {
        const { pullForRun } = await import('./registry.ts');
        await pullForRun(ref, { reason: opts.pull === true ? 'always' : 'missing', shown: ref });
        return e.images.store.resolve(ref);
      },
    });
    const started = Date.now();
    try {
      const result = await runBuild(
        deps,
        {
          dockerfile,
          file: fileName,
          context,
          tags,
          buildArgs: pairs(list(opts.buildArg), 'build arg', true),
          labels: pairs(list(opts.label), 'label', false),
          ...(str(opts.target) ? { target: str(opts.target)! } : {}),
          noCache: opts.cache === false,
          pull: opts.pull === true,
        },
        sink,
      );
      live?.end();
      for (const w of result.warnings) err(`${w}\n`);
      if (quiet) out(`${result.id}\n`);
      else if (process.env.BERTH_BUILD_TIMING) err(`build took ${Date.now() - started} ms\n`);
      return 0;
    } catch (error) {
      live?.end();
      const output = (error as { output?: string }).output;
      if (quiet && output) err(output.endsWith('\n') || output === '' ? output : `${output}\n`);
      return reportError(error);
    } finally {
      const { closeProcessPool } = await import('../../runtime/run-wasm.ts');
      await closeProcessPool();
    }
  } catch (error) {
    return reportError(error);
  }
}
