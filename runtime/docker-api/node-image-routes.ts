// The Docker Engine API's image endpoints over berth's image store: list, inspect, history, tag,
// remove, prune, save and load here; pull, push and login in node-registry-routes.ts.

import type { EngineImage } from '../engine/engine-images.ts';
import { imageInspectDocument } from '../engine/image-inspect.ts';
import { NotFoundError } from '../errors.ts';
import type { Digest } from '../oci/digest.ts';
import { parseReference } from '../oci/reference.ts';
import type { ServerResponse } from 'node:http';
import type { ImageDeleteItem } from '../images/image-store.ts';
import {
  type ApiContext,
  ApiError,
  jsonLines,
  parseFilters,
  queryBool,
  type Route,
  sendEmpty,
  sendJson,
} from './node-api-http.ts';
import { registryRoutes } from './node-registry-routes.ts';

const unixSeconds = (iso: string | undefined) => Math.floor(Date.parse(iso ?? '1970-01-01T00:00:00Z') / 1000);

/** An image by name or id; a name that cannot be a reference nor an id is a 400, as Docker answers. */
async function resolveImage(ctx: ApiContext, name: string): Promise<EngineImage> {
  const img = await ctx.engine.images.resolve(name);
  if (img) return img;
  checkName(name);
  throw new NotFoundError(`No such image: ${familiar(name)}`);
}

/** Throws Docker's "invalid reference format…" (400) for a name that is neither a reference nor an id. */
function checkName(name: string): void {
  if (!/^(?:sha256:)?[a-f0-9]{1,64}$/.test(name)) parseReference(name);
}

/** `x` -> `x:latest` for messages, as Docker words a miss. */
function familiar(name: string): string {
  try {
    const ref = parseReference(name, { defaultTag: false });
    return ref.tag === undefined && ref.digest === undefined ? `${name}:latest` : name;
  } catch {
    return name;
  }
}

/** Go's path.Match for the reference filter: `*` and `?` stay within one path component. */
function globRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

/** The names of `img` that match a reference filter (against `repo` or `repo:tag`). */
function matchingNames(patterns: string[], names: string[]): string[] {
  const res = patterns.map(globRegex);
  return names.filter((name) => {
    const at = name.includes('@') ? name.indexOf('@') : name.lastIndexOf(':');
    const repo = at > name.lastIndexOf('/') ? name.slice(0, at) : name;
    return res.some((re) => re.test(name) || re.test(repo));
  });
}

const IMAGE_FILTERS = new Set(['reference', 'dangling', 'label', 'before', 'since']);

async function listImages(ctx: ApiContext, filters: Map<string, string[]>) {
  for (const key of filters.keys())
    if (!IMAGE_FILTERS.has(key)) throw new ApiError(400, `invalid filter '${key}'`);
  const images = ctx.engine.images;
  let summaries = await images.list();
  const dangling = filters.get('dangling')?.[0];
  if (dangling !== undefined) {
    if (!['true', 'false', '1', '0'].includes(dangling))
      throw new ApiError(400, `invalid filter 'dangling=${dangling}'`);
    const want = dangling === 'true' || dangling === '1';
    summaries = summaries.filter((s) => (s.repoTags.length === 0) === want);
  }
  const reference = filters.get('reference') ?? [];
  if (reference.length) {
    // Like Docker, an image listed by reference shows only the names that matched.
    summaries = summaries
      .map((s) => ({
        ...s,
        repoTags: matchingNames(reference, s.repoTags),
        repoDigests: matchingNames(reference, s.repoDigests),
      }))
      .filter((s) => s.repoTags.length + s.repoDigests.length > 0);
  }
  for (const [key, keep] of [
    ['before', (t: number, at: number) => t < at],
    ['since', (t: number, at: number) => t > at],
  ] as const) {
    for (const name of filters.get(key) ?? []) {
      const at = unixSeconds((await resolveImage(ctx, name)).created);
      summaries = summaries.filter((s) => keep(unixSeconds(s.created), at));
    }
  }
  // Labels live in the image configs, read only now that the list is filtered by name.
  const records = await Promise.all(summaries.map((s) => images.resolve(s.manifestDigest)));
  const rows = summaries.map((s, i) => ({ summary: s, labels: records[i]?.config.config?.Labels ?? {} }));
  const labels = filters.get('label') ?? [];
  return rows.filter(({ labels: l }) =>
    labels.every((f) => {
      const eq = f.indexOf('=');
      return eq < 0 ? f in l : l[f.slice(0, eq)] === f.slice(eq + 1);
    }),
  );
}

/** Newest first; an entry that made a layer has that layer's size, the others 0. */
function historyJson(img: EngineImage): object[] {
  let layer = 0;
  const entries = (img.history.length ? img.history : img.layerSizes.map(() => ({}))).map((h) => ({
    h: h as { created?: string; created_by?: string; comment?: string; empty_layer?: boolean },
    size: (h as { empty_layer?: boolean }).empty_layer ? 0 : (img.layerSizes[layer++] ?? 0),
  }));
  return entries.reverse().map(({ h, size }, i) => ({
    Id: i === 0 ? img.id : '<missing>',
    Created: unixSeconds(h.created ?? img.created),
    CreatedBy: h.created_by ?? '',
    Tags: i === 0 ? img.repoTags : null,
    Size: size,
    Comment: h.comment ?? '',
  }));
}

