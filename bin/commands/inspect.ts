// `inspect`, `container inspect`, `image inspect`: Docker's JSON shapes (fields that apply), or a
// Go template per object with -f.

import type { ContainerRecord } from '../../runtime/containers/container-record.ts';
import { imageInspectDocument } from '../../runtime/engine/image-inspect.ts';
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
    return imageInspectDocument(img);
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
      if (img) return imageInspectDocument(img);
    }
    if (!type || type === 'volume') {
      const v = await e.volumes.get(n);
      if (v) return v;
    }
    throw new NotFoundError(`No such object: ${n}`);
  });
}
