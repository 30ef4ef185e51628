// volume create / ls / inspect / rm / prune.

import { ConflictError, NotFoundError } from '../../runtime/errors.ts';
import { renderInspect, renderList } from '../format/output.ts';
import { type Opts, eachTarget, engine, list, out, reportError, str } from './context.ts';

export async function create(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const labels = Object.fromEntries(
    list(o.label).map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')]),
  );
  const v = await e.volumes.create(args[0] ?? str(o.name), labels);
  out(`${v.Name}\n`);
  return 0;
}

export async function ls(_args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const rows = (await e.volumes.list()).map((v) => ({
    Driver: v.Driver,
    Name: v.Name,
    Labels: Object.entries(v.Labels)
      .map(([k, val]) => `${k}=${val}`)
      .join(','),
    Mountpoint: v.Mountpoint,
    Scope: v.Scope,
  }));
  out(
    renderList(rows, {
      format: str(o.format),
      quiet: o.quiet === true,
      quietField: 'Name',
      defaultTable: 'table {{.Driver}}\t{{.Name}}',
      headers: {
        Driver: 'DRIVER',
        Name: 'VOLUME NAME',
        Mountpoint: 'MOUNTPOINT',
        Scope: 'SCOPE',
        Labels: 'LABELS',
      },
    }),
  );
  return 0;
}

export async function inspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const found: object[] = [];
  let code = 0;
  for (const n of args) {
    const v = await e.volumes.get(n);
    if (v) found.push(v);
    else code = reportError(new NotFoundError(`get ${n}: no such volume`));
  }
  if (found.length || !str(o.format)) out(renderInspect(found, str(o.format)));
  return code;
}

export async function rm(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const containers = await e.list(true);
  return eachTarget(args, async (name) => {
    const users = containers.filter((c) => c.Mounts.some((m) => m.Type === 'volume' && m.Name === name));
    if (users.length && !o.force) {
      throw new ConflictError(`remove ${name}: volume is in use - [${users.map((c) => c.Id).join(', ')}]`);
    }
    await e.volumes.remove(name);
    return name;
  });
}

export async function prune(): Promise<number> {
  const e = await engine();
  const used = new Set((await e.list(true)).flatMap((c) => c.Mounts.map((m) => m.Name)));
  const removed: string[] = [];
  for (const v of await e.volumes.list()) {
    if (used.has(v.Name)) continue;
    await e.volumes.remove(v.Name);
    removed.push(v.Name);
  }
  if (removed.length) out(`Deleted Volumes:\n${removed.join('\n')}\n\n`);
  out('Total reclaimed space: 0B\n');
  return 0;
}
