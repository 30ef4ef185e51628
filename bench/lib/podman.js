// Podman as a peer: a busybox image built locally (no registry to pull from) and a
// containers.conf with the ulimits Debian's podman needs here. Says exactly why when it cannot run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PODMAN_IMAGE = 'localhost/berth-bench-busybox:latest';
const out = fileURLToPath(new URL('../.out/', import.meta.url));

const sh = (cmd, args, env) => spawnSync(cmd, args, { encoding: 'utf8', env });
const firstLine = (r) =>
  `${r.stderr || r.stdout || r.error?.message || `exit ${r.status}`}`.trim().split('\n').at(-1);

/** {ok: true, env} when `podman run --rm IMAGE /bin/true` works; else {ok: false, why}. */
export function preparePodman() {
  if (sh('podman', ['--version']).status !== 0)
    return { ok: false, why: 'podman is not installed (apt-get install podman runc)' };
  if (sh('runc', ['--version']).status !== 0)
    return { ok: false, why: 'runc is not installed (apt-get install runc; crun cannot use hybrid cgroups)' };
  mkdirSync(out, { recursive: true });
  const conf = join(out, 'containers.conf');
  // crun refuses this host's hybrid cgroups ("cgroups in hybrid mode not supported"): use runc.
  writeFileSync(
    conf,
    '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n',
  );
  const env = { ...process.env, CONTAINERS_CONF: conf };
  if (sh('podman', ['image', 'exists', PODMAN_IMAGE], env).status !== 0) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-bb-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
      symlinkSync('busybox', join(dir, 'bin/true'));
      const tar = join(dir, 'busybox.tar');
      const t = sh('tar', ['-C', dir, '-cf', tar, 'bin']);
      if (t.status !== 0) return { ok: false, why: `tar: ${firstLine(t)}` };
      const i = sh('podman', ['import', tar, PODMAN_IMAGE], env);
      if (i.status !== 0) return { ok: false, why: `podman import: ${firstLine(i)}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const r = sh('podman', ['run', '--rm', PODMAN_IMAGE, '/bin/true'], env);
  if (r.status !== 0) return { ok: false, why: `podman run: ${firstLine(r)}` };
  return { ok: true, env };
}
