// A container's status as Docker words it for people ("Up 5 seconds", "Exited (0) 2 minutes
// ago"): `ps`'s STATUS column and the Engine API's container list (runtime/docker-api) say the same.

import type { ContainerSummary } from './container-record.ts';

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

export function statusText(rec: ContainerSummary, now: number): string {
  const s = rec.State;
  const since = (iso: string) => humanDuration(now - Date.parse(iso));
  switch (s.Status) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${since(s.StartedAt)}`;
    case 'paused':
      return `Up ${since(s.StartedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  }
}
