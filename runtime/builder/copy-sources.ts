// The files a COPY or ADD takes, read from the build context, another stage or an image: sources
// matched like Docker (Go filepath.Match globs per path, a directory's contents, the top-level
// symlink followed), kept as a flat list so they can be hashed for the cache before any write.

import { FsError } from '../../overlay/types.ts';
import type { Vfs } from '../../overlay/vfs.ts';
import { readWholeFile } from '../containers/container-fs.ts';
import { createSha256 } from '../oci/digest.ts';

export interface CopyItem {
  /** Path relative to the destination ('' is the destination itself). */
  rel: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeNs: bigint;
  data?: Uint8Array;
  linkname?: string;
}

export interface CopySource {
  /** The source as written. */
  pattern: string;
  /** Matched paths and what to copy for each (a file: one item with rel = its base name). */
  matches: { path: string; isDir: boolean; items: CopyItem[] }[];
}

export class CopySourceError extends Error {
  readonly code = 'BERTH_COPY_SOURCE' as const;
}

/** Go's filepath.Match as a RegExp: `*` and `?` never cross '/'. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasGlob = (s: string) => /[*?[]/.test(s);

/** A source path cleaned inside the root; undefined when it climbs out of it. */
export function cleanInside(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return `/${out.join('/')}`;
}

function walk(vfs: Vfs, path: string, rel: string, items: CopyItem[]): void {
  const entries = vfs.readdir(path);
  if (entries instanceof FsError) return;
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path === '/' ? `/${e.name}` : `${path}/${e.name}`;
    const r = rel ? `${rel}/${e.name}` : e.name;
    item(vfs, p, r, false, items);
  }
}

function item(vfs: Vfs, path: string, rel: string, follow: boolean, items: CopyItem[]): void {
  const st = vfs.stat(path, follow);
  if (st instanceof FsError) return;
  const base = { rel, mode: st.mode & 0o7777, mtimeNs: st.mtimeNs };
  if (st.type === 'dir') {
    items.push({ ...base, type: 'dir' });
    walk(vfs, path, rel, items);
  } else if (st.type === 'symlink') {
    const target = vfs.readlink(path);
    if (!(target instanceof FsError)) items.push({ ...base, type: 'symlink', linkname: target });
  } else if (st.type === 'file') {
    const data = readWholeFile(vfs, path);
    if (!(data instanceof FsError)) items.push({ ...base, type: 'file', data });
  }
}

/** Paths under `dir` matching a glob pattern, component by component. */
function globMatches(vfs: Vfs, pattern: string): string[] {
  let current = ['/'];
  for (const part of pattern.split('/').filter((p) => p !== '' && p !== '.')) {
    const next: string[] = [];
    for (const dir of current) {
      if (!hasGlob(part)) {
        const p = dir === '/' ? `/${part}` : `${dir}/${part}`;
        if (!(vfs.stat(p, false) instanceof FsError)) next.push(p);
        continue;
      }
      const entries = vfs.readdir(dir);
      if (entries instanceof FsError) continue;
      const re = globToRegExp(part);
      for (const e of entries)
        if (re.test(e.name)) next.push(dir === '/' ? `/${e.name}` : `${dir}/${e.name}`);
    }
    current = next.sort();
  }
  return current;
}

/**
 * Resolves COPY sources in `vfs` (the context or a stage's root). `where` words the error:
 * "build context" or "stage build". Missing sources and paths outside the root are errors.
 */
export function resolveSources(vfs: Vfs, patterns: string[], where: string): CopySource[] {
  return patterns.map((pattern) => {
    const clean = cleanInside(pattern);
    if (clean === undefined) throw new CopySourceError(`forbidden path outside the ${where}: ${pattern}`);
    const paths = hasGlob(clean)
      ? globMatches(vfs, clean)
      : vfs.stat(clean, true) instanceof FsError
        ? []
        : [clean];
    if (paths.length === 0) {
      throw new CopySourceError(
        where === 'build context'
          ? `"${pattern}" not found: file not found in build context or excluded by .dockerignore`
          : `"${pattern}" not found in ${where}`,
      );
    }
    return {
      pattern,
      matches: paths.map((path) => {
        const items: CopyItem[] = [];
        const st = vfs.stat(path, true);
        const isDir = !(st instanceof FsError) && st.type === 'dir';
        if (isDir) {
          walk(vfs, path, '', items);
        } else item(vfs, path, path.slice(path.lastIndexOf('/') + 1), true, items);
        return { path, isDir, items };
      }),
    };
  });
}

/** A digest of what a COPY would write: names, types, modes and bytes (not mtimes). */
export function sourcesDigest(sources: CopySource[]): string {
  const h = createSha256();
  const enc = new TextEncoder();
  for (const s of sources) {
    for (const m of s.matches) {
      h.update(enc.encode(`match ${m.path} ${m.isDir}\n`));
      for (const it of m.items) {
        h.update(
          enc.encode(
            `${it.type} ${it.rel} ${it.mode.toString(8)} ${it.data?.length ?? 0} ${it.linkname ?? ''}\n`,
          ),
        );
        if (it.data) h.update(it.data);
      }
    }
  }
  return `sha256:${h.hex()}`;
}
