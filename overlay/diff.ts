// The upper layer of a UnionFs as an OCI layer tar: every upper entry in full, `.wh.<name>`
// for deletions of lower entries and `.wh..wh..opq` for directories that hide their lower
// contents. Whiteouts come before their sibling entries, as the image spec recommends.

import { childPath } from './path.ts';
import { type TarWriteEntry, writeTar } from './tar-write.ts';
import { UPPER_WHITEOUT, type UpperInode } from './upper-inode.ts';
import type { UnionFs } from './union-fs.ts';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './whiteout.ts';

export async function diffTar(union: UnionFs): Promise<Uint8Array> {
  return writeTar(upperEntries(union.upper.root));
}

const rel = (path: string): string => (path === '/' ? '.' : path.slice(1));

function header(name: string, node: UpperInode): TarWriteEntry {
  return { name, type: node.type, mode: node.mode, uid: node.uid, gid: node.gid, mtimeNs: node.mtimeNs };
}

export function* upperEntries(root: UpperInode): Generator<TarWriteEntry> {
  const linked = new Map<UpperInode, string>();
  function* walk(path: string, dir: UpperInode): Generator<TarWriteEntry> {
    const names = [...dir.children!.keys()].sort();
    if (dir.opaque) yield markerEntry(childPath(path, OPAQUE_MARKER), dir);
    for (const name of names) {
      if (dir.children!.get(name) === UPPER_WHITEOUT)
        yield markerEntry(childPath(path, WHITEOUT_PREFIX + name), dir);
    }
    for (const name of names) {
      const node = dir.children!.get(name)!;
      if (node === UPPER_WHITEOUT) continue;
      const p = childPath(path, name);
      if (node.type === 'dir') {
        yield header(rel(p), node);
        yield* walk(p, node);
        continue;
      }
      const first = node.nlink > 1 ? linked.get(node) : undefined;
      if (first !== undefined) {
        yield { ...header(rel(p), node), type: 'hardlink', linkname: first };
        continue;
      }
      if (node.nlink > 1) linked.set(node, rel(p));
      yield {
        ...header(rel(p), node),
        data: node.type === 'file' ? node.data.subarray(0, node.size) : undefined,
        linkname: node.type === 'symlink' ? node.target : undefined,
        devmajor: node.devmajor,
        devminor: node.devminor,
      };
    }
  }
  yield header('.', root);
  yield* walk('/', root);
}

function markerEntry(path: string, dir: UpperInode): TarWriteEntry {
  return {
    name: rel(path),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeNs: dir.mtimeNs,
    data: new Uint8Array(0),
  };
}
