// The container lifecycle, with each verb's guard on the status itself (youki's canStart/canKill/
// canDelete). Verbs refresh the state first, so a guard always sees the truth.
//
//   created --start--> running --pause--> paused --unpause--> running
//   running/paused --stop|kill|process exit--> exited --start--> running
//   any --rm--> removing --> (gone);  a host that died while running -> exited (255)

export type ContainerStatus =
  | 'created'
  | 'running'
  | 'paused'
  | 'restarting'
  | 'removing'
  | 'exited'
  | 'dead';

export const isActive = (s: ContainerStatus): boolean =>
  s === 'running' || s === 'paused' || s === 'restarting';

export const canStart = (s: ContainerStatus): boolean => s === 'created' || s === 'exited';
/** A restarting container (waiting out its restart delay) can be stopped: that cancels the restart. */
export const canStop = (s: ContainerStatus): boolean =>
  s === 'running' || s === 'paused' || s === 'restarting';
export const canKill = (s: ContainerStatus): boolean => s === 'running' || s === 'paused';
export const canPause = (s: ContainerStatus): boolean => s === 'running';
export const canUnpause = (s: ContainerStatus): boolean => s === 'paused';
export const canRestart = (s: ContainerStatus): boolean => s !== 'removing' && s !== 'dead';
/** Without force only a container that is not running may go; `removing` is already going. */
export const canRemove = (s: ContainerStatus, force: boolean): boolean =>
  s !== 'removing' && (force || !isActive(s));
/** Filesystem operations that read the persisted writable layer (commit, cp, diff, export). */
export const canReadLayer = (s: ContainerStatus): boolean => s !== 'removing' && s !== 'dead';
