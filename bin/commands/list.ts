// `ps` / `container ls` and `top`: Docker's columns, filters, -q, --no-trunc, -s and --format.

import type { ContainerSummary } from '../../runtime/containers/container-record.ts';
import { InvalidStateError, UsageError } from '../../runtime/errors.ts';
import { renderList, renderTabsLines } from '../format/output.ts';
import { renderCells } from '../format/table.ts';
import { statusText } from '../../runtime/containers/container-status-text.ts';
import { ellipsis, goTime, humanDuration, humanSize, shortId } from '../format/units.ts';

import { type Opts, engine, list, out, str } from './context.ts';

function ports(rec: ContainerSummary): string {
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

/** Every field a `ps --format` template can read, in Docker's `{{json .}}` order. */
const PS_FIELDS = [
  'Command',
  'CreatedAt',
  'ID',
  'Image',
  'Labels',
  'LocalVolumes',
  'Mounts',
  'Names',
  'Networks',
  'Ports',
  'RunningFor',
  'Size',
  'State',
  'Status',
] as const;
type PsField = (typeof PS_FIELDS)[number];
const isPsField = (f: string): f is PsField => (PS_FIELDS as readonly string[]).includes(f);

function psField(rec: ContainerSummary, field: PsField, now: number, trunc: boolean): string {
  switch (field) {
    case 'Command': {
      const command = [rec.Path, ...rec.Args].join(' ');
      return JSON.stringify(trunc ? ellipsis(command, 20) : command);
    }
    case 'CreatedAt':
      return goTime(rec.Created);
    case 'ID':
      return trunc ? rec.Id.slice(0, 12) : rec.Id;
    case 'Image':
      return trunc && rec.Config.Image.startsWith('sha256:') ? shortId(rec.Config.Image) : rec.Config.Image;
    case 'Labels':
      return Object.entries(rec.Config.Labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
    case 'LocalVolumes':
      return String(rec.Mounts.filter((m) => m.Type === 'volume').length);
    case 'Mounts':
      return rec.Mounts.map((m) => (m.Type === 'volume' ? m.Name : m.Source)).join(',');
    case 'Names':
      return rec.Name.startsWith('/') ? rec.Name.slice(1) : rec.Name;
    case 'Networks':
      return rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
    case 'Ports':
      return ports(rec);
    case 'RunningFor':
      return `${humanDuration(now - Date.parse(rec.Created))} ago`;
    case 'Size':
      return humanSize(rec.SizeRw ?? 0);
    case 'State':
      return rec.State.Status;
    case 'Status':
      return statusText(rec, now);
  }
}

/** One `ps` row: every field, or only `fields` (what the format reads; the rest costs per row). */
export function psRow(
  rec: ContainerSummary,
  now: number,
  trunc: boolean,
  fields: readonly PsField[] = PS_FIELDS,
): Record<string, string> {
  const row: Record<string, string> = {};
  for (const f of fields) row[f] = psField(rec, f, now, trunc);
  return row;
}

export const PS_HEADERS: Record<string, string> = {
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
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  State: 'STATE',
};

/** The fields a format reads when it reads nothing but plain fields (`{{.ID}}`); else all of them. */
function fieldsOf(format: string): readonly PsField[] {
  const fields: PsField[] = [];
  const rest = format.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, f: string) => {
    if (isPsField(f)) fields.push(f);
    return '';
  });
  return rest.includes('{{') ? PS_FIELDS : fields;
}

/**
 * A `table` of plain fields separated by tabs (the default layout), rendered cell by cell: the
 * same bytes as renderList, without a template run and a re-split per row. Undefined when the
 * format is anything else, or a value holds a tab or newline (renderList splits those as Docker).
 */
function plainTable(records: ContainerSummary[], format: string, now: number, trunc: boolean) {
  if (!format.startsWith('table ') && !format.startsWith('table\t')) return undefined;
  const body = format.slice(6).trim().replace(/\\t/g, '\t');
  if (!/^\{\{\.\w+\}\}(\t\{\{\.\w+\}\})*$/.test(body)) return undefined;
  const fields = body.split('\t').map((f) => f.slice(3, -2));
  if (!fields.every(isPsField)) return undefined;
  const lines: string[][] = [fields.map((f) => PS_HEADERS[f]!)];
  for (const rec of records) {
    const cells = fields.map((f) => psField(rec, f, now, trunc));
    if (cells.some((c) => c.includes('\t') || c.includes('\n'))) return undefined;
    if (cells.length > 1 || cells[0] !== '') lines.push(cells);
  }
  return renderCells(lines);
}

function matches(rec: ContainerSummary, filter: string): boolean {
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
  out(renderPs(records, o, Date.now()));
  return 0;
}

/** The rows of `ps` as Docker prints them for these options (--format, -q, -s, --no-trunc). */
export function renderPs(records: ContainerSummary[], o: Opts, now: number): string {
  const trunc = o.trunc !== false;
  const quiet = o.quiet === true;
  const cols =
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
  const defaultTable = o.size ? `${cols}\t{{.Size}}` : cols;
  let format = str(o.format)?.trim() || defaultTable;
  if (format === 'table') format = defaultTable;
  const fast = quiet ? undefined : plainTable(records, format, now, trunc);
  if (fast !== undefined) return fast;
  const fields = quiet ? (['ID'] as const) : format === 'json' ? PS_FIELDS : fieldsOf(format);
  const rows = records.map((r) => psRow(r, now, trunc, fields));
  return renderList(rows, { format, quiet, quietField: 'ID', defaultTable, headers: PS_HEADERS });
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
