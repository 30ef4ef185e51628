// images / image ls, rmi, tag, history, save, load, import, image prune.

import * as fs from 'node:fs';
import type { Engine } from '../../runtime/engine.ts';
import { UsageError } from '../../runtime/errors.ts';
import type { Digest } from '../../runtime/oci/digest.ts';
import { renderList } from '../format/output.ts';
import { ellipsis, goTime, humanSize, shortId, timeAgo } from '../format/units.ts';
import { parseChanges } from './container-fs.ts';
import { type Opts, eachTarget, engine, list, out, str } from './context.ts';

function splitTag(repoTag: string): [string, string] {
  const at = repoTag.lastIndexOf(':');
  return at > repoTag.lastIndexOf('/') && at >= 0
    ? [repoTag.slice(0, at), repoTag.slice(at + 1)]
    : [repoTag, '<none>'];
}

export async function ls(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const trunc = o.trunc !== false;
  const now = Date.now();
  const wanted = args[0];
  const rows = (await e.images.list()).flatMap((img) => {
    const tags = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
    const created = img.created ?? '1970-01-01T00:00:00Z';
    return tags
      .map((t) => splitTag(t))
      .filter(([repo, tag]) => !wanted || repo === wanted || `${repo}:${tag}` === wanted)
      .map(([repo, tag]) => ({
        Containers: 'N/A',
        CreatedAt: goTime(created),
        CreatedSince: timeAgo(created, now),
        Digest: img.repoDigests.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? '<none>',
        ID: trunc ? shortId(img.id) : img.id,
        Repository: repo,
        SharedSize: 'N/A',
        Size: humanSize(img.size),
        Tag: tag,
        UniqueSize: 'N/A',
        VirtualSize: humanSize(img.size),
      }));
  });
  const quietRows = o.quiet ? rows.filter((r, i) => rows.findIndex((x) => x.ID === r.ID) === i) : rows;
  const digestCol = o.digests ? '\t{{.Digest}}' : '';
  out(
    renderList(quietRows, {
      format: str(o.format),
      quiet: o.quiet === true,
      quietField: 'ID',
      defaultTable: `table {{.Repository}}\t{{.Tag}}${digestCol}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`,
      headers: {
        Repository: 'REPOSITORY',
        Tag: 'TAG',
        Digest: 'DIGEST',
        ID: 'IMAGE ID',
        CreatedSince: 'CREATED',
        CreatedAt: 'CREATED AT',
        Size: 'SIZE',
      },
    }),
  );
  return 0;
}

async function usedBy(e: Engine, id: Digest) {
  const user = (await e.list(true)).find((c) => c.Image === id);
  return user ? { containerId: user.Id, running: user.State.Running } : undefined;
}

export async function rm(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return eachTarget(args, async (ref) => {
    let items: Awaited<ReturnType<typeof e.images.remove>>;
    try {
      items = await e.images.remove(ref, o.force === true, (id) => usedBy(e, id));
    } catch (error) {
      // berth's one departure from Docker: `image rm <id>` of an image tagged in several
      // repositories removes each tag (so `image rm $(image ls -a -q)` empties the store); a
      // container using the image still protects it.
      if (!/referenced in multiple repositories/.test((error as Error).message)) throw error;
      const img = await e.images.resolve(ref);
      items = [];
      for (const tag of img?.repoTags ?? [])
        items.push(...(await e.images.remove(tag, false, (id) => usedBy(e, id))));
    }
    return (
      items.map((i) => ('Untagged' in i ? `Untagged: ${i.Untagged}` : `Deleted: ${i.Deleted}`)).join('\n') ||
      undefined
    );
  });
}

export async function tag(args: string[]): Promise<number> {
  const e = await engine();
  await e.images.tag(args[1]!, args[0]!);
  return 0;
}

