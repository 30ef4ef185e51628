// Starts the real Debian `docker-registry` (distribution 2.8) on 127.0.0.1 with its own storage
// directory and config, optionally behind htpasswd basic auth or a bearer-token service. One
// implementation for the tests (tests/helpers/registry-server.ts re-exports it with types from
// registry-server.d.ts) and the benchmarks (plain JS, so `node bench/…` needs no TypeScript
// loader). Tests talk to the real server; nothing here imitates it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function htpasswdLine(user, password) {
  return execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }).trim();
}

function configYaml(dir, port, opts) {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (opts.users) {
    const file = join(dir, 'htpasswd');
    const body = Object.entries(opts.users).map(([u, p]) => htpasswdLine(u, p));
    writeFileSync(file, `${body.join('\n')}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
  } else if (opts.token) {
    const t = opts.token;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${t.realm}`,
      `    service: ${t.service}`,
      `    issuer: ${t.issuer}`,
      `    rootcertbundle: ${t.rootCertPath}`,
    );
  }
  if (opts.extraYaml) lines.push(opts.extraYaml);
  return `${lines.join('\n')}\n`;
}

async function waitReady(url, child, stderr) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not start: ${stderr()}`);
}

export async function startRegistry(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, configYaml(dir, port, opts));
  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => err);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    url,
    storageDir: join(dir, 'data'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
