#!/usr/bin/env node
// Installs the Debian packages the tests use, and only those that are missing. Runs before
// `npm test` (pretest) and from .ci/run. Needs root (as CI and the dev machines are); without it
// it says what to install and goes on, and the tests that need a missing tool fail clearly.
import { execFileSync, spawnSync } from 'node:child_process';

const packages = {
  clang: '/usr/bin/clang',
  lld: '/usr/bin/wasm-ld',
  'wasi-libc': '/usr/include/wasm32-wasi/stdio.h',
  'libclang-rt-dev-wasm32': '/usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a',
  chromium: '/usr/bin/chromium',
  skopeo: '/usr/bin/skopeo',
  'docker-registry': '/usr/bin/docker-registry',
  'redis-tools': '/usr/bin/redis-cli',
  wrk: '/usr/bin/wrk',
  hyperfine: '/usr/bin/hyperfine',
  'apache2-utils': '/usr/bin/htpasswd',
  'busybox-static': '/bin/busybox',
  openssl: '/usr/bin/openssl',
  curl: '/usr/bin/curl',
  // Peers of `npm run bench`: podman with runc (crun refuses hybrid cgroup hosts).
  podman: '/usr/bin/podman',
  runc: '/usr/sbin/runc',
};

function installed(name) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax.
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

// The docker CLI (a client only: tests/docker-api drive `berth system service` with it) comes with
// these machines (/usr/local/bin/docker); Debian ships it only with the daemon (docker.io).
if (spawnSync('docker', ['--version']).status !== 0) {
  console.warn('berth tests: no docker CLI on PATH; tests/docker-api need one (Debian: docker.io)');
}

const missing = Object.keys(packages).filter((p) => !installed(p));
if (missing.length === 0) process.exit(0);
if (process.getuid?.() !== 0) {
  console.warn(`berth tests: missing Debian packages (run as root to install): ${missing.join(' ')}`);
  process.exit(0);
}
console.log(`berth tests: installing ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
