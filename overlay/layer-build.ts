// Turns the entries of a layer tar into a Layer's index and data buffers, applying the tar and
// OCI rules: later entries replace earlier ones (directories keep their children), whiteouts
// and opaque markers are recorded for the union, hardlinks must point at an earlier non-directory
// entry of the same layer, setuid/setgid bits are dropped.

import type { FileType } from './types.ts';
import {
  allocBuffer,
  createIndex,
  ENTRY_I32,
  ENTRY_WHITEOUT,
  FLAG_IMPLICIT,
  FLAG_OPAQUE,
  I_CHILD_COUNT,
  I_CHILD_START,
  I_DEVMAJOR,
  I_DEVMINOR,
  I_FLAGS,
  I_GID,
  I_MODE,
  I_NLINK,
  I_TEXT_LENGTH,
  I_TEXT_START,
  I_TYPE,
  I_UID,
  INODE_I32,
  TYPE_CODES,
} from './layer-index.ts';
import { normalizeArchiveName, utf8Length } from './path.ts';
import { LayerTarError, type TarEntry } from './tar-read.ts';
import { classifyName, sanitizeMode } from './whiteout.ts';

export interface BuildNode {
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  atimeNs: bigint;
  data: Uint8Array | null;
  target: string;
  devmajor: number;
  devminor: number;
  nlink: number;
  opaque: boolean;
  implicit: boolean;
  children: Map<string, BuildNode | typeof WHITEOUT> | null;
}

export const WHITEOUT: unique symbol = Symbol('whiteout');

const newDir = (): BuildNode => ({
  type: 'dir',
  mode: 0o755,
  uid: 0,
  gid: 0,
  mtimeNs: 0n,
  atimeNs: 0n,
  data: null,
  target: '',
  devmajor: 0,
  devminor: 0,
  nlink: 1,
  opaque: false,
  implicit: true,
  children: new Map(),
});

export interface BuiltLayer {
  index: ArrayBufferLike;
  bytes: ArrayBufferLike;
}

export function buildLayer(entries: readonly TarEntry[]): BuiltLayer {
  return serialize(buildChangeset(entries));
}

/** The tree a layer tar describes, with whiteouts, opaque and implicit directories marked. */
export function buildChangeset(entries: readonly TarEntry[]): BuildNode {
  const root = newDir();
  // A parent that is missing or not a directory becomes an implicit directory: nothing is ever
  // written through a symlink, so no entry can land outside the root.
  const dirAt = (parts: readonly string[]): BuildNode => {
    let dir = root;
    for (const name of parts) {
      const next = dir.children!.get(name);
      if (next !== undefined && next !== WHITEOUT && next.type === 'dir') {
        dir = next;
        continue;
      }
      const made = newDir();
      if (next === WHITEOUT) {
        // deleted and made again in this layer: nothing of the lower one shows, not even attributes
        made.opaque = true;
        made.implicit = false;
      }
      dir.children!.set(name, made);
      dir = made;
    }
    return dir;
  };
  const findNode = (parts: readonly string[]): BuildNode | undefined => {
    let node: BuildNode | typeof WHITEOUT | undefined = root;
    for (const name of parts) {
      if (node === undefined || node === WHITEOUT || node.children === null) return undefined;
      node = node.children.get(name);
    }
    return node === WHITEOUT ? undefined : node;
  };

  for (const e of entries) {
    if (e.parts.length === 0) {
      if (e.type === 'dir') setAttributes(root, e);
      continue;
    }
    const name = e.parts[e.parts.length - 1]!;
    const parent = dirAt(e.parts.slice(0, -1));
    const marker = classifyName(name);
    if (marker !== null) {
      if (marker.kind === 'opaque') parent.opaque = true;
      else if (marker.kind === 'whiteout') {
        // A whiteout hides lower layers only; an entry of this same layer stays (a directory
        // then hides the lower one's children, as if deleted and made again).
        const same = parent.children!.get(marker.name);
        if (same === undefined) parent.children!.set(marker.name, WHITEOUT);
        else if (same !== WHITEOUT && same.type === 'dir') {
          same.opaque = true;
          same.implicit = false;
        }
      }
      continue;
    }
    const existing = parent.children!.get(name);
    if (e.type === 'hardlink') {
      const link = normalizeArchiveName(e.linkname);
      const target = link.escaped ? undefined : findNode(link.parts);
      if (target === undefined || target.type === 'dir') {
        throw new LayerTarError(
          `hardlink '${e.rawName}' -> '${e.linkname}': ${link.escaped ? 'target is outside the layer root' : 'target is not an earlier non-directory entry of this layer'}`,
        );
      }
      if (existing === target) continue;
      if (existing !== undefined && existing !== WHITEOUT) existing.nlink--;
      target.nlink++;
      parent.children!.set(name, target);
      continue;
    }
    if (e.type === 'dir' && existing !== undefined && existing !== WHITEOUT && existing.type === 'dir') {
      setAttributes(existing, e);
      continue;
    }
    if (existing !== undefined && existing !== WHITEOUT) existing.nlink--;
    const node = newDir();
    node.opaque = existing === WHITEOUT && e.type === 'dir';
    node.type = e.type;
    node.children = e.type === 'dir' ? new Map() : null;
    node.data = e.type === 'file' ? e.data : null;
    node.target = e.type === 'symlink' ? e.linkname : '';
    node.devmajor = e.devmajor;
    node.devminor = e.devminor;
    setAttributes(node, e);
    parent.children!.set(name, node);
  }
  return root;
}

