// Applies a layer tar onto an UpperLayer with OCI changeset rules. The tar is first read into
// the same changeset tree a Layer is built from (so in-layer ordering rules are the same), then
// merged as if stacked on top: a whiteout deletes, an opaque directory drops the old children,
// a directory over a directory keeps its children, anything else replaces. Whiteouts and opaque
// flags stay recorded in the tree, so an upper restored from diffTar() still hides the lowers.

import { type BuildNode, buildChangeset, WHITEOUT } from './layer-build.ts';
import { utf8Length } from './path.ts';
import { readTar, type TarEntry } from './tar-read.ts';
import { UPPER_WHITEOUT, type UpperInode } from './upper-inode.ts';
import type { UpperLayer } from './upper-layer.ts';

export async function applyTar(tar: Uint8Array, onto: UpperLayer): Promise<void> {
  applyEntries(await readTar(tar), onto);
}

export function applyEntries(entries: readonly TarEntry[], onto: UpperLayer): void {
  const change = buildChangeset(entries);
  if (!change.implicit) {
    setAttributes(onto.root, change);
    onto.rootAdopted = true; // a UnionFs over this tree keeps these root attributes
  }
  mergeDir(onto, onto.root, change, new Map());
}

function mergeDir(
  onto: UpperLayer,
  dir: UpperInode,
  change: BuildNode,
  made: Map<BuildNode, UpperInode>,
): void {
  if (change.opaque) {
    for (const name of [...dir.children!.keys()]) onto.detach(dir, name);
    dir.opaque = true;
  }
  for (const [name, child] of change.children!) {
    const existing = dir.children!.get(name);
    if (child === WHITEOUT) {
      onto.detach(dir, name, true);
      continue;
    }
    if (child.type === 'dir') {
      let target: UpperInode;
      if (existing !== undefined && existing !== UPPER_WHITEOUT && existing.type === 'dir') {
        target = existing;
      } else {
        target = onto.newInode('dir', 0o755);
        target.atimeNs = target.mtimeNs = target.ctimeNs = 0n; // as a Layer's implied directory
        target.opaque = existing === UPPER_WHITEOUT; // re-created after a deletion
        onto.attach(dir, name, target);
      }
      if (!child.implicit) setAttributes(target, child);
      mergeDir(onto, target, child, made);
      continue;
    }
    const linked = made.get(child);
    if (linked !== undefined) {
      if (existing !== linked) {
        onto.attach(dir, name, linked);
        linked.nlink++;
      }
      continue;
    }
    const node = onto.newInode(child.type, 0);
    if (child.type === 'file') {
      node.data = child.data!.slice();
      node.size = child.data!.byteLength;
    } else if (child.type === 'symlink') {
      node.target = child.target;
      node.size = utf8Length(child.target);
    } else {
      node.devmajor = child.devmajor;
      node.devminor = child.devminor;
    }
    setAttributes(node, child);
    made.set(child, node);
    onto.attach(dir, name, node);
  }
}

function setAttributes(node: UpperInode, from: BuildNode): void {
  node.mode = from.mode;
  node.uid = from.uid;
  node.gid = from.gid;
  node.mtimeNs = from.mtimeNs;
  node.atimeNs = from.atimeNs;
  node.ctimeNs = from.mtimeNs;
}
