// network create / ls / inspect / rm / connect / disconnect / prune, and `port`.

import {
  connectNetwork,
  createNetwork,
  disconnectNetwork,
  inspectNetwork,
  listNetworks,
  pruneNetworks,
  removeNetwork,
} from '../../runtime/networks/commands.ts';
import type { NetworkStore } from '../../runtime/networks/network-store.ts';
import { NotFoundError, UsageError } from '../../runtime/errors.ts';
import { renderInspect, renderList } from '../format/output.ts';
import { type Opts, eachTarget, engine, list, out, reportError, str } from './context.ts';

async function store(): Promise<NetworkStore> {
  const e = await engine();
  if (!e.networks) throw new Error('this engine has no networks');
  return e.networks.store;
}

const labels = (o: Opts) =>
  Object.fromEntries(list(o.label).map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')]));

export async function create(args: string[], o: Opts): Promise<number> {
  const net = await createNetwork(await store(), args[0]!, {
    ...(str(o.subnet) ? { subnet: str(o.subnet)! } : {}),
    ...(str(o.gateway) ? { gateway: str(o.gateway)! } : {}),
    ...(str(o.driver) ? { driver: str(o.driver)! } : {}),
    internal: o.internal === true,
    labels: labels(o),
  });
  out(`${net.Id}\n`);
  return 0;
}

export async function ls(_args: string[], o: Opts): Promise<number> {
  const rows = (await listNetworks(await store())).map((n) => ({
    ID: o.trunc === false ? n.Id : n.Id.slice(0, 12),
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    Internal: String(n.Internal),
    Labels: Object.entries(n.Labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  }));
  out(
    renderList(rows, {
      format: str(o.format),
      quiet: o.quiet === true,
      quietField: 'ID',
      defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
      headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE' },
    }),
  );
  return 0;
}

export async function inspect(args: string[], o: Opts): Promise<number> {
  const s = await store();
  const found: object[] = [];
  let code = 0;
  for (const ref of args) {
    try {
      found.push(await inspectNetwork(s, ref));
    } catch (e) {
      code = reportError(e);
    }
  }
  if (found.length || !str(o.format)) out(renderInspect(found, str(o.format)));
  return code;
}

export async function rm(args: string[]): Promise<number> {
  const s = await store();
  return eachTarget(args, (ref) => removeNetwork(s, ref));
}

export async function connect(args: string[], o: Opts): Promise<number> {
  const [network, ref] = args;
  const e = await engine();
  const rec = await e.find(ref!);
  await connectNetwork(await store(), network!, { id: rec.Id, name: rec.Name }, list(o.alias));
  return 0;
}

export async function disconnect(args: string[]): Promise<number> {
  const [network, ref] = args;
  const e = await engine();
  const rec = await e.find(ref!);
  await disconnectNetwork(await store(), network!, rec.Id);
  return 0;
}

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]`: "80/tcp -> 127.0.0.1:32768" lines. */
export async function port(args: string[]): Promise<number> {
  const [ref, wanted] = args;
  const e = await engine();
  const rec = await e.inspect(ref!);
  const ports =
    (rec as { NetworkSettings?: { Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> } })
      .NetworkSettings?.Ports ?? {};
  const running = rec.State.Running;
  let key: string | undefined;
  if (wanted !== undefined) {
    const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(wanted);
    if (!m) throw new UsageError(`Invalid port: ${wanted}`);
    key = `${m[1]}/${m[2] ?? 'tcp'}`;
  }
  const lines: string[] = [];
  for (const [k, bindings] of Object.entries(running ? ports : {})) {
    if (key && k !== key) continue;
    for (const b of bindings ?? [])
      lines.push(key ? `${b.HostIp}:${b.HostPort}` : `${k} -> ${b.HostIp}:${b.HostPort}`);
  }
  if (key && lines.length === 0) {
    throw new NotFoundError(`No public port '${key}' published for ${ref}`);
  }
  out(lines.map((l) => `${l}\n`).join(''));
  return 0;
}

/** `network prune [-f]`: every user network no container is on. */
export async function prune(_args: string[], o: Opts): Promise<number> {
  const { confirm } = await import('./system.ts');
  if (
    !(await confirm(
      'WARNING! This will remove all custom networks not used by at least one container.',
      o.force === true,
    ))
  )
    return 0;
  const removed = await pruneNetworks(await store());
  if (removed.length) out(`Deleted Networks:\n${removed.join('\n')}\n\n`);
  return 0;
}
