// Writes COPY/ADD sources into a stage's filesystem with Docker's destination rules: a directory
// source copies its contents, a file goes into the destination when it is a directory (ends in
// '/', already a directory, or several sources), missing parents are made, mtimes are kept.

import { FsError } from '../../overlay/types.ts';
import type { Vfs } from '../../overlay/vfs.ts';
import { readTar } from '../../overlay/tar-read.ts';
import { writeWholeFile } from '../containers/container-fs.ts';
import { gunzip, isGzip } from '../oci/gzip.ts';
import type { CopyItem, CopySource } from './copy-sources.ts';

export class CopyApplyError extends Error {
  readonly code = 'BERTH_COPY' as const;
}

export interface CopyOwnership {
  uid?: number;
  gid?: number;
  /** --chmod, applied to files and directories copied. */
  mode?: number;
}

const join = (dir: string, rel: string) => (rel === '' ? dir : dir === '/' ? `/${rel}` : `${dir}/${rel}`);

export function mkdirAll(vfs: Vfs, path: string, own: CopyOwnership = {}): void {
  let at = '';
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`;
    const st = vfs.stat(at, true);
    if (!(st instanceof FsError)) {
      if (st.type !== 'dir') throw new CopyApplyError(`cannot create directory ${at}: not a directory`);
      continue;
    }
    const r = vfs.mkdir(at, 0o755);
    if (r && r.code !== 'EEXIST') throw new CopyApplyError(`cannot create directory ${at}: ${r.code}`);
    if (own.uid !== undefined) vfs.chown(at, own.uid, own.gid ?? own.uid, false);
  }
}

function writeItem(vfs: Vfs, path: string, it: CopyItem, own: CopyOwnership): void {
  const fail = (e: FsError) => {
    throw new CopyApplyError(`cannot copy to ${path}: ${e.code}`);
  };
  if (it.type === 'dir') {
    mkdirAll(vfs, path, own);
    vfs.chmod(path, own.mode ?? it.mode, true);
  } else {
    const existing = vfs.stat(path, false);
    if (!(existing instanceof FsError)) {
      if (existing.type === 'dir') throw new CopyApplyError(`cannot copy to ${path}: is a directory`);
      vfs.unlink(path);
    }
    if (it.type === 'symlink') {
      const r = vfs.symlink(it.linkname ?? '', path);
      if (r) fail(r);
    } else {
      const r = writeWholeFile(vfs, path, it.data ?? new Uint8Array(0), own.mode ?? it.mode);
      if (r) fail(r);
    }
  }
  if (own.uid !== undefined) vfs.chown(path, own.uid, own.gid ?? own.uid, false);
  if (it.type !== 'symlink') vfs.utimes(path, it.mtimeNs, it.mtimeNs, true);
}

/** `dest` is absolute (WORKDIR applied). */
export function applyCopy(vfs: Vfs, sources: CopySource[], dest: string, own: CopyOwnership): void {
  const matchCount = sources.reduce((n, s) => n + s.matches.length, 0);
  const destStat = vfs.stat(dest, true);
  const destIsDir =
    dest.endsWith('/') || (!(destStat instanceof FsError) && destStat.type === 'dir') || matchCount > 1;
  if (matchCount > 1 && !dest.endsWith('/') && (destStat instanceof FsError || destStat.type !== 'dir')) {
    throw new CopyApplyError(
      'When using COPY with more than one source file, the destination must be a directory and end with a /',
    );
  }
  const target = dest.length > 1 ? dest.replace(/\/+$/, '') : dest;
  for (const s of sources) {
    for (const m of s.matches) {
      if (m.isDir) {
        mkdirAll(vfs, target, own);
        for (const it of m.items) writeItem(vfs, join(target, it.rel), it, own);
      } else {
        const it = m.items[0];
        if (!it) continue;
        const path = destIsDir ? join(target, it.rel) : target;
        mkdirAll(vfs, path.slice(0, path.lastIndexOf('/')) || '/', own);
        writeItem(vfs, path, it, own);
      }
    }
  }
}

const isTar = (b: Uint8Array) => b.length >= 512 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar';

/** ADD: a local tar (plain or gzip) becomes its entries under the destination directory. */
export async function archiveItems(data: Uint8Array): Promise<CopyItem[] | undefined> {
  let bytes = data;
  if (isGzip(bytes)) {
    try {
      bytes = await gunzip(bytes);
    } catch {
      return undefined;
    }
  }
  if (!isTar(bytes)) return undefined;
  const items: CopyItem[] = [];
  for (const e of await readTar(bytes)) {
    if (e.parts.length === 0) continue;
    const base = { rel: e.parts.join('/'), mode: e.mode & 0o7777, mtimeNs: e.mtimeNs };
    if (e.type === 'dir') items.push({ ...base, type: 'dir' });
    else if (e.type === 'file') items.push({ ...base, type: 'file', data: e.data });
    else if (e.type === 'symlink') items.push({ ...base, type: 'symlink', linkname: e.linkname });
  }
  return items;
}
