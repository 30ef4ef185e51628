// diff, export, commit and cp: operations on a container's filesystem as persisted (image layers
// plus the writable layer saved at its last stop). A running container's unsaved writes are not
// visible here yet (they live in its worker until it stops).

import { diffTar } from '../../overlay/diff.ts';
import { exportTar, treeEntries } from '../../overlay/export.ts';
import { readTar } from '../../overlay/tar-read.ts';
import type { TarWriteEntry } from '../../overlay/tar-write.ts';
import { writeTar } from '../../overlay/tar-write.ts';
import { type FileSystem, FsError } from '../../overlay/types.ts';
import type { EngineImage } from '../engine/engine-images.ts';
import { InvalidStateError, NotFoundError } from '../errors.ts';
import type { ImageConfig } from '../oci/manifest.ts';
import { type ContainerContext, refresh } from './container-context.ts';
import { type ContainerFs, openContainerFs, writeWholeFile } from './container-fs.ts';
import type { ContainerRecord } from './container-record.ts';
import { canReadLayer, isActive } from './container-status.ts';

async function open(
  ctx: ContainerContext,
  ref: string,
): Promise<{ rec: ContainerRecord; image: EngineImage; fs: ContainerFs }> {
  const rec = await refresh(ctx, ref);
  if (!canReadLayer(rec.State.Status))
    throw new InvalidStateError(`container ${rec.Id} is ${rec.State.Status}`);
  const image = await ctx.images.resolve(rec.Image);
  if (!image) throw new NotFoundError(`No such image: ${rec.Image}`);
  const layers = await ctx.images.layers(image);
  return { rec, image, fs: await openContainerFs(layers, await ctx.store.readUpper(rec.Id)) };
}

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

/** `docker diff`: A added, C changed, D deleted, parents of changes listed as C. */
export async function diffContainer(ctx: ContainerContext, ref: string): Promise<Change[]> {
  const rec = await refresh(ctx, ref);
  const image = await ctx.images.resolve(rec.Image);
  if (!image) throw new NotFoundError(`No such image: ${rec.Image}`);
  const lower = await openContainerFs(await ctx.images.layers(image), undefined);
  const upper = await ctx.store.readUpper(rec.Id);
  if (!upper) return [];
  const changes = new Map<string, Change['kind']>();
  for (const entry of await readTar(upper)) {
    const parts = entry.parts;
    if (parts.length === 0) continue;
    const last = parts[parts.length - 1]!;
    if (last === '.wh..wh..opq') continue;
    const deleted = last.startsWith('.wh.');
    const path = `/${[...parts.slice(0, -1), deleted ? last.slice(4) : last].join('/')}`;
    const existed = !(lower.vfs.stat(path, false) instanceof FsError);
    changes.set(path, deleted ? 'D' : existed ? 'C' : 'A');
    for (let i = 1; i < parts.length; i++) {
      const parent = `/${parts.slice(0, i).join('/')}`;
      if (!changes.has(parent)) changes.set(parent, 'C');
    }
  }
  return [...changes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, kind]) => ({ kind, path }));
}

export async function exportContainer(ctx: ContainerContext, ref: string): Promise<Uint8Array> {
  const { fs } = await open(ctx, ref);
  return exportTar(fs.vfs);
}

export interface CommitOptions {
  repository?: string | undefined;
  author?: string | undefined;
  message?: string | undefined;
  /** Dockerfile-style changes already parsed into config fields. */
  config?: Partial<NonNullable<ImageConfig['config']>>;
}

export async function commitContainer(
  ctx: ContainerContext,
  ref: string,
  o: CommitOptions,
): Promise<EngineImage> {
  const { rec, image, fs } = await open(ctx, ref);
  const layer = await diffTar(fs.union);
  const base = image.config;
  const now = new Date(ctx.host.now()).toISOString();
  const config: ImageConfig = {
    ...base,
    created: now,
    ...(o.author ? { author: o.author } : {}),
    config: {
      ...base.config,
      Env: rec.Config.Env,
      Cmd: rec.Config.Cmd,
      Entrypoint: rec.Config.Entrypoint,
      WorkingDir: rec.Config.WorkingDir,
      Labels: rec.Config.Labels,
      ...o.config,
    },
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids] },
    history: [
      ...(base.history ?? []),
      {
        created: now,
        created_by: [rec.Path, ...rec.Args].join(' '),
        ...(o.message ? { comment: o.message } : {}),
      },
    ],
  };
  return ctx.images.create(image, [layer], config, o.repository);
}

/** A read-only view of the subtree at `root` as a FileSystem-like reader for treeEntries. */
function subtree(fs: ContainerFs, root: string): FileSystem {
  const at = (p: string) => (p === '/' ? root : `${root}${p}`);
  return {
    readonly: true,
    lstat: (p: string) => fs.vfs.stat(at(p), false),
    readdir: (p: string) => fs.vfs.readdir(at(p)),
    readlink: (p: string) => fs.vfs.readlink(at(p)),
    open: (p: string) => fs.vfs.open(at(p), { read: true, follow: false }),
  } as unknown as FileSystem;
}

