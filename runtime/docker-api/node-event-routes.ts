// GET /events: container events as they happen (create, start, pause, unpause, die, destroy),
// seen by watching the container store every 100 ms while a client listens. berth keeps no event
// history: a `since` in the past gives what happens from now on; `until` ends the stream then.
// A container that starts and ends between two looks (a quick `run --rm`) shows create and
// destroy only.

import type { ContainerSummary } from '../containers/container-record.ts';
import { ApiError, parseFilters, type Route } from './node-api-http.ts';

const POLL_MS = 100;

interface Seen {
  status: string;
  startedAt: string;
  image: string;
  name: string;
  exitCode: number;
}

const seenOf = (c: ContainerSummary): Seen => ({
  status: c.State.Status,
  startedAt: c.State.StartedAt,
  image: c.Config.Image,
  name: c.Name.replace(/^\//, ''),
  exitCode: c.State.ExitCode,
});

/** The actions that take a container from `before` to `now` (either may be absent). */
function transitions(before: Seen | undefined, now: Seen | undefined): string[] {
  if (!before && now) {
    const actions = ['create'];
    if (now.status === 'running' || now.status === 'paused') actions.push('start');
    if (now.status === 'paused') actions.push('pause');
    if (now.status === 'exited') actions.push('start', 'die');
    return actions;
  }
  if (before && !now)
    return before.status === 'running' || before.status === 'paused' ? ['die', 'destroy'] : ['destroy'];
  if (!before || !now) return [];
  const actions: string[] = [];
  const ran = (s: string) => s === 'running' || s === 'paused';
  if (now.startedAt !== before.startedAt) {
    // Started again since the last look (a restart, or a start and an exit in between).
    if (ran(before.status)) actions.push('die');
    actions.push('start');
    if (!ran(now.status)) actions.push('die');
  } else if (ran(before.status) && !ran(now.status)) actions.push('die');
  if (before.status !== 'paused' && now.status === 'paused') actions.push('pause');
  if (before.status === 'paused' && now.status === 'running') actions.push('unpause');
  return actions;
}

function parseTime(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isNaN(n)) return n * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ApiError(400, `invalid time: ${v}`);
  return t;
}

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/events$/,
    async handle(ctx, req, res) {
      const until = parseTime(req.query.get('until'));
      const filters = parseFilters(req.query.get('filters'));
      const wantType = filters.get('type');
      const wantEvent = filters.get('event');
      const wantContainer = filters.get('container');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      const send = (id: string, action: string, s: Seen) => {
        if (wantType && !wantType.includes('container')) return;
        if (wantEvent && !wantEvent.includes(action)) return;
        if (wantContainer && !wantContainer.some((c) => id.startsWith(c) || c === s.name)) return;
        const now = Date.now();
        const attributes: Record<string, string> = { image: s.image, name: s.name };
        if (action === 'die' && s.exitCode >= 0) attributes.exitCode = String(s.exitCode);
        res.write(
          `${JSON.stringify({
            status: action,
            id,
            from: s.image,
            Type: 'container',
            Action: action,
            Actor: { ID: id, Attributes: attributes },
            scope: 'local',
            time: Math.floor(now / 1000),
            timeNano: now * 1_000_000,
          })}\n`,
        );
      };
      const snapshot = async () => new Map((await ctx.engine.list(true)).map((c) => [c.Id, seenOf(c)]));
      let known = await snapshot();
      let open = true;
      res.on('close', () => (open = false));
      while (open && (until === undefined || Date.now() < until)) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        const now = await snapshot();
        for (const id of new Set([...known.keys(), ...now.keys()])) {
          const before = known.get(id);
          const after = now.get(id);
          // A container gone since the last look: its exit code went with its record.
          const seen = after ?? { ...before!, exitCode: -1 };
          for (const action of transitions(before, after)) send(id, action, seen);
        }
        known = now;
      }
      res.end();
    },
  },
];
