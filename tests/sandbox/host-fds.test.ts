// The guest cannot touch the host's stdio or any host fd. Each case runs berth in a child Node
// process whose real stdout/stderr the test reads: only the child's own report may appear there.
// The child also holds a host file open and hands the guest that fd number to try.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestPath, repoRoot, tempFile } from './compile-guest.ts';
import { results } from './run-guest.ts';

const berthEntry = join(repoRoot, 'dist/index.js');
const child = join(repoRoot, 'tests/sandbox/host-stdio-child.mjs');

interface ChildReport {
  exit: { exitCode: number; trap?: string; error?: string };
  stdoutBytes: number;
  stdoutHead: string;
  stderr: string;
  hostFileAfter: string;
  maxRssMiB: number;
  hostFd: number;
}

function runChild(mode: 'capture' | 'discard' | 'spew', guestArgs: string[], timeout = 120_000) {
  if (!existsSync(berthEntry)) throw new Error(`${berthEntry} is missing: run \`npm run build\` first`);
  const hostFile = tempFile(`host-file-${mode}.txt`, 'host file content');
  const r = spawnSync(
    process.execPath,
    [child, berthEntry, guestPath('proof-sandbox'), hostFile, mode, ...guestArgs],
    {
      encoding: 'utf8',
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  const reportLine = lines.find((l) => l.startsWith('HOST-REPORT '));
  return {
    status: r.status,
    signal: r.signal,
    hostStdout: r.stdout,
    hostStderr: r.stderr,
    otherStdoutLines: lines.filter((l) => !l.startsWith('HOST-REPORT ')),
    report: reportLine ? (JSON.parse(reportLine.slice('HOST-REPORT '.length)) as ChildReport) : undefined,
    hostFile: readFileSync(hostFile, 'utf8'),
  };
}

const fdProbes = [
  ...['fdwrite', '1', 'guest-stdout-marker\n', 'fdwrite', '2', 'guest-stderr-marker\n'],
  ...[
    'fdwrite',
    'HOSTFD',
    'guest-wrote-host-fd',
    'fdread',
    'HOSTFD',
    'fdstat',
    'HOSTFD',
    'fdclose',
    'HOSTFD',
  ],
  ...['fdwrite', '3', 'into-the-preopen', 'fdwrite', '4', 'x', 'fdwrite', '9', 'x', 'fdwrite', '64', 'x'],
  ...[
    'fdwrite',
    '1000',
    'x',
    'fdwrite',
    '65535',
    'x',
    'fdwrite',
    '2147483647',
    'x',
    'fdwrite',
    '4294967295',
    'x',
  ],
  ...['fdread', '7', 'fdstat', '100', 'fdclose', '4096', 'fdrenumber', '77', '1', 'fdrenumber', '1', '88'],
];

describe('host stdio and fds are out of reach', () => {
  it("guest stdout/stderr go to the caller's sinks, never to the host process; fds beyond the table are EBADF", () => {
    const c = runChild('capture', fdProbes);
    expect(c.hostStderr).toBe('');
    expect(c.otherStdoutLines).toEqual([]);
    expect(c.status).toBe(0);
    const report = c.report!;
    expect(report.exit.exitCode).toBe(0);
    const out = results(report.stdoutHead);
    expect(report.stdoutHead).toContain('guest-stdout-marker\n');
    expect(report.stderr).toBe('guest-stderr-marker\n');
    for (const op of [
      'fdwrite HOSTFD guest-wrote-host-fd',
      'fdread HOSTFD',
      'fdstat HOSTFD',
      'fdclose HOSTFD',
      'fdwrite 4 x',
      'fdwrite 9 x',
      'fdwrite 64 x',
      'fdwrite 1000 x',
      'fdwrite 65535 x',
      'fdwrite 2147483647 x',
      'fdwrite 4294967295 x',
      'fdread 7',
      'fdstat 100',
      'fdclose 4096',
      'fdrenumber 77 1',
      'fdrenumber 1 88',
    ]) {
      const line = op.replace('HOSTFD', String(report.hostFd));
      expect(out.get(line), line).toBe('EBADF');
    }
    // The preopen is a directory: writing to it must fail (which errno is the runtime's choice).
    expect(out.get('fdwrite 3 into-the-preopen')).toMatch(/^E[A-Z]+$/);
    expect(report.hostFileAfter).toBe('host file content');
    expect(c.hostFile).toBe('host file content');
  });

  it('with no sinks, guest output is discarded, not written to the host stdout', () => {
    const c = runChild('discard', [
      'fdwrite',
      '1',
      'guest-stdout-marker\n',
      'fdwrite',
      '2',
      'guest-stderr-marker\n',
    ]);
    expect(c.hostStderr).toBe('');
    expect(c.otherStdoutLines).toEqual([]);
    expect(c.report!.exit.exitCode).toBe(0);
    expect(c.report!.stdoutBytes).toBe(0);
  });
});

describe('a guest that floods stdout', () => {
  it('1 GiB to stdout streams through with bounded host memory; the host survives', () => {
    const started = Date.now();
    const c = runChild('capture', ['spew', '1024', 'exit', '0'], 300_000);
    const seconds = (Date.now() - started) / 1000;
    expect(c.signal).toBeNull();
    expect(c.hostStderr).toBe('');
    expect(c.otherStdoutLines).toEqual([]);
    expect(c.status).toBe(0);
    const report = c.report!;
    expect(report.exit.exitCode).toBe(0);
    // Every byte reached the sink: the guest's op lines plus the gigabyte.
    expect(report.stdoutBytes).toBe(2 ** 30 + 'spew 1024: '.length + 'exit 0: '.length);
    expect(report.stderr).toBe('spew: wrote 1073741824 bytes\n');
    expect(report.stdoutHead.startsWith('spew 1024: xxxx')).toBe(true);
    // Back-pressure, not buffering: the host never holds the gigabyte.
    expect(report.maxRssMiB).toBeLessThan(512);
    console.log(`1 GiB stdout: ${seconds.toFixed(1)} s, child max RSS ${report.maxRssMiB} MiB`);
  }, 300_000);

  it('1 GiB to a discarded stdout finishes too', () => {
    const c = runChild('discard', ['spew', '1024'], 300_000);
    expect(c.status).toBe(0);
    expect(c.hostStdout.startsWith('HOST-REPORT ')).toBe(true);
    expect(c.report!.exit.exitCode).toBe(0);
    expect(c.report!.maxRssMiB).toBeLessThan(512);
  }, 300_000);
});
