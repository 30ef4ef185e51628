// cp, diff, commit and export on the command line: host files and tars in, tars and files out.

import * as fs from 'node:fs';
import { basename, join } from 'node:path';
import { readTar } from '../../overlay/tar-read.ts';
import { type TarWriteEntry, writeTar } from '../../overlay/tar-write.ts';
import { UsageError } from '../../runtime/errors.ts';
import { type Opts, engine, list, out, str } from './context.ts';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function hostEntries(path: string, name: string): TarWriteEntry[] {
  const st = fs.lstatSync(path);
  const base = {
    name,
    mode: st.mode & 0o7777,
    uid: 0,
    gid: 0,
    mtimeNs: BigInt(Math.floor(st.mtimeMs)) * 1_000_000n,
  };
  if (st.isSymbolicLink()) return [{ ...base, type: 'symlink', linkname: fs.readlinkSync(path) }];
  if (st.isDirectory()) {
    return [
      { ...base, type: 'dir' },
      ...fs
        .readdirSync(path)
        .sort()
        .flatMap((n) => hostEntries(join(path, n), `${name}/${n}`)),
    ];
  }
  return [{ ...base, type: 'file', data: new Uint8Array(fs.readFileSync(path)) }];
}

async function extractTo(tar: Uint8Array, dest: string): Promise<void> {
  const intoDir = fs.existsSync(dest) && fs.statSync(dest).isDirectory();
  for (const e of await readTar(tar)) {
    if (e.parts.length === 0) continue;
    const rel = intoDir ? e.parts : e.parts.slice(1);
    const path = join(dest, ...rel);
    if (e.type === 'dir') fs.mkdirSync(path, { recursive: true, mode: e.mode });
    else if (e.type === 'symlink') {
      fs.rmSync(path, { force: true });
      fs.symlinkSync(e.linkname, path);
    } else if (e.type === 'file') {
      fs.writeFileSync(path, e.data, { mode: e.mode });
      fs.chmodSync(path, e.mode & 0o7777);
    }
  }
}

const splitContainerPath = (arg: string): [string, string] | undefined => {
  const m = /^([^:/][^:]*):(.*)$/.exec(arg);
  return m ? [m[1]!, m[2] || '/'] : undefined;
};

export async function cp(args: string[]): Promise<number> {
  const e = await engine();
  const { copyFromContainer, copyIntoContainer } = await import(
    '../../runtime/containers/container-layer-ops.ts'
  );
  const [src, dest] = args as [string, string];
  const from = splitContainerPath(src);
  const to = splitContainerPath(dest);
  if ((from && to) || (!from && !to)) {
    throw new UsageError(
      'copying between containers is not supported; one of the paths must be CONTAINER:PATH',
    );
  }
  if (from) {
    const tar = await copyFromContainer(e.ctx, from[0], from[1]);
    if (dest === '-') process.stdout.write(tar);
    else await extractTo(tar, dest);
    return 0;
  }
  const tar =
    src === '-'
      ? await readStdin()
      : await (() => {
          if (!fs.existsSync(src)) throw new UsageError(`lstat ${src}: no such file or directory`);
          return writeTar(hostEntries(src, basename(src)));
        })();
  await copyIntoContainer(e.ctx, to![0], to![1], tar);
  return 0;
}

export async function diff(args: string[]): Promise<number> {
  const e = await engine();
  const { diffContainer } = await import('../../runtime/containers/container-layer-ops.ts');
  for (const c of await diffContainer(e.ctx, args[0]!)) out(`${c.kind} ${c.path}\n`);
  return 0;
}

/** Dockerfile instructions of `--change` that make sense for a committed image. */
export function parseChanges(changes: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const words = (rest: string) =>
    rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : ['/bin/sh', '-c', rest.trim()];
  for (const change of changes) {
    const m = /^\s*(\w+)\s+(.*)$/s.exec(change);
    if (!m) throw new UsageError(`invalid change: ${change}`);
    const [, instr, rest] = m as unknown as [string, string, string];
    switch (instr.toUpperCase()) {
      case 'CMD':
        config.Cmd = words(rest);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = words(rest);
        break;
      case 'WORKDIR':
        config.WorkingDir = rest.trim();
        break;
      case 'USER':
        config.User = rest.trim();
        break;
      case 'ENV': {
        const env = (config.Env as string[] | undefined) ?? [];
        const kv = rest.includes('=') ? rest.trim() : rest.trim().replace(/\s+/, '=');
        config.Env = [...env, kv];
        break;
      }
      case 'LABEL': {
        const [k, ...v] = rest.trim().split('=');
        config.Labels = { ...((config.Labels as object) ?? {}), [k!]: v.join('=').replace(/^"|"$/g, '') };
        break;
      }
      case 'EXPOSE':
        config.ExposedPorts = Object.fromEntries(
          rest
            .trim()
            .split(/\s+/)
            .map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]),
        );
        break;
      default:
        throw new UsageError(`${instr} is not a valid change command`);
    }
  }
  return config;
}

export async function commit(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const { commitContainer } = await import('../../runtime/containers/container-layer-ops.ts');
  const image = await commitContainer(e.ctx, args[0]!, {
    repository: args[1],
    author: str(o.author),
    message: str(o.message),
    config: parseChanges(list(o.change)),
  });
  out(`${image.id}\n`);
  return 0;
}

export async function exportContainer(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const { exportContainer: exportTar } = await import('../../runtime/containers/container-layer-ops.ts');
  const tar = await exportTar(e.ctx, args[0]!);
  const output = str(o.output);
  if (output) fs.writeFileSync(output, tar);
  else if (process.stdout.isTTY)
    throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  else process.stdout.write(tar);
  return 0;
}
