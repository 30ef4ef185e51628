// A minimal container record for store and listing tests.

import { newContainerId } from '../../runtime/containers/container-names.ts';
import { type ContainerRecord, initialState } from '../../runtime/containers/container-record.ts';

export function record(name: string): ContainerRecord {
  return {
    Id: newContainerId(),
    Created: new Date().toISOString(),
    Path: '/x.wasm',
    Args: [],
    State: initialState(),
    Image: 'sha256:00',
    Name: `/${name}`,
    RestartCount: 0,
    Driver: 'overlay',
    Platform: 'wasi/wasm',
    HostConfig: {
      Binds: null,
      AutoRemove: false,
      Memory: 0,
      PortBindings: {},
      NetworkMode: 'bridge',
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
    Mounts: [],
    Config: {
      Hostname: 'h',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: [],
      Cmd: null,
      Image: 'x',
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      Labels: {},
    },
    SizeRw: 0,
  };
}
