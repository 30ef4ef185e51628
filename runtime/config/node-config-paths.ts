// Where berth's settings and credentials live on disk (Node). Follows XDG like the data root.
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/berth`, else `~/.config/berth`. */
export function berthConfigDir(env: Env = process.env): string {
  const home = env.HOME || homedir();
  const base = env.XDG_CONFIG_HOME || join(home, '.config');
  return join(base, 'berth');
}

/** Settings, shaped like Docker's daemon.json. */
export function berthConfigPath(env: Env = process.env): string {
  return join(berthConfigDir(env), 'config.json');
}

/** Credentials, in Docker's config.json format (like podman's auth.json), mode 0600. */
export function berthAuthPath(env: Env = process.env): string {
  return join(berthConfigDir(env), 'auth.json');
}

/** Docker's own credentials file, read (never written) so an existing `docker login` carries over. */
export function dockerConfigPath(env: Env = process.env): string {
  const home = env.HOME || homedir();
  return join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json');
}
