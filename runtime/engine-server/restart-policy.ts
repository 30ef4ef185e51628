// Docker's restart policies: `--restart=no|on-failure[:N]|always|unless-stopped`, and the rule
// the engine applies when a container's process ends. The delay doubles from 100 ms up to a
// minute, and starts over once a container stayed up for 10 s (as dockerd's restart manager).

import { UsageError } from '../errors.ts';

export interface RestartPolicy {
  Name: 'no' | 'on-failure' | 'always' | 'unless-stopped' | '';
  MaximumRetryCount: number;
}

export function parseRestartPolicy(spec: string): RestartPolicy {
  const [name, count, ...rest] = spec.split(':');
  const bad = () => new UsageError(`invalid restart policy format: ${spec}`);
  if (rest.length > 0) throw bad();
  switch (name) {
    case '':
    case 'no':
      if (count !== undefined)
        throw new UsageError(
          `invalid restart policy format: maximum retry count cannot be used with restart policy '${name}'`,
        );
      return { Name: 'no', MaximumRetryCount: 0 };
    case 'always':
    case 'unless-stopped':
      if (count !== undefined)
        throw new UsageError(
          `invalid restart policy format: maximum retry count cannot be used with restart policy '${name}'`,
        );
      return { Name: name, MaximumRetryCount: 0 };
    case 'on-failure': {
      if (count === undefined) return { Name: 'on-failure', MaximumRetryCount: 0 };
      if (!/^\d+$/.test(count))
        throw new UsageError(`invalid restart policy format: maximum retry count must be an integer`);
      return { Name: 'on-failure', MaximumRetryCount: Number(count) };
    }
    default:
      throw new UsageError(`invalid restart policy '${name}'`);
  }
}

export interface ExitFacts {
  exitCode: number;
  /** The user stopped or killed it (stop, kill, rm -f): no policy restarts it. */
  manual: boolean;
  /** Restarts done so far under this policy (the record's RestartCount). */
  restartCount: number;
}

/** Whether the policy restarts a container that just ended. */
export function shouldRestart(policy: RestartPolicy | undefined, exit: ExitFacts): boolean {
  if (!policy || exit.manual) return false;
  switch (policy.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return (
        exit.exitCode !== 0 &&
        (policy.MaximumRetryCount === 0 || exit.restartCount < policy.MaximumRetryCount)
      );
    default:
      return false;
  }
}

export const RESTART_MIN_DELAY_MS = 100;
export const RESTART_MAX_DELAY_MS = 60_000;
/** A container that ran at least this long starts over from the smallest delay. */
export const RESTART_RESET_AFTER_MS = 10_000;

/** The delay before the next restart, given the previous one and how long the container ran. */
export function nextRestartDelay(previousMs: number, ranForMs: number): number {
  if (ranForMs >= RESTART_RESET_AFTER_MS || previousMs <= 0) return RESTART_MIN_DELAY_MS;
  return Math.min(previousMs * 2, RESTART_MAX_DELAY_MS);
}
