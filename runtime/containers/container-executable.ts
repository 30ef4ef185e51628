// Finds argv[0] in the container's filesystem the way execvp does (PATH search unless it has a
// '/'), and fails with Docker's exit codes: 127 when there is no such file, 126 when it is not
// something berth can execute (a directory, not a wasm module).

import { BerthError } from '../errors.ts';
import type { Vfs } from '../../overlay/vfs.ts';
import { isWasm, readWholeFile } from './container-fs.ts';

export class ExecError extends BerthError {
  override readonly code = 'BERTH_EXEC' as const;
}

const prefix = 'failed to create task for container: exec:';

export function findExecutable(
  /** A container's filesystem: as persisted (start) or live (exec). */
  fs: { readonly vfs: Pick<Vfs, 'stat' | 'open'> },
  argv0: string,
  env: string[],
  cwd: string,
): { path: string; bytes: Uint8Array } {
  const candidates: string[] = [];
  if (argv0.includes('/'))
    candidates.push(argv0.startsWith('/') ? argv0 : `${cwd.replace(/\/$/, '')}/${argv0}`);
  else {
    const path = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/bin:/usr/bin:/bin';
    for (const dir of path.split(':')) if (dir) candidates.push(`${dir.replace(/\/$/, '')}/${argv0}`);
  }
  let denied: string | undefined;
  for (const path of candidates) {
    const st = fs.vfs.stat(path, true);
    if ('code' in st) continue;
    if (st.type !== 'file') {
      denied ??= path;
      continue;
    }
    const bytes = readWholeFile(fs.vfs, path);
    if ('code' in bytes) continue;
    if (!isWasm(bytes)) {
      throw new ExecError(`${prefix} "${argv0}": ${path} is not a WebAssembly module: exec format error`, {
        exitCode: 126,
      });
    }
    return { path, bytes };
  }
  if (denied) throw new ExecError(`${prefix} "${argv0}": permission denied`, { exitCode: 126 });
  if (argv0.includes('/')) {
    throw new ExecError(`${prefix} "${argv0}": stat ${argv0}: no such file or directory`, { exitCode: 127 });
  }
  throw new ExecError(`${prefix} "${argv0}": executable file not found in $PATH`, { exitCode: 127 });
}
