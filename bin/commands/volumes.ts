// volume create / ls / inspect / rm / prune.

import { NotFoundError } from '../../runtime/errors.ts';
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
  const { removeVolume } = await import('../../runtime/volumes/volume-commands.ts');
  return eachTarget(args, async (name) => {
    await removeVolume(e, name, o.force === true);
    return name;
  });
}

export async function prune(_args: string[] = [], o: Opts = {}): Promise<number> {
  const e = await engine();
  const { pruneVolumes } = await import('../../runtime/volumes/volume-commands.ts');
  const removed = await pruneVolumes(e);
  if (removed.length) out(`Deleted Volumes:\n${removed.join('\n')}\n\n`);
  const { total } = await import('./system.ts');
  total(o, 0);
  return 0;
}
