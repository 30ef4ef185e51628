// What berth keeps about a container: one JSON document per container, written atomically, read
// by every later command. Field names follow Docker's inspect output where they mean the same.

import type { NetworkSettings } from '../networks/engine-networks.ts';
import type { ContainerStatus } from './container-status.ts';

export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface HostConfig {
  Binds: string[] | null;
  AutoRemove: boolean;
  Memory: number;
  PortBindings: Record<string, PortBinding[]>;
  NetworkMode: string;
  RestartPolicy: { Name: string; MaximumRetryCount: number };
  /** `-P`: every exposed port on a free host port. */
  PublishAllPorts?: boolean;
  /** `--add-host name:ip`. */
  ExtraHosts?: string[] | null;
}

export interface MountPoint {
  Type: 'bind' | 'volume';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  /** Host pid of the berth process hosting the container's process (0 when none). */
  Pid: number;
  /** Start time of that host process (ticks since boot on Linux) so a reused pid is not mistaken. */
  HostStart?: string;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

export interface ContainerRecord {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  /** Config digest of the image (`sha256:…`). */
  Image: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  HostConfig: HostConfig;
  Mounts: MountPoint[];
  Config: ContainerConfig;
  /** Bytes of the persisted writable layer (for `ps -s` and `system df`). */
  SizeRw: number;
  /** Addresses and published ports as of the last start (runtime/networks). */
  NetworkSettings?: NetworkSettings;
  /** berth's own: created without its network address, which the first start takes. */
  LazyNetwork?: boolean;
}

/**
 * What a listing (`ps`) reads of a record; the store's listing index keeps only this, about 60% of
 * a record (node-container-listing.ts). A ContainerRecord is one.
 */
export interface ContainerSummary
  extends Pick<
    ContainerRecord,
    'Id' | 'Created' | 'Path' | 'Args' | 'State' | 'Image' | 'Name' | 'Mounts' | 'SizeRw'
  > {
  HostConfig: Pick<HostConfig, 'NetworkMode' | 'PortBindings'> & Partial<Pick<HostConfig, 'AutoRemove'>>;
  Config: Pick<ContainerConfig, 'Image' | 'Labels'>;
  NetworkSettings?: Pick<NetworkSettings, 'Ports'>;
}

export function summarize(rec: ContainerRecord): ContainerSummary {
  return {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: rec.State,
    Image: rec.Image,
    Name: rec.Name,
    Mounts: rec.Mounts,
    SizeRw: rec.SizeRw,
    HostConfig: {
      NetworkMode: rec.HostConfig.NetworkMode,
      PortBindings: rec.HostConfig.PortBindings,
      ...(rec.HostConfig.AutoRemove ? { AutoRemove: true } : {}),
    },
    Config: { Image: rec.Config.Image, Labels: rec.Config.Labels },
    ...(rec.NetworkSettings ? { NetworkSettings: { Ports: rec.NetworkSettings.Ports } } : {}),
  };
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(): ContainerState {
  return {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: ZERO_TIME,
    FinishedAt: ZERO_TIME,
  };
}

/** Sets the status and the booleans Docker derives from it, in one place. */
export function withStatus(state: ContainerState, status: ContainerStatus): ContainerState {
  return {
    ...state,
    Status: status,
    Running: status === 'running' || status === 'paused',
    Paused: status === 'paused',
    Restarting: status === 'restarting',
    Dead: status === 'dead',
  };
}
