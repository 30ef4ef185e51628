// `berth exec` through the real CLI against one engine: the exec'd process shares the container's
// live filesystem both ways, its exit code is the CLI's, stdin works with -i, its writes stay in
// the writable layer across stop/start, and it dies with the container.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../overlay/tar-write.ts';
import { type CliResult, berth, berthBackground } from '../cli/cli-harness.ts';
import { ENV, cleanup, cli, ensureBuilt, inspect, newRoot, waitFor } from '../detach/detach-harness.ts';

let root: string;

const withInput = (args: string[], input: string | Uint8Array): Promise<CliResult> =>
  berth(root, args, { env: ENV, input });

// A guest that never spawns (so only the engine's shared filesystem lets exec see its files):
// `watch` answers /tmp/ping with /tmp/pong; `put PATH TEXT` and `get PATH` are its exec side.
const GUEST = `
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "watch")) {
    for (;;) {
      if (access("/tmp/ping", F_OK) == 0) { FILE *f = fopen("/tmp/pong", "w"); fputs("seen\\n", f); fclose(f); }
      usleep(50000);
    }
  }
  if (argc > 3 && !strcmp(argv[1], "put")) { FILE *f = fopen(argv[2], "w"); fputs(argv[3], f); fclose(f); return 0; }
  if (argc > 2 && !strcmp(argv[1], "get")) {
    FILE *f = fopen(argv[2], "r");
    if (!f) return 2;
    char buf[256]; size_t n = fread(buf, 1, sizeof buf, f); fwrite(buf, 1, n, stdout); return 0;
  }
  return 64;
}
`;

async function guestRootfs(): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-exec-guest-'));
  try {
    writeFileSync(join(dir, 'g.c'), GUEST);
    execFileSync('clang', [
      '--target=wasm32-wasi',
      '-O2',
      '-Wl,--strip-all',
      join(dir, 'g.c'),
      '-o',
      join(dir, 'g.wasm'),
    ]);
    const t = 1_700_000_000_000_000_000n;
    const entry = { uid: 0, gid: 0, mtimeNs: t };
    return writeTar([
      { name: 'tmp', type: 'dir', mode: 0o1777, ...entry },
      { name: 'bin', type: 'dir', mode: 0o755, ...entry },
      {
        name: 'bin/g',
        type: 'file',
        mode: 0o755,
        ...entry,
        data: new Uint8Array(readFileSync(join(dir, 'g.wasm'))),
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  await ensureBuilt();
  root = newRoot();
  const r = await cli(
    root,
    [
      'run',
      '-d',
      '--name',
      'box',
      'berthbox',
      'sh',
      '-c',
      'while true; do if [ -f /tmp/ping ]; then echo seen > /tmp/pong; fi; sleep 0.1; done',
    ],
    { BERTH_ENGINE_IDLE_MS: '30000' },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await cleanup(root);
});

describe('berth exec', () => {
  it('shares the live filesystem both ways with the main process', async () => {
    const put = await cli(root, ['exec', 'box', 'sh', '-c', 'echo hi > /tmp/ping']);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    const pong = await waitFor(async () => {
      const r = await cli(root, ['exec', 'box', 'cat', '/tmp/pong']);
      return r.code === 0 ? r : undefined;
    });
    expect(pong.stdout).toBe('seen\n');
  });

  it("returns the process's exit code, 127 for a missing command", async () => {
    expect((await cli(root, ['exec', 'box', 'sh', '-c', 'exit 3'])).code).toBe(3);
    const missing = await cli(root, ['exec', 'box', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/no-such-command.*not found/);
    const notFile = await cli(root, ['exec', 'box', '/tmp']);
    expect(notFile.code).toBe(126);
  });

  it('-i feeds stdin; -e and -w apply', async () => {
    const hostname = (await inspect(root, 'box')).Config.Hostname as string;
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    const r = await withInput(['exec', '-i', 'box', 'sh'], 'echo $HOSTNAME\nexit\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${hostname}\n`);
    const env = await cli(root, ['exec', '-e', 'WHO=you', '-w', '/tmp', 'box', 'sh', '-c', 'echo $WHO; pwd']);
    expect(env.stdout).toBe('you\n/tmp\n');
  });

  it('keeps exec writes in the writable layer across stop/start, and diff lists them', async () => {
    expect((await cli(root, ['stop', '-t', '1', 'box'])).code).toBe(0);
    const stopped = await cli(root, ['exec', 'box', 'ls']);
    expect(stopped.code).toBe(1); // Docker: "Error response from daemon: container … is not running"
    expect(stopped.stderr).toMatch(/^berth: container [0-9a-f]{64} is not running\n$/);
    const diff = await cli(root, ['diff', 'box']);
    expect(diff.stdout).toContain('A /tmp/ping\n');
    expect((await cli(root, ['start', 'box'])).code).toBe(0);
    const again = await cli(root, ['exec', 'box', 'cat', '/tmp/ping']);
    expect(again.stdout).toBe('hi\n');
  });

  it('an exec -d process runs on; killing the container ends attached exec processes', async () => {
    expect((await cli(root, ['exec', '-d', 'box', 'sh', '-c', 'echo bg > /tmp/bg'])).code).toBe(0);
    await waitFor(
      async () => (await cli(root, ['exec', 'box', 'cat', '/tmp/bg'])).stdout === 'bg\n' || undefined,
    );
    const started = Date.now();
    const waiting = cli(root, ['exec', 'box', 'sleep', '60']);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await cli(root, ['kill', 'box'])).code).toBe(0);
    const ended = await waiting;
    expect(ended.code).toBe(137);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('reaches the files of a guest that never spawns (the engine shares every filesystem)', async () => {
    const imported = await withInput(['import', '-', 'gimg'], await guestRootfs());
    expect(imported.code).toBe(0);
    expect((await cli(root, ['run', '-d', '--name', 'solo', 'gimg', '/bin/g', 'watch'])).code).toBe(0);
    expect((await cli(root, ['exec', 'solo', '/bin/g', 'put', '/tmp/ping', 'x'])).code).toBe(0);
    const pong = await waitFor(async () => {
      const r = await cli(root, ['exec', 'solo', '/bin/g', 'get', '/tmp/pong']);
      return r.code === 0 ? r : undefined;
    });
    expect(pong.stdout).toBe('seen\n');
    await cli(root, ['kill', 'solo']);
  });

  it('refuses a container that runs in the foreground of another berth process', async () => {
    const fg = berthBackground(root, ['run', '--name', 'fg', 'berthbox', 'sleep', '20']);
    try {
      await waitFor(
        async () =>
          (await inspect(root, 'fg').catch(() => undefined))?.State.Status === 'running' || undefined,
      );
      const r = await cli(root, ['exec', 'fg', 'ls']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/is not exec-able: it runs in the foreground of another berth process/);
    } finally {
      fg.kill('SIGKILL');
    }
  });
});