function setAttributes(node: BuildNode, e: TarEntry): void {
  node.implicit = false;
  node.mode = sanitizeMode(e.mode);
  node.uid = e.uid;
  node.gid = e.gid;
  node.mtimeNs = e.mtimeNs;
  node.atimeNs = e.atimeNs;
}

function serialize(root: BuildNode): BuiltLayer {
  // Number inodes breadth-first (root = 0) and lay each directory's sorted entries out together.
  const ids = new Map<BuildNode, number>([[root, 0]]);
  const order: BuildNode[] = [root];
  let entryCount = 0;
  let textUnits = 0;
  let dataBytes = 0;
  for (let i = 0; i < order.length; i++) {
    const node = order[i]!;
    textUnits += node.target.length;
    if (node.data) dataBytes += node.data.byteLength;
    if (!node.children) continue;
    for (const [name, child] of node.children) {
      entryCount++;
      textUnits += name.length;
      if (child !== WHITEOUT && !ids.has(child)) {
        ids.set(child, order.length);
        order.push(child);
      }
    }
  }
  const { buffer, views } = createIndex(order.length, entryCount, textUnits);
  const bytes = allocBuffer(dataBytes);
  const data = new Uint8Array(bytes);
  const { ints, floats, times, entries, strings } = views;
  let textAt = 0;
  const putText = (s: string): number => {
    const start = textAt;
    for (let i = 0; i < s.length; i++) strings[textAt++] = s.charCodeAt(i);
    return start;
  };
  let entryAt = 0;
  let dataAt = 0;
  for (let id = 0; id < order.length; id++) {
    const node = order[id]!;
    const o = id * INODE_I32;
    ints[o + I_TYPE] = TYPE_CODES.indexOf(node.type as (typeof TYPE_CODES)[number]);
    ints[o + I_MODE] = node.mode;
    ints[o + I_UID] = node.uid;
    ints[o + I_GID] = node.gid;
    ints[o + I_FLAGS] =
      (node.opaque ? FLAG_OPAQUE : 0) | (node.implicit && node.type === 'dir' ? FLAG_IMPLICIT : 0);
    ints[o + I_DEVMAJOR] = node.devmajor;
    ints[o + I_DEVMINOR] = node.devminor;
    ints[o + I_TEXT_START] = putText(node.target);
    ints[o + I_TEXT_LENGTH] = node.target.length;
    times[id * 2] = node.mtimeNs;
    times[id * 2 + 1] = node.atimeNs;
    let size = 0;
    if (node.data) {
      data.set(node.data, dataAt);
      floats[id * 2 + 1] = dataAt;
      size = node.data.byteLength;
      dataAt += size;
    } else if (node.type === 'symlink') size = utf8Length(node.target);
    let nlink = node.nlink;
    if (node.children) {
      const names = [...node.children.keys()].sort();
      ints[o + I_CHILD_START] = entryAt;
      ints[o + I_CHILD_COUNT] = names.length;
      nlink = 2;
      for (const name of names) {
        const child = node.children.get(name)!;
        const e = entryAt * ENTRY_I32;
        entries[e] = putText(name);
        entries[e + 1] = name.length;
        entries[e + 2] = child === WHITEOUT ? ENTRY_WHITEOUT : ids.get(child)!;
        if (child !== WHITEOUT && child.type === 'dir') nlink++;
        entryAt++;
      }
      size = 4096;
    }
    ints[o + I_NLINK] = nlink;
    floats[id * 2] = size;
  }
  return { index: buffer, bytes };
}
