// `berth system service` for tests: started on a unix socket under a temporary BERTH_ROOT, and the
// real docker CLI (/usr/local/bin/docker, no dockerd anywhere) pointed at it with DOCKER_HOST and
// a config dir of its own.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type CliResult, berth, repo } from '../cli/cli-harness.ts';
import { ENV, cleanup, ensureBuilt, newRoot } from '../detach/detach-harness.ts';

export interface Service {
  readonly root: string;
  readonly socket: string;
  /** Environment for the docker CLI: DOCKER_HOST, DOCKER_CONFIG, HOME in the root. */
  readonly env: Record<string, string>;
  docker(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliResult>;
  berth(args: string[]): Promise<CliResult>;
  /** What the service wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** `env`: more environment for the service process (its config dirs, proxies). */
export async function startService(options: { env?: Record<string, string> } = {}): Promise<Service> {
  await ensureBuilt();
  const root = newRoot();
  const socket = join(root, 'api', 'docker.sock');
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repo, 'bin', 'berth.cjs'), 'system', 'service', `unix://${socket}`],
    { env: { ...process.env, ...ENV, ...options.env, BERTH_ROOT: root }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const deadline = Date.now() + 20_000;
  while (!(await answers(socket))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`berth system service did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const env = {
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_CONFIG: join(home, '.docker'),
    HOME: home,
    DOCKER_CLI_HINTS: 'false',
  };
  const docker = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    new Promise<CliResult>((resolve, reject) => {
      const p = spawn('docker', args, {
        env: { ...process.env, ...env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (c) => (out += c));
      p.stderr.on('data', (c) => (err += c));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err }));
      p.stdin.end(options.input);
    });
  return {
    root,
    socket,
    env,
    docker,
    berth: (args) => berth(root, args, { env: ENV }),
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await cleanup(root);
    },
  };
}
