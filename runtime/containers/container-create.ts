// `create`: image config + the user's flags -> a container record, with Docker's rules for
// Entrypoint/Cmd, Env, WorkingDir, hostname, mounts and names. Nothing runs yet.

import type { EngineImage } from '../engine/engine-images.ts';
import { InvalidReferenceError, NotFoundError, UnsupportedError, UsageError } from '../errors.ts';
import { familiarString, parseReference } from '../oci/reference.ts';
import type { ContainerContext } from './container-context.ts';
import { checkName, newContainerId, randomName } from './container-names.ts';
import { type ContainerRecord, type MountPoint, initialState } from './container-record.ts';
import { findNetwork } from '../networks/engine-networks.ts';
import { parsePublish } from '../networks/port-spec.ts';

export interface CreateSpec {
  image: string;
  name?: string;
  /** `--entrypoint`: '' clears the image's entrypoint; an array (the Engine API's) is the whole of it. */
  entrypoint?: string | string[];
  /** Arguments after the image: replace the image's Cmd. */
  cmd: string[];
  /** `-e` / `--env-file` entries, already KEY=VALUE. */
  env: string[];
  workdir?: string;
  hostname?: string;
  user?: string;
  tty?: boolean;
  interactive?: boolean;
  /** `-v` specs: host:ctr[:ro], volume:ctr[:ro]. */
  volumes: string[];
  publish: string[];
  labels?: Record<string, string>;
  autoRemove?: boolean;
  memory?: number;
  /** `--pull`: fetch the image first (`always`), only when absent (`missing`, default), or `never`. */
  pull?: PullPolicy;
  /** `--platform` for a pull. */
  platform?: string;
  /** `--restart` (runtime/engine-server/restart-policy.ts parses it); default no. */
  restart?: { Name: string; MaximumRetryCount: number };
  /** `--network` (default bridge; 'none'), `--network-alias`, `--add-host name:ip`, `-P`. */
  network?: string;
  networkAliases?: string[];
  /**
   * Take the network address at the first start, not now (a foreground `run`, which starts at
   * once): a container that then runs inline (no sockets) never takes one. Not with aliases.
   */
  lazyNetwork?: boolean;
  addHosts?: string[];
  publishAll?: boolean;
}

export type PullPolicy = 'always' | 'missing' | 'never';

/** Fetches an image into the image store; `shown` is the familiar name for messages. */
export type ImagePuller = (
  ref: string,
  opts: { reason: 'missing' | 'always'; shown: string; platform?: string },
) => Promise<void>;

