// A container's filesystem outside its process: the image layers, its persisted writable layer on
// top, seen through a Vfs. Used to find the executable before start and by cp, diff, export and
// commit on a container that is not running.

import { applyTar } from '../../overlay/apply.ts';
import type { Layer } from '../../overlay/layer.ts';
import { UnionFs } from '../../overlay/union-fs.ts';
import { UpperLayer } from '../../overlay/upper-layer.ts';
import { Vfs } from '../../overlay/vfs.ts';
import { FsError } from '../../overlay/types.ts';

export interface ContainerFs {
  vfs: Vfs;
  union: UnionFs;
  upper: UpperLayer;
}

export async function openContainerFs(
  layers: Layer[],
  upperTar: Uint8Array | undefined,
): Promise<ContainerFs> {
  const upper = new UpperLayer();
  if (upperTar && upperTar.length > 0) await applyTar(upperTar, upper);
  const union = new UnionFs(layers, upper);
  return { vfs: new Vfs(union), union, upper };
}

/** Whole file bytes, or the error. */
export function readWholeFile(vfs: Pick<Vfs, 'open'>, path: string): Uint8Array | FsError {
  const handle = vfs.open(path, { read: true, follow: true });
  if (handle instanceof FsError) return handle;
  try {
    const st = handle.stat();
    if (st.type === 'dir') return new FsError('EISDIR', 'read', path);
    const out = new Uint8Array(st.size);
    let done = 0;
    while (done < out.length) {
      const n = handle.read(out.subarray(done), done);
      if (n instanceof FsError) return n;
      if (n === 0) break;
      done += n;
    }
    return done === out.length ? out : out.subarray(0, done);
  } finally {
    handle.close();
  }
}

export function writeWholeFile(vfs: Vfs, path: string, bytes: Uint8Array, mode: number): FsError | undefined {
  const handle = vfs.open(path, { write: true, create: true, truncate: true, mode, follow: true });
  if (handle instanceof FsError) return handle;
  try {
    let done = 0;
    while (done < bytes.length) {
      const n = handle.write(bytes.subarray(done), done);
      if (n instanceof FsError) return n;
      done += n;
    }
    return handle.chmod(mode);
  } finally {
    handle.close();
  }
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const isWasm = (b: Uint8Array): boolean => WASM_MAGIC.every((v, i) => b[i] === v);
