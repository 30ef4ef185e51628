// The build context on Node: a directory (minus what .dockerignore excludes) or a tar, read into
// an in-memory tree the builder reads COPY sources from. Docker sends the same set to its daemon.

import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { applyTar } from '../../overlay/apply.ts';
import type { FileSystem } from '../../overlay/types.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import { readWholeFile, writeWholeFile } from '../containers/container-fs.ts';
import { gunzip, isGzip } from '../oci/gzip.ts';

// The package is CommonJS (module.exports = factory) while its types declare a default export.
const ignore = ((dockerignore as unknown as { default?: unknown }).default ??
  dockerignore) as unknown as typeof dockerignore.default;

export async function contextFromDirectory(dir: string): Promise<FileSystem> {
  const upper = new UpperLayer();
  const vfs = new Vfs(upper);
  let rules = '';
  try {
    rules = await readFile(join(dir, '.dockerignore'), 'utf8');
  } catch {
    // no .dockerignore
  }
  const ig = ignore().add(rules.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#')));
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const host = join(dir, r);
      const st = await lstat(host);
      const guest = `/${r}`;
      const mtime = BigInt(Math.trunc(st.mtimeMs)) * 1_000_000n;
      if (st.isDirectory()) {
        // An excluded directory may still have re-included children (`!dir/keep`): walk it anyway.
        if (!ig.ignores(r)) vfs.mkdir(guest, st.mode & 0o7777);
        else vfs.mkdir(guest, st.mode & 0o7777);
        await walk(r);
        if (ig.ignores(r) && (vfs.readdir(guest) as unknown[]).length === 0) vfs.rmdir(guest);
        else vfs.utimes(guest, mtime, mtime, false);
        continue;
      }
      if (ig.ignores(r)) continue;
      if (st.isSymbolicLink()) vfs.symlink(await readlink(host), guest);
      else if (st.isFile()) {
        writeWholeFile(vfs, guest, await readFile(host), st.mode & 0o7777);
        vfs.utimes(guest, mtime, mtime, false);
      }
    }
  };
  await walk('');
  return upper;
}

/** A context sent as a tar (plain or gzip), as `docker build - < ctx.tar` does. */
export async function contextFromTar(bytes: Uint8Array): Promise<FileSystem> {
  const upper = new UpperLayer();
  await applyTar(isGzip(bytes) ? await gunzip(bytes) : bytes, upper);
  return upper;
}

export function emptyContext(): FileSystem {
  return new UpperLayer();
}

/** The Dockerfile `file` (a path from the context's root) inside a context that came as a tar. */
export function dockerfileIn(context: FileSystem, file: string): string | undefined {
  const data = readWholeFile(new Vfs(context), `/${file.replace(/^\/+/, '')}`);
  return 'code' in data ? undefined : new TextDecoder().decode(data);
}
