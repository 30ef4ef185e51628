// `container inspect` as Docker prints it: the CLI's `berth inspect` and the Engine API's
// GET /containers/{id}/json answer with the same document.

import type { ContainerRecord } from '../containers/container-record.ts';

export function containerInspectDocument(root: string, rec: ContainerRecord, size: boolean): object {
  const { HostStart: _hostStart, ...state } = rec.State;
  const logDir = `${root}/containers/${rec.Id}`;
  const networks = rec.NetworkSettings?.Networks ?? {};
  // Docker repeats the default bridge's address at the top of NetworkSettings.
  const bridge = networks.bridge;
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
      Gateway: bridge?.Gateway ?? '',
      IPAddress: bridge?.IPAddress ?? '',
      IPPrefixLen: bridge?.IPPrefixLen ?? 0,
      MacAddress: '',
      Ports: rec.NetworkSettings?.Ports ?? Object.fromEntries(Object.entries(rec.HostConfig.PortBindings)),
      Networks: networks,
    },
  };
}
