// `image inspect` as Docker prints it (ImageInspect): the CLI's `berth image inspect` and the
// Engine API's GET /images/{name}/json answer with the same document.

import type { EngineImage } from './engine-images.ts';

/** Docker's ImageInspect: the config as a container config, sizes, and the layer diff ids. */
export function imageInspectDocument(img: EngineImage): object {
  const c = img.config;
  const cc = c.config ?? {};
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
      Hostname: '',
      Domainname: '',
      User: cc.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ...(cc.ExposedPorts ? { ExposedPorts: cc.ExposedPorts } : {}),
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: cc.Env ?? null,
      Cmd: cc.Cmd ?? null,
      Image: '',
      Volumes: cc.Volumes ?? null,
      WorkingDir: cc.WorkingDir ?? '',
      Entrypoint: cc.Entrypoint ?? null,
      OnBuild: null,
      Labels: cc.Labels ?? null,
      ...(cc.StopSignal ? { StopSignal: cc.StopSignal } : {}),
    },
    Architecture: c.architecture,
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os,
    ...(c['os.version'] ? { OsVersion: c['os.version'] } : {}),
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Data: null, Name: 'overlay' },
    RootFS: { Type: 'layers', Layers: c.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}