export async function history(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const img = await e.images.resolve(args[0]!);
  if (!img) throw new (await import('../../runtime/errors.ts')).NotFoundError(`No such image: ${args[0]}`);
  const trunc = o.trunc !== false;
  const now = Date.now();
  let layer = 0;
  const entries = (img.history.length ? img.history : img.layerSizes.map(() => ({}))).map((h) => ({
    ...h,
    size: (h as { empty_layer?: boolean }).empty_layer ? 0 : (img.layerSizes[layer++] ?? 0),
  }));
  const rows = entries.reverse().map((h, i) => {
    const createdBy = (h as { created_by?: string }).created_by ?? '';
    const created = (h as { created?: string }).created ?? img.created;
    return {
      ID: i === 0 ? (trunc ? shortId(img.id) : img.id) : '<missing>',
      CreatedSince: timeAgo(created, now),
      CreatedAt: created,
      CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
      Size: humanSize(h.size),
      Comment: (h as { comment?: string }).comment ?? '',
    };
  });
  out(
    renderList(rows, {
      format: str(o.format),
      quiet: o.quiet === true,
      quietField: 'ID',
      defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
      headers: {
        ID: 'IMAGE',
        CreatedSince: 'CREATED',
        CreatedAt: 'CREATED AT',
        CreatedBy: 'CREATED BY',
        Size: 'SIZE',
        Comment: 'COMMENT',
      },
    }),
  );
  return 0;
}

function writeOutput(bytes: Uint8Array, output: string | undefined): void {
  if (output) fs.writeFileSync(output, bytes);
  else if (process.stdout.isTTY)
    throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  else process.stdout.write(bytes);
}

async function readInput(path: string | undefined): Promise<Uint8Array> {
  if (path && path !== '-') {
    try {
      return new Uint8Array(fs.readFileSync(path));
    } catch {
      throw new UsageError(`open ${path}: no such file or directory`);
    }
  }
  if (process.stdin.isTTY) throw new UsageError('requested load from stdin, but stdin is empty');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export async function save(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const { saveImagesBytes } = await import('../../runtime/archive/save.ts');
  writeOutput(await saveImagesBytes(e.images.store, args), str(o.output));
  return 0;
}

export async function load(_args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const bytes = await readInput(str(o.input));
  const { loadImages } = await import('../../runtime/archive/load.ts');
  const loaded = await loadImages(e.images.store, bytes);
  if (!o.quiet) {
    for (const img of loaded) {
      if (img.names.length === 0) out(`Loaded image ID: ${img.id}\n`);
      for (const name of img.names) out(`Loaded image: ${name}\n`);
    }
  }
  return 0;
}

export async function importImage(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const tar = await readInput(args[0]);
  const now = new Date().toISOString();
  const changes = parseChanges(list(o.change));
  const platform = str(o.platform) ?? 'wasi/wasm';
  const [os, architecture] = platform.split('/');
  const image = await e.images.create(
    undefined,
    [tar],
    {
      created: now,
      architecture: architecture ?? 'wasm',
      os: os ?? 'wasi',
      config: changes,
      rootfs: { type: 'layers', diff_ids: [] },
      history: [
        { created: now, created_by: 'berth import', ...(str(o.message) ? { comment: str(o.message)! } : {}) },
      ],
    },
    args[1],
  );
  out(`${image.id}\n`);
  return 0;
}

export async function prune(_args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const used = new Set((await e.list(true)).map((c) => c.Image));
  let reclaimed = 0;
  const deleted: string[] = [];
  for (const img of await e.images.list()) {
    if (used.has(img.id) || (!o.all && img.repoTags.length > 0)) continue;
    const items = await e.images.remove(img.id, true, async () => undefined).catch(() => []);
    if (items.length) {
      reclaimed += img.size;
      for (const i of items)
        deleted.push('Untagged' in i ? `untagged: ${i.Untagged}` : `deleted: ${i.Deleted}`);
    }
  }
  const gc = await e.images.store.gc();
  if (deleted.length) out(`Deleted Images:\n${deleted.join('\n')}\n\n`);
  const { total } = await import('./system.ts');
  total(o, reclaimed + gc.reclaimedBytes);
  return 0;
}