export class ImageNotFoundError extends NotFoundError {
  constructor(readonly reference: string) {
    super(`Unable to find image '${reference}' locally`);
  }
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MIN_MEMORY = 6 * 1024 * 1024;

/** Docker's ReplaceOrAppendEnvValues: later entries replace same-named ones, keeping order. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  for (const entry of overrides) {
    const key = entry.split('=')[0]!;
    const i = out.findIndex((e) => e.split('=')[0] === key);
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}

/** The environment the process sees: Docker's defaults, then the container's Env. */
export function processEnv(rec: ContainerRecord): string[] {
  const defaults = [DEFAULT_PATH, `HOSTNAME=${rec.Config.Hostname}`];
  if (rec.Config.Tty) defaults.push('TERM=xterm');
  // WASI has no working directory: the WorkingDir reaches the guest as PWD, which wasi-libc
  // programs honour with images/include/berth_cwd.h (berthbox does). See ARCHITECTURE.md.
  const workdir = rec.Config.WorkingDir;
  if (workdir && workdir !== '/') defaults.push(`PWD=${workdir}`);
  return mergeEnv(defaults, rec.Config.Env);
}

export async function resolveImage(
  ctx: ContainerContext,
  ref: string,
  pull: { pull?: PullPolicy; platform?: string } = {},
): Promise<EngineImage> {
  const policy = pull.pull ?? 'missing';
  let shown: string | undefined;
  try {
    shown = familiarString(parseReference(ref));
  } catch (e) {
    if (e instanceof InvalidReferenceError && !/^[0-9a-f]{1,64}$/.test(ref)) throw e;
  }
  // Like Docker, an image id is never pulled; a name is pulled when asked or when absent.
  const puller = shown !== undefined && policy !== 'never' ? ctx.pullImage : undefined;
  const platform = pull.platform;
  if (puller && policy === 'always') await puller(ref, { reason: 'always', shown: shown!, platform });
  const image = await ctx.images.resolve(ref);
  if (image) return image;
  if (puller && policy === 'missing') {
    await puller(ref, { reason: 'missing', shown: shown!, platform });
    const pulled = await ctx.images.resolve(ref);
    if (pulled) return pulled;
  }
  throw new ImageNotFoundError(shown ?? ref);
}

async function parseVolumes(ctx: ContainerContext, specs: string[]): Promise<MountPoint[]> {
  const mounts: MountPoint[] = [];
  for (const spec of specs) {
    const parts = spec.split(':');
    if (parts.length > 3 || parts.some((p) => p === '')) {
      throw new UsageError(`invalid volume specification: '${spec}'`);
    }
    let [source, target, mode] = parts.length === 1 ? [undefined, parts[0]!, undefined] : parts;
    if (parts.length === 2 && !parts[1]!.startsWith('/'))
      [source, target, mode] = [undefined, parts[0]!, parts[1]];
    if (!target!.startsWith('/')) {
      throw new UsageError(
        `invalid volume specification: '${spec}': invalid mount config: mount path must be absolute`,
      );
    }
    if (mode !== undefined && !/^(ro|rw)$/.test(mode)) throw new UsageError(`invalid mode: ${mode}`);
    const rw = mode !== 'ro';
    if (source?.startsWith('/')) {
      mounts.push({
        Type: 'bind',
        Source: source,
        Destination: target!,
        Mode: mode ?? '',
        RW: rw,
        Propagation: 'rprivate',
      });
    } else {
      const volume = await ctx.volumes.create(source);
      mounts.push({
        Type: 'volume',
        Name: volume.Name,
        Source: volume.Mountpoint,
        Destination: target!,
        Driver: 'local',
        Mode: mode ?? 'z',
        RW: rw,
        Propagation: '',
      });
    }
  }
  return mounts;
}

/** `--network` must name an existing network (checked before any record exists); `--add-host` name:ip. */
async function checkNetwork(ctx: ContainerContext, spec: CreateSpec): Promise<string> {
  const mode = spec.network ?? 'bridge';
  for (const h of spec.addHosts ?? []) {
    if (!/^[^:=\s]+[:=]\S+$/.test(h))
      throw new UsageError(`invalid argument "${h}" for "--add-host" flag: bad format for add-host: "${h}"`);
  }
  if (!ctx.networks) return mode;
  if (mode === 'host')
    throw new UnsupportedError('network mode "host" is not supported by berth (its networks are virtual)');
  const net = findNetwork(await ctx.networks.store.list(), mode);
  if (!net) throw new NotFoundError(`network ${mode} not found`);
  return net.Name;
}

export async function createContainer(ctx: ContainerContext, spec: CreateSpec): Promise<ContainerRecord> {
  const image = await resolveImage(ctx, spec.image, spec);
  if (!image.wasm) {
    throw new UnsupportedError(
      `image ${spec.image} is for ${image.platform}, not wasm: the wasm backend cannot run it (no runc backend configured)`,
    );
  }
  if (spec.memory !== undefined && spec.memory > 0 && spec.memory < MIN_MEMORY) {
    throw new UsageError('Minimum memory limit allowed is 6MB');
  }
  const name = spec.name !== undefined ? checkName(spec.name) : undefined;
  const cfg = image.config.config ?? {};
  const id = newContainerId();
  let entrypoint = cfg.Entrypoint ?? null;
  let cmd = cfg.Cmd ?? null;
  if (spec.entrypoint !== undefined) {
    const given = typeof spec.entrypoint === 'string' ? [spec.entrypoint] : spec.entrypoint;
    // Docker: an empty entrypoint ('' or [""]) clears the image's.
    entrypoint = given.length === 0 || (given.length === 1 && given[0] === '') ? null : given;
    cmd = null; // Docker: a new entrypoint drops the image's Cmd
  }
  if (spec.cmd.length > 0) cmd = spec.cmd;
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (argv.length === 0) throw new UsageError('no command specified');
  // Docker prepares the root filesystem at create: a missing or corrupt layer fails here, before
  // any record exists (the Layers are cached, so start does not read them twice in one process).
  await ctx.images.layers(image);
  const mounts = await parseVolumes(ctx, spec.volumes);
  const networkMode = await checkNetwork(ctx, spec);
  const lazy = spec.lazyNetwork === true && (spec.networkAliases ?? []).length === 0;
  const now = new Date(ctx.host.now()).toISOString();
  const record: ContainerRecord = {
    Id: id,
    Created: now,
    Path: argv[0]!,
    Args: argv.slice(1),
    State: initialState(),
    Image: image.id,
    Name: '',
    RestartCount: 0,
    Driver: 'overlay',
    Platform: image.platform,
    HostConfig: {
      Binds: spec.volumes.length ? spec.volumes : null,
      AutoRemove: spec.autoRemove ?? false,
      Memory: spec.memory ?? 0,
      PortBindings: parsePublish(spec.publish),
      NetworkMode: networkMode,
      ...(spec.publishAll ? { PublishAllPorts: true } : {}),
      ExtraHosts: spec.addHosts?.length ? spec.addHosts : null,
      RestartPolicy: spec.restart ?? { Name: 'no', MaximumRetryCount: 0 },
    },
    Mounts: mounts,
    Config: {
      Hostname: spec.hostname ?? id.slice(0, 12),
      Domainname: '',
      User: spec.user ?? cfg.User ?? '',
      AttachStdin: spec.interactive ?? false,
      AttachStdout: true,
      AttachStderr: true,
      ...(cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {}),
      Tty: spec.tty ?? false,
      OpenStdin: spec.interactive ?? false,
      StdinOnce: spec.interactive ?? false,
      Env: mergeEnv(cfg.Env ?? [], spec.env),
      Cmd: cmd,
      Image: spec.image,
      Volumes: cfg.Volumes ?? null,
      WorkingDir: spec.workdir ?? (cfg.WorkingDir || ''),
      Entrypoint: entrypoint,
      Labels: { ...(cfg.Labels ?? {}), ...(spec.labels ?? {}) },
      ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
    },
    SizeRw: 0,
  };
  if (lazy) record.LazyNetwork = true;
  if (name !== undefined) {
    record.Name = `/${name}`;
    await ctx.store.create(record);
    if (!lazy) await ctx.networks?.join(id, record.Name, networkMode, spec.networkAliases ?? []);
    return record;
  }
  for (let attempt = 0; ; attempt++) {
    record.Name = `/${randomName()}${attempt >= 3 ? attempt : ''}`;
    try {
      await ctx.store.create(record);
      if (!lazy) await ctx.networks?.join(id, record.Name, networkMode, spec.networkAliases ?? []);
      return record;
    } catch (e) {
      if (attempt > 10 || (e as { code?: string }).code !== 'BERTH_CONFLICT') throw e;
    }
  }
}
