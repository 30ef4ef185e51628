// `-it` on a real terminal (a pty from tests/helpers/pty-drive.py): an interactive shell through
// berth's line discipline, from the berth CLI and from the docker CLI through the Engine API.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repo } from '../cli/cli-harness.ts';
import { type Service, startService } from './service-harness.ts';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
}, 60_000);
afterAll(() => svc?.stop());

function onPty(lines: string[], command: string[]): { shown: string; status: number | null } {
  const out = execFileSync(
    'python3',
    [join(repo, 'tests/helpers/pty-drive.py'), ...lines, '--', ...command],
    {
      env: { ...process.env, ...svc.env, BERTH_ROOT: svc.root, BERTH_ENGINE_IDLE_MS: '2000' },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return JSON.parse(out) as { shown: string; status: number | null };
}

const berthCli = [process.execPath, join(repo, 'bin', 'berth.cjs')];

describe('an interactive shell with -it', () => {
  for (const [who, cli] of [
    ['berth', berthCli],
    ['docker', ['docker']],
  ] as const) {
    test(`${who} run -it berthbox sh: a prompt, echo, Enter, exit status`, () => {
      const r = onPty(
        ['--prompt', '/ # ', 'echo typed-$((6*7))\n', 'exit 4\n'],
        [...cli, 'run', '-it', '--rm', 'berthbox', 'sh'],
      );
      const shown = r.shown.replace(/\r/g, '');
      expect(shown).toContain('/ # echo typed-$((6*7))\ntyped-42\n/ # exit 4\n');
      expect(r.status).toBe(4);
    });
  }

  test('docker exec -it into a running container; Ctrl-C ends docker run -it with 130', () => {
    expect(
      execFileSync('docker', ['run', '-d', '--name', 'tty-box', 'berthbox', 'sleep', '60'], {
        env: { ...process.env, ...svc.env },
      }),
    ).toBeTruthy();
    const exec = onPty(
      ['--prompt', '/ # ', 'echo in-exec\n', 'exit 3\n'],
      ['docker', 'exec', '-it', 'tty-box', 'sh'],
    );
    expect(exec.shown.replace(/\r/g, '')).toContain('in-exec\n');
    expect(exec.status).toBe(3);
    const interrupted = onPty(['\x03'], ['docker', 'run', '-it', '--rm', 'berthbox', 'sleep', '30']);
    expect(interrupted.status).toBe(130);
    execFileSync('docker', ['rm', '-f', 'tty-box'], { env: { ...process.env, ...svc.env } });
  });
});
