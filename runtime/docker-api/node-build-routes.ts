// POST /build: the Engine API's (legacy builder) build, which the docker CLI uses when the server
// announces no BuildKit (`/_ping`'s Builder-Version: 1): the context arrives as a tar (plain or
// gzip), berth's builder runs it, and progress goes back as JSON lines `{"stream": …}` with the
// image ID in `{"aux": {"ID": …}}`, as dockerd's classic builder sends them.

import type { ProgressEvent } from '../builder/progress.ts';
import { familiarString, parseReference } from '../oci/reference.ts';
import { ApiError, jsonLines, queryBool, readBody, type Route, sendJson } from './node-api-http.ts';

/** A JSON object of strings from a query parameter (buildargs, labels); null values dropped. */
function stringMap(raw: string | null, what: string): Record<string, string> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid ${what}: ${raw}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((parsed ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Build contexts are bounded like Docker's request bodies are by memory: 2 GiB. */
const MAX_CONTEXT = 2 * 1024 * 1024 * 1024 - 1;

export const buildRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/build$/,
    async handle(ctx, req, res) {
      const q = req.query;
      const tags = q.getAll('t').filter((t) => t !== '');
      for (const t of tags) {
        try {
          parseReference(t);
        } catch {
          throw new ApiError(400, `invalid reference format: ${t}`);
        }
      }
      const remote = q.get('remote');
      if (remote)
        throw new ApiError(400, 'berth builds from an uploaded context only (remote is not supported)');
      const file = q.get('dockerfile') || 'Dockerfile';
      const body = await readBody(req.raw, MAX_CONTEXT);
      const [
        { contextFromTar, dockerfileIn, emptyContext },
        { build },
        { nodeBuildDeps },
        { plainRenderer },
      ] = await Promise.all([
        import('../builder/node-build-context.ts'),
        import('../builder/builder.ts'),
        import('../builder/node-builder.ts'),
        import('../builder/progress.ts'),
      ]);
      const context = body.length > 0 ? await contextFromTar(body) : emptyContext();
      const dockerfile = dockerfileIn(context, file);
      if (dockerfile === undefined) throw new ApiError(400, `Cannot locate specified Dockerfile: ${file}`);
      const quiet = queryBool(q, 'q');
      const pull = queryBool(q, 'pull');
      const e = ctx.engine;
      const deps = nodeBuildDeps(e.root, e.images.store, {
        pull: async (ref) => {
          const registry = await ctx.registry();
          await registry.pull(ref);
          const image = await e.images.store.resolve(ref);
          return image;
        },
      });
      // From here on the answer is a stream: errors go into it, as dockerd's do.
      const lines = jsonLines(res);
      const plain = plainRenderer();
      const sink = (event: ProgressEvent) => {
        if (quiet) return;
        const text = plain(event);
        if (text) lines.write({ stream: text });
      };
      try {
        const result = await build(
          deps,
          {
            dockerfile,
            file: file.slice(file.lastIndexOf('/') + 1),
            context,
            tags,
            buildArgs: stringMap(q.get('buildargs'), 'buildargs'),
            labels: stringMap(q.get('labels'), 'labels'),
            ...(q.get('target') ? { target: q.get('target')! } : {}),
            noCache: queryBool(q, 'nocache'),
            pull,
          },
          sink,
        );
        for (const w of result.warnings) lines.write({ stream: `${w}\n` });
        lines.write({ aux: { ID: result.id } });
        // -q: the ID is the only output, as a stream (the docker CLI prints the streams it got).
        if (quiet) lines.write({ stream: `${result.id}\n` });
        else {
          lines.write({ stream: `Successfully built ${result.id.slice(7, 19)}\n` });
          for (const t of tags)
            lines.write({ stream: `Successfully tagged ${familiarString(parseReference(t))}\n` });
        }
      } catch (error) {
        const message = (error as Error).message;
        const output = (error as { output?: string }).output;
        if (quiet && output) lines.write({ stream: output });
        lines.write({ errorDetail: { message }, error: message });
      }
      lines.end();
    },
  },
  {
    method: 'POST',
    pattern: /^\/build\/prune$/,
    async handle(ctx, _req, res) {
      const { NodeBuildCache } = await import('../builder/node-build-cache.ts');
      const { keys, bytes } = await new NodeBuildCache(ctx.engine.root).prune();
      sendJson(res, 200, { CachesDeleted: keys, SpaceReclaimed: bytes });
    },
  },
];
