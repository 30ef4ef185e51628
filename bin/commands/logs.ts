// `logs [-f] [--tail N] [-t]`: the container's stdout/stderr as recorded, on the same streams.

import { UsageError } from '../../runtime/errors.ts';
import type { LogEntry } from '../../runtime/containers/container-store.ts';
import { type Opts, engine, str } from './context.ts';

function write(entries: LogEntry[], timestamps: boolean): void {
  for (const entry of entries) {
    const stream = entry.stream === 'stderr' ? process.stderr : process.stdout;
    if (timestamps) stream.write(`${entry.time.replace(/Z$/, '000000Z')} `);
    stream.write(entry.bytes);
  }
}

/** Keeps the last `n` lines across chunks (a chunk may hold several lines or part of one). */
function tail(entries: LogEntry[], n: number): LogEntry[] {
  const lines: LogEntry[] = [];
  for (const e of entries) {
    const text = Buffer.from(e.bytes);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === 10) {
        lines.push({ ...e, bytes: text.subarray(start, i + 1) });
        start = i + 1;
      }
    }
    if (start < text.length) lines.push({ ...e, bytes: text.subarray(start) });
  }
  return n === 0 ? [] : lines.slice(-n);
}

export async function logs(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const tailOpt = str(o.tail) ?? 'all';
  if (tailOpt !== 'all' && !/^\d+$/.test(tailOpt))
    throw new UsageError(`invalid value for --tail: ${tailOpt}`);
  const first = await e.logs(args[0]!);
  write(tailOpt === 'all' ? first.entries : tail(first.entries, Number(tailOpt)), o.timestamps === true);
  if (!o.follow) return 0;
  let { offset, running } = first;
  while (running) {
    await new Promise((r) => setTimeout(r, 100));
    const next = await e.logs(args[0]!, offset).catch(() => undefined);
    if (!next) break;
    write(next.entries, o.timestamps === true);
    ({ offset, running } = next);
  }
  return 0;
}
