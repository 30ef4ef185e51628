// `run -t` on a real terminal: util-linux `script` gives the CLI a pty of a chosen size, and the
// container sees that size as COLUMNS / LINES (WASI has no terminal ioctls).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTerminalSize } from '../../runtime/containers/container-start.ts';
import { newRoot, removeRoot, repo } from './cli-harness.ts';

let root: string;
beforeAll(() => {
  root = newRoot();
});
afterAll(async () => {
  // The network test started an engine for this root; it ends itself once idle.
  await new Promise((r) => setTimeout(r, 1500));
  removeRoot(root);
});

/** Runs `berth ARGS` on a pty of cols x rows; returns what the terminal showed. */
function onTerminal(cols: number, rows: number, args: string): string {
  const cmd = `stty cols ${cols} rows ${rows}; ${process.execPath} ${join(repo, 'bin/berth.js')} ${args}`;
  return execFileSync('script', ['-qec', cmd, '/dev/null'], {
    env: { ...process.env, BERTH_ROOT: root, BERTH_ENGINE_IDLE_MS: '1000' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  }).replace(/\r/g, '');
}

describe('run -t', () => {
  it("passes the terminal's size as COLUMNS and LINES", () => {
    const out = onTerminal(97, 31, `run --rm -t berthbox sh -c 'echo cols=$COLUMNS lines=$LINES'`);
    expect(out).toContain('cols=97 lines=31');
    expect(onTerminal(120, 40, `run --rm -t berthbox sh -c 'echo cols=$COLUMNS'`)).toContain('cols=120');
  });

  it('passes it to a container the engine hosts (user-defined network)', () => {
    execFileSync(process.execPath, [join(repo, 'bin/berth.js'), 'network', 'create', 'ttynet'], {
      env: { ...process.env, BERTH_ROOT: root },
    });
    const out = onTerminal(
      88,
      22,
      `run --rm -t --network ttynet berthbox sh -c 'echo cols=$COLUMNS lines=$LINES'`,
    );
    expect(out).toContain('cols=88 lines=22');
  });

  it('leaves a size the container sets, and sets none without -t', () => {
    expect(
      onTerminal(97, 31, `run --rm -t -e COLUMNS=5 berthbox sh -c 'echo cols=$COLUMNS lines=$LINES'`),
    ).toContain('cols=5 lines=31');
    expect(onTerminal(97, 31, `run --rm berthbox sh -c 'echo cols=$COLUMNS.'`)).toContain('cols=.');
  });
});

describe('withTerminalSize', () => {
  it('adds only what is missing, and only for a tty with a real size', () => {
    expect(withTerminalSize(['A=1'], true, { columns: 80, rows: 24 })).toEqual([
      'A=1',
      'COLUMNS=80',
      'LINES=24',
    ]);
    expect(withTerminalSize(['LINES=3'], true, { columns: 80, rows: 24 })).toEqual(['LINES=3', 'COLUMNS=80']);
    expect(withTerminalSize(['A=1'], false, { columns: 80, rows: 24 })).toEqual(['A=1']);
    expect(withTerminalSize(['A=1'], true, { columns: 0, rows: 0 })).toEqual(['A=1']);
    expect(withTerminalSize(['A=1'], true, undefined)).toEqual(['A=1']);
  });
});