/** `cp CONTAINER:SRC -`: a tar whose top entry is the source's base name. */
export async function copyFromContainer(
  ctx: ContainerContext,
  ref: string,
  path: string,
): Promise<Uint8Array> {
  const { fs } = await open(ctx, ref);
  return tarOfPath(fs, ref, path);
}

function tarOfPath(fs: ContainerFs, ref: string, path: string): Promise<Uint8Array> {
  const real = fs.vfs.realpath(path);
  if (real instanceof FsError) throw new NotFoundError(`Could not find the file ${path} in container ${ref}`);
  const st = fs.vfs.stat(real, false);
  if (st instanceof FsError) throw new NotFoundError(`Could not find the file ${path} in container ${ref}`);
  const base = real === '/' ? '.' : real.slice(real.lastIndexOf('/') + 1);
  const head: TarWriteEntry = {
    name: base,
    type: st.type === 'dir' ? 'dir' : 'file',
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    mtimeNs: st.mtimeNs,
  };
  if (st.type !== 'dir') {
    const view = subtree(fs, real.slice(0, real.lastIndexOf('/')) || '/');
    const entries = [...treeEntries(view)].filter((e) => e.name === base);
    return writeTar(entries);
  }
  const inner = real === '/' ? [...treeEntries(fs.vfs)] : [...treeEntries(subtree(fs, real))];
  return writeTar([head, ...inner.map((e) => ({ ...e, name: `${base}/${e.name}` }))]);
}

/** `cp SRC CONTAINER:DEST`: a tar's entries put at DEST (inside it when it is a directory). */
export async function copyIntoContainer(
  ctx: ContainerContext,
  ref: string,
  dest: string,
  tar: Uint8Array,
): Promise<void> {
  const { rec, fs } = await open(ctx, ref);
  if (isActive(rec.State.Status)) {
    throw new InvalidStateError(
      `copying into running container ${rec.Id.slice(0, 12)} is not supported yet: stop it first`,
    );
  }
  const entries = await readTar(tar);
  const destStat = fs.vfs.stat(dest, true);
  const intoDir = !(destStat instanceof FsError) && destStat.type === 'dir';
  for (const entry of entries) {
    if (entry.parts.length === 0) continue;
    const rel = intoDir ? entry.parts : entry.parts.slice(1);
    const path = (
      intoDir
        ? `${dest.replace(/\/$/, '')}/${rel.join('/')}`
        : `${dest.replace(/\/$/, '')}${rel.length ? `/${rel.join('/')}` : ''}`
    ).replace(/^\/\//, '/');
    let failure: FsError | undefined;
    if (entry.type === 'dir') {
      const r = fs.vfs.mkdir(path, entry.mode & 0o7777);
      if (r && r.code !== 'EEXIST') failure = r;
    } else if (entry.type === 'symlink') {
      fs.vfs.unlink(path);
      failure = fs.vfs.symlink(entry.linkname, path);
    } else if (entry.type === 'file') {
      failure = writeWholeFile(fs.vfs, path, entry.data, entry.mode & 0o7777);
    }
    if (failure) throw new InvalidStateError(`copy to ${path} in container ${ref}: ${failure.code}`);
  }
  await ctx.store.writeUpper(rec.Id, await diffTar(fs.union));
}

export interface PathStat {
  /** The base name. */
  name: string;
  size: number;
  /** Permission bits. */
  mode: number;
  type: string;
  mtimeNs: bigint;
  /** Where a symlink points ('' otherwise). */
  linkTarget: string;
}

/** What `docker cp` asks of a path before copying (the Engine API's HEAD /archive). */
export async function statInContainer(ctx: ContainerContext, ref: string, path: string): Promise<PathStat> {
  const { fs } = await open(ctx, ref);
  return pathStat(fs, ref, path);
}

/** The stat and the tar of a path with one opening of the container's files (GET /archive). */
export async function archiveFromContainer(
  ctx: ContainerContext,
  ref: string,
  path: string,
): Promise<{ stat: PathStat; tar: Uint8Array }> {
  const { fs } = await open(ctx, ref);
  return { stat: pathStat(fs, ref, path), tar: await tarOfPath(fs, ref, path) };
}

function pathStat(fs: ContainerFs, ref: string, path: string): PathStat {
  const st = fs.vfs.stat(path, false);
  if (st instanceof FsError) throw new NotFoundError(`Could not find the file ${path} in container ${ref}`);
  const link = st.type === 'symlink' ? fs.vfs.readlink(path) : '';
  const trimmed = path.replace(/\/+$/, '');
  return {
    name: trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1),
    size: st.size,
    mode: st.mode,
    type: st.type,
    mtimeNs: st.mtimeNs,
    linkTarget: typeof link === 'string' ? link : '',
  };
}
