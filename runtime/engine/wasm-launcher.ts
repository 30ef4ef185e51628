// The wasm backend: a container's process is a WASI module on a pooled worker, its root the
// image layers plus the restored writable layer, which comes back as a diff tar at exit.

import { spawnWasm, warmProcessPool } from '../run-wasm.ts';
import {
  type ExecLaunchSpec,
  type LaunchSpec,
  type LaunchedProcess,
  type ProcessLauncher,
  launchMounts,
} from './process-launcher.ts';

export const wasmLauncher: ProcessLauncher = async (spec: LaunchSpec): Promise<LaunchedProcess> => {
  await warmProcessPool(1);
  const mounts = launchMounts(spec);
  const proc = spawnWasm(spec.module, {
    args: spec.args,
    env: spec.env,
    cwd: spec.cwd,
    mounts,
    ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}),
    stdout: spec.stdout,
    stderr: spec.stderr,
    ...(spec.memoryLimit ? { memoryLimit: spec.memoryLimit } : {}),
    ...(spec.network ? { network: spec.network } : {}),
    captureUpper: !spec.discardUpper,
    ...(spec.shareFs ? { shareFs: true } : {}),
    ...(spec.terminal ? { terminal: true } : {}),
  });
  return {
    exited: proc.exited,
    kill: (signal) => proc.kill(signal),
    stop: (graceMs) => proc.stop(graceMs),
    pause: () => proc.pause(),
    unpause: () => proc.unpause(),
    exec: (e: ExecLaunchSpec) =>
      proc.execProcess(e.module, {
        args: e.args,
        env: e.env,
        cwd: e.cwd,
        ...(e.stdin !== undefined ? { stdin: e.stdin } : {}),
        stdout: e.stdout,
        stderr: e.stderr,
        ...(e.terminal ? { terminal: true } : {}),
      }),
    openFs: () => proc.openFs(),
  };
};