async function usedBy(ctx: ApiContext, id: Digest) {
  const user = (await ctx.engine.list(true)).find((c) => c.Image === id);
  return user ? { containerId: user.Id, running: user.State.Running } : undefined;
}

/** `docker image prune`: dangling images only, or every image no container uses (`dangling=false`). */
async function prune(ctx: ApiContext, filters: Map<string, string[]>) {
  for (const key of filters.keys())
    if (key !== 'dangling') throw new ApiError(400, `invalid filter '${key}'`);
  const danglingOnly = !['false', '0'].includes(filters.get('dangling')?.[0] ?? 'true');
  const e = ctx.engine;
  const used = new Set((await e.list(true)).map((c) => c.Image));
  const deleted: ImageDeleteItem[] = [];
  let reclaimed = 0;
  for (const img of await e.images.list()) {
    if (used.has(img.id) || (danglingOnly && img.repoTags.length > 0)) continue;
    const items = await e.images.remove(img.id, true, async () => undefined).catch(() => []);
    if (items.some((i) => 'Deleted' in i)) reclaimed += img.size;
    deleted.push(...items);
  }
  const gc = await e.images.store.gc();
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed + gc.reclaimedBytes };
}

/** `docker save`: the archive streamed as it is packed (every name resolved before the first byte). */
async function save(ctx: ApiContext, names: string[], res: ServerResponse): Promise<void> {
  if (names.length === 0) throw new ApiError(400, 'no image names given');
  const { saveImages } = await import('../archive/save.ts');
  const chunks = await saveImages(ctx.engine.images.store, names);
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  for await (const chunk of chunks) {
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

const localRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/images\/json$/,
    async handle(ctx, req, res) {
      const rows = await listImages(ctx, parseFilters(req.query.get('filters')));
      sendJson(
        res,
        200,
        rows.map(({ summary: s, labels }) => ({
          Id: s.id,
          ParentId: '',
          RepoTags: s.repoTags,
          RepoDigests: s.repoDigests,
          Created: unixSeconds(s.created),
          Size: s.size,
          SharedSize: -1,
          VirtualSize: s.size,
          Labels: labels,
          Containers: -1,
        })),
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/images\/(.+)\/json$/,
    async handle(ctx, _req, res, [name]) {
      sendJson(res, 200, imageInspectDocument(await resolveImage(ctx, name!)));
    },
  },
  {
    method: 'GET',
    pattern: /^\/images\/(.+)\/history$/,
    async handle(ctx, _req, res, [name]) {
      sendJson(res, 200, historyJson(await resolveImage(ctx, name!)));
    },
  },
  {
    method: 'POST',
    pattern: /^\/images\/(.+)\/tag$/,
    async handle(ctx, req, res, [name]) {
      const repo = req.query.get('repo') ?? '';
      const tag = req.query.get('tag') ?? '';
      const target = tag ? `${repo}:${tag}` : repo;
      parseReference(target); // Docker's "invalid reference format" before looking the image up
      checkName(name!);
      await ctx.engine.images.tag(target, name!);
      sendEmpty(res, 201);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/images\/(.+)$/,
    async handle(ctx, req, res, [name]) {
      const force = queryBool(req.query, 'force');
      checkName(name!);
      sendJson(res, 200, await ctx.engine.images.remove(name!, force, (id) => usedBy(ctx, id)));
    },
  },
];

const archiveRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/images\/get$/,
    handle: (ctx, req, res) => save(ctx, req.query.getAll('names'), res),
  },
  {
    method: 'GET',
    pattern: /^\/images\/(.+)\/get$/,
    handle: (ctx, _req, res, [name]) => save(ctx, [name!], res),
  },
  {
    method: 'POST',
    pattern: /^\/images\/load$/,
    async handle(ctx, req, res) {
      const { loadImages } = await import('../archive/load.ts');
      const loaded = await loadImages(ctx.engine.images.store, req.raw);
      const lines = jsonLines(res);
      // `quiet` drops only progress bars (berth draws none): the docker CLI sets it off a terminal.
      for (const img of loaded) {
        if (img.names.length === 0) lines.write({ stream: `Loaded image ID: ${img.id}\n` });
        for (const name of img.names) lines.write({ stream: `Loaded image: ${name}\n` });
      }
      lines.end();
    },
  },
  {
    method: 'POST',
    pattern: /^\/images\/prune$/,
    async handle(ctx, req, res) {
      sendJson(res, 200, await prune(ctx, parseFilters(req.query.get('filters'))));
    },
  },
];

export const imageRoutes: Route[] = [...localRoutes, ...archiveRoutes, ...registryRoutes];
