// `ps` / `container ls` and `top`: Docker's columns, filters, -q, --no-trunc, -s and --format.

import type { ContainerRecord } from '../../runtime/containers/container-record.ts';
import { InvalidStateError, UsageError } from '../../runtime/errors.ts';
import { renderList, renderTabsLines } from '../format/output.ts';
import { ellipsis, goTime, humanDuration, humanSize, shortId } from '../format/units.ts';
import { type Opts, engine, list, out, str } from './context.ts';

export function statusText(rec: ContainerRecord, now: number): string {
  const s = rec.State;
  const since = (iso: string) => humanDuration(now - Date.parse(iso));
  switch (s.Status) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${since(s.StartedAt)}`;
    case 'paused':
      return `Up ${since(s.StartedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  }
}

function ports(rec: ContainerRecord): string {
  if (!rec.State.Running) return '';
  // The ports as published at start (-P and "-p 80" get their host port then), else as asked.
  const published = rec.NetworkSettings?.Ports;
  const asked = published
    ? Object.entries(published).map(([k, v]) => [k, v ?? [{ HostIp: '', HostPort: '' }]] as const)
    : Object.entries(rec.HostConfig.PortBindings);
  return asked
    .flatMap(([ctr, bindings]) =>
      bindings.map((b) => (b.HostPort ? `${b.HostIp || '0.0.0.0'}:${b.HostPort}->${ctr}` : ctr)),
    )
    .join(', ');
}

export function psRow(rec: ContainerRecord, now: number, trunc: boolean) {
  const command = [rec.Path, ...rec.Args].join(' ');
  const labels = Object.entries(rec.Config.Labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    Command: JSON.stringify(trunc ? ellipsis(command, 20) : command),
    CreatedAt: goTime(rec.Created),
    ID: trunc ? rec.Id.slice(0, 12) : rec.Id,
    Image: /^sha256:/.test(rec.Config.Image) && trunc ? shortId(rec.Config.Image) : rec.Config.Image,
    Labels: labels,
    LocalVolumes: String(rec.Mounts.filter((m) => m.Type === 'volume').length),
    Mounts: rec.Mounts.map((m) => (m.Type === 'volume' ? m.Name : m.Source)).join(','),
    Names: rec.Name.replace(/^\//, ''),
    Networks: rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode,
    Ports: ports(rec),
    RunningFor: `${humanDuration(now - Date.parse(rec.Created))} ago`,
    Size: humanSize(rec.SizeRw ?? 0),
    State: rec.State.Status,
    Status: statusText(rec, now),
  };
}

function matches(rec: ContainerRecord, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid filter '${filter}'`);
  const key = filter.slice(0, eq);
  const value = filter.slice(eq + 1);
  switch (key) {
    case 'status':
      return rec.State.Status === value;
    case 'name':
      return new RegExp(value).test(rec.Name.replace(/^\//, ''));
    case 'id':
      return rec.Id.startsWith(value);
    case 'exited':
      return rec.State.Status === 'exited' && rec.State.ExitCode === Number(value);
    case 'ancestor':
      return (
        rec.Config.Image === value ||
        rec.Image === value ||
        rec.Image.replace('sha256:', '').startsWith(value)
      );
    case 'label': {
      const [k, ...v] = value.split('=');
      const have = rec.Config.Labels?.[k!];
      return have !== undefined && (v.length === 0 || have === v.join('='));
    }
    default:
      throw new UsageError(`invalid filter '${key}'`);
  }
}

export async function ps(_args: string[], o: Opts): Promise<number> {
  const filters = list(o.filter);
  const last = o.latest ? 1 : o.last !== undefined ? Number(o.last) : undefined;
  // Store only: ps never loads the process runtime, images or networks.
  const { listNodeContainers } = await import('../../runtime/engine/node-container-list.ts');
  let records = await listNodeContainers(
    o.all === true || last !== undefined || filters.some((f) => f.startsWith('status=')),
  );
  records = records.filter((r) => filters.every((f) => matches(r, f)));
  if (last !== undefined && last >= 0) records = records.slice(0, last);
  const now = Date.now();
  const trunc = o.trunc !== false;
  const rows = records.map((r) => psRow(r, now, trunc));
  const cols =
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
  out(
    renderList(rows, {
      format: str(o.format),
      quiet: o.quiet === true,
      quietField: 'ID',
      defaultTable: o.size ? `${cols}\t{{.Size}}` : cols,
      headers: {
        ID: 'CONTAINER ID',
        Image: 'IMAGE',
        Command: 'COMMAND',
        RunningFor: 'CREATED',
        CreatedAt: 'CREATED AT',
        Status: 'STATUS',
        Ports: 'PORTS',
        Names: 'NAMES',
        Size: 'SIZE',
        LocalVolumes: 'LOCAL VOLUMES',
      },
    }),
  );
  return 0;
}

export async function top(args: string[]): Promise<number> {
  const e = await engine();
  const rec = await e.inspect(args[0]!);
  if (!rec.State.Running) throw new InvalidStateError(`container ${rec.Id} is not running`);
  const started = new Date(rec.State.StartedAt);
  const stime = `${String(started.getHours()).padStart(2, '0')}:${String(started.getMinutes()).padStart(2, '0')}`;
  const cmd = [rec.Path, ...rec.Args].join(' ');
  out(
    renderTabsLines([
      'UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD',
      `root\t${rec.State.Pid}\t1\t0\t${stime}\t?\t00:00:00\t${cmd}`,
    ]),
  );
  return 0;
}
