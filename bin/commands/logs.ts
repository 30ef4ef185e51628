// `logs [-f] [--tail N] [-t] [--since T] [--until T]`: the container's stdout/stderr as recorded
// (runtime/containers keeps them bounded, json-file-like), on the same streams.

import { UsageError } from '../../runtime/errors.ts';
import { type LogEntry, lastLogLines } from '../../runtime/containers/container-store.ts';
import { type Opts, engine, str } from './context.ts';

function write(entries: LogEntry[], timestamps: boolean): void {
  for (const entry of entries) {
    const stream = entry.stream === 'stderr' ? process.stderr : process.stdout;
    if (timestamps) stream.write(`${entry.time.replace(/Z$/, '000000Z')} `);
    stream.write(entry.bytes);
  }
}

/** Docker's --since/--until: RFC 3339 (or a date), Unix seconds, or a Go duration before now. */
export function parseLogTime(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const duration = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(value)
    ? [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)].reduce(
        (t, m) => t + Number(m[1]) * units[m[2]!]!,
        0,
      )
    : undefined;
  if (duration !== undefined) return now - duration;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UsageError(`invalid value for "since"/"until": ${value}: not a timestamp or duration`);
  return t;
}

function within(entries: LogEntry[], since: number | undefined, until: number | undefined): LogEntry[] {
  if (since === undefined && until === undefined) return entries;
  return entries.filter((e) => {
    const t = Date.parse(e.time);
    return (since === undefined || t >= since) && (until === undefined || t < until);
  });
}

export async function logs(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const tailOpt = str(o.tail) ?? 'all';
  if (tailOpt !== 'all' && !/^\d+$/.test(tailOpt))
    throw new UsageError(`invalid value for --tail: ${tailOpt}`);
  const since = str(o.since) !== undefined ? parseLogTime(str(o.since)!) : undefined;
  const until = str(o.until) !== undefined ? parseLogTime(str(o.until)!) : undefined;
  const first = await e.logs(args[0]!);
  const shown = within(first.entries, since, until);
  write(tailOpt === 'all' ? shown : lastLogLines(shown, Number(tailOpt)), o.timestamps === true);
  if (!o.follow || (until !== undefined && until <= Date.now())) return 0;
  let { offset, running } = first;
  while (running) {
    await new Promise((r) => setTimeout(r, 100));
    const next = await e.logs(args[0]!, offset).catch(() => undefined);
    if (!next) break;
    write(within(next.entries, since, until), o.timestamps === true);
    ({ offset, running } = next);
  }
  // The last lines a process wrote just before it ended.
  const rest = await e.logs(args[0]!, offset).catch(() => undefined);
  if (rest) write(within(rest.entries, since, until), o.timestamps === true);
  return 0;
}
