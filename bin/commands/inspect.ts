// `inspect`, `container inspect`, `image inspect`: Docker's JSON shapes (fields that apply), or a
// Go template per object with -f.

import type { ContainerRecord } from '../../runtime/containers/container-record.ts';
import type { EngineImage } from '../../runtime/engine/engine-images.ts';
import type { Engine } from '../../runtime/engine.ts';
import { NotFoundError } from '../../runtime/errors.ts';
import { renderInspect } from '../format/output.ts';
import { type Opts, engine, out, reportError, str } from './context.ts';

export function containerJson(e: Engine, rec: ContainerRecord, size: boolean): object {
  const { HostStart: _hostStart, ...state } = rec.State;
  const logDir = `${e.root}/containers/${rec.Id}`;
  return {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: state,
    Image: rec.Image,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: `${logDir}/container.log`,
    Name: rec.Name,
    RestartCount: rec.RestartCount,
    Driver: rec.Driver,
    Platform: rec.Platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: rec.HostConfig,
    GraphDriver: { Data: { UpperDir: `${logDir}/upper.bin` }, Name: 'overlay' },
    ...(size ? { SizeRw: rec.SizeRw, SizeRootFs: rec.SizeRw } : {}),
    Mounts: rec.Mounts,
    Config: rec.Config,
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      Ports: rec.NetworkSettings?.Ports ?? Object.fromEntries(Object.entries(rec.HostConfig.PortBindings)),
      Networks: rec.NetworkSettings?.Networks ?? {},
    },
  };
}

export function imageJson(img: EngineImage): object {
  const c = img.config;
  return {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Parent: '',
    Comment: c.history?.at(-1)?.comment ?? '',
    Created: img.created,
    DockerVersion: '',
    Author: c.author ?? '',
    Config: {
      Env: c.config?.Env ?? null,
      Cmd: c.config?.Cmd ?? null,
      Entrypoint: c.config?.Entrypoint ?? null,
      WorkingDir: c.config?.WorkingDir ?? '',
      Labels: c.config?.Labels ?? null,
      ...(c.config?.ExposedPorts ? { ExposedPorts: c.config.ExposedPorts } : {}),
      ...(c.config?.Volumes ? { Volumes: c.config.Volumes } : {}),
      ...(c.config?.User ? { User: c.config.User } : {}),
      ...(c.config?.StopSignal ? { StopSignal: c.config.StopSignal } : {}),
    },
    Architecture: c.architecture,
    Os: c.os,
    ...(c.variant ? { Variant: c.variant } : {}),
    Size: img.size,
    GraphDriver: { Data: null, Name: 'overlay' },
    RootFS: { Type: 'layers', Layers: c.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

async function inspectEach(
  names: string[],
  o: Opts,
  find: (name: string) => Promise<object>,
): Promise<number> {
  const found: object[] = [];
  let code = 0;
  const errors: unknown[] = [];
  for (const n of names) {
    try {
      found.push(await find(n));
    } catch (e) {
      errors.push(e);
    }
  }
  const format = str(o.format);
  if (found.length || !format) out(renderInspect(found, format));
  for (const e of errors) code = reportError(e);
  return code;
}

export async function containerInspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return inspectEach(args, o, async (n) => containerJson(e, await e.inspect(n), o.size === true));
}

export async function imageInspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return inspectEach(args, o, async (n) => {
    const img = await e.images.resolve(n);
    if (!img) throw new NotFoundError(`No such image: ${n}`);
    return imageJson(img);
  });
}

export async function inspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const type = str(o.type);
  return inspectEach(args, o, async (n) => {
    if (!type || type === 'container') {
      const rec = await e
        .inspect(n)
        .catch((err) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
      if (rec) return containerJson(e, rec, o.size === true);
    }
    if (!type || type === 'image') {
      const img = await e.images.resolve(n);
      if (img) return imageJson(img);
    }
    if (!type || type === 'volume') {
      const v = await e.volumes.get(n);
      if (v) return v;
    }
    throw new NotFoundError(`No such object: ${n}`);
  });
}
