// The inline backend of a foreground `berth run`: the container's process runs on the CLI's own
// thread (shims/process/inline-process.ts) when its module needs no event loop, so a short
// program starts without waiting for a worker thread to boot.

import {
  InlineProcess,
  type InlinePlatform,
  type RewrittenModules,
  runsInline,
} from '../../shims/process/inline-process.ts';
import {
  type InlineLauncher,
  type InlineProcessHandle,
  type LaunchSpec,
  launchMounts,
} from './process-launcher.ts';

export function createInlineLauncher(platform: InlinePlatform, rewritten?: RewrittenModules): InlineLauncher {
  return {
    accepts: (module) => runsInline(module),
    async launch(spec: LaunchSpec, poll: () => void): Promise<InlineProcessHandle> {
      const mounts = launchMounts(spec);
      const proc = await InlineProcess.prepare({
        bytes: spec.module,
        args: spec.args,
        env: spec.env,
        cwd: spec.cwd,
        mounts,
        ...(spec.memoryLimit ? { memoryLimit: spec.memoryLimit } : {}),
        stdout: spec.stdout,
        stderr: spec.stderr,
        captureUpper: !spec.discardUpper,
        ...(spec.terminal ? { terminal: true } : {}),
        platform,
        poll,
        ...(rewritten ? { rewritten } : {}),
      });
      return {
        exited: proc.exited,
        run: () => proc.run(),
        kill: (signal) => proc.kill(signal),
        stop: (graceMs) => proc.stop(graceMs),
        pause: () => proc.pause(),
        unpause: () => proc.unpause(),
      };
    },
  };
}
