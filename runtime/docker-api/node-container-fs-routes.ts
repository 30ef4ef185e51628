// The Engine API's container filesystem endpoints: archive (docker cp, both ways, and its HEAD
// stat), changes (docker diff), export, commit, and prune — over runtime/containers' layer
// operations, which read the container's filesystem as last saved.

import type { PathStat } from '../containers/container-layer-ops.ts';
import { ApiError, readBody, type Route, sendJson } from './node-api-http.ts';

const ops = () => import('../containers/container-layer-ops.ts');

/** Go's os.FileMode bits for the X-Docker-Container-Path-Stat header. */
function goMode(st: PathStat): number {
  const type = st.type === 'dir' ? 2 ** 31 : st.type === 'symlink' ? 2 ** 27 : 0;
  return type + (st.mode & 0o7777);
}

function statHeader(st: PathStat): string {
  const mtime = new Date(Number(st.mtimeNs / 1_000_000n)).toISOString();
  return Buffer.from(
    JSON.stringify({ name: st.name, size: st.size, mode: goMode(st), mtime, linkTarget: st.linkTarget }),
  ).toString('base64');
}

const KIND = { C: 0, A: 1, D: 2 } as const;

export const containerFsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/containers\/([^/]+)\/archive$/,
    async handle(ctx, req, res, [ref]) {
      const path = req.query.get('path');
      if (!path) throw new ApiError(400, 'path is required');
      const { statInContainer, archiveFromContainer } = await ops();
      if (req.method === 'HEAD') {
        const st = await statInContainer(ctx.engine.ctx, ref!, path);
        res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(st) });
        res.end();
        return;
      }
      const { stat, tar } = await archiveFromContainer(ctx.engine.ctx, ref!, path);
      res.writeHead(200, {
        'X-Docker-Container-Path-Stat': statHeader(stat),
        'Content-Type': 'application/x-tar',
        'Content-Length': tar.length,
      });
      res.end(tar);
    },
  },
  {
    method: 'PUT',
    pattern: /^\/containers\/([^/]+)\/archive$/,
    async handle(ctx, req, res, [ref]) {
      const path = req.query.get('path');
      if (!path) throw new ApiError(400, 'path is required');
      const tar = await readBody(req.raw, 2 * 1024 * 1024 * 1024 - 1);
      await (await ops()).copyIntoContainer(ctx.engine.ctx, ref!, path, tar);
      res.writeHead(200);
      res.end();
    },
  },
  {
    method: 'GET',
    pattern: /^\/containers\/([^/]+)\/changes$/,
    async handle(ctx, _req, res, [ref]) {
      const changes = await (await ops()).diffContainer(ctx.engine.ctx, ref!);
      sendJson(
        res,
        200,
        changes.map((c) => ({ Path: c.path, Kind: KIND[c.kind] })),
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/containers\/([^/]+)\/export$/,
    async handle(ctx, _req, res, [ref]) {
      const tar = await (await ops()).exportContainer(ctx.engine.ctx, ref!);
      res.writeHead(200, { 'Content-Type': 'application/x-tar', 'Content-Length': tar.length });
      res.end(tar);
    },
  },
  {
    method: 'POST',
    pattern: /^\/commit$/,
    async handle(ctx, req, res) {
      const q = req.query;
      const container = q.get('container');
      if (!container) throw new ApiError(400, 'container is required');
      const repo = q.get('repo');
      const tag = q.get('tag');
      const image = await (await ops()).commitContainer(ctx.engine.ctx, container, {
        repository: repo ? `${repo}${tag ? `:${tag}` : ''}` : undefined,
        author: q.get('author') ?? undefined,
        message: q.get('comment') ?? undefined,
      });
      sendJson(res, 201, { Id: image.id });
    },
  },
  {
    method: 'POST',
    pattern: /^\/containers\/prune$/,
    // Filters (until, label) are not applied: every stopped container goes.
    async handle(ctx, _req, res) {
      const removed: string[] = [];
      let reclaimed = 0;
      for (const c of await ctx.engine.list(true)) {
        if (c.State.Running || c.State.Status === 'paused') continue;
        await ctx.engine.remove(c.Id);
        removed.push(c.Id);
        reclaimed += c.SizeRw ?? 0;
      }
      sendJson(res, 200, { ContainersDeleted: removed, SpaceReclaimed: reclaimed });
    },
  },
];
