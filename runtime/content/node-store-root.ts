// Where berth keeps its state on disk: $BERTH_ROOT, else $XDG_DATA_HOME/berth, else
// ~/.local/share/berth (the XDG default).

import { homedir } from 'node:os';
import { join } from 'node:path';

export function berthRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_ROOT) return env.BERTH_ROOT;
  const data = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(data, 'berth');
}
