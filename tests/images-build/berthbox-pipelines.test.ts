// Pipelines, external commands and `&` need berth's process imports (images/include/berth_proc.h),
// so these run berthbox through berth itself (runWasm), with the image's layout in a host directory
// mounted at /: /bin/berthbox and a few applet names as copies of it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWasm } from '../../runtime/run-wasm.ts';
import { collector, processRuntime } from '../process/guest.ts';
import { berthboxWasm } from './berthbox-harness.ts';

const runtime = processRuntime(4);
const berthbox = new Uint8Array(readFileSync(berthboxWasm));
const rootDir = mkdtempSync(join(tmpdir(), 'berthbox-root-'));
mkdirSync(join(rootDir, 'bin'));
for (const name of ['berthbox', 'sh', 'cat', 'echo']) copyFileSync(berthboxWasm, join(rootDir, 'bin', name));
writeFileSync(join(rootDir, 'words.txt'), 'pear\napple\nfig\napple\n');
afterAll(async () => {
  await runtime.pool.close();
  rmSync(rootDir, { recursive: true, force: true });
});

async function sh(script: string, stdin?: string) {
  const out = collector();
  const err = collector();
  const exit = await runWasm(berthbox, {
    runtime,
    args: ['sh', '-c', script],
    env: { PATH: '/bin', HOME: '/' },
    mounts: [{ source: rootDir, target: '/' }],
    stdout: out.sink,
    stderr: err.sink,
    ...(stdin !== undefined ? { stdin } : {}),
  });
  return { code: exit.exitCode, stdout: out.text(), stderr: err.text() };
}

describe('berthbox sh pipelines through berth processes', () => {
  it('a two-stage pipeline of applets', async () => {
    expect(await sh('echo hello | tr a-z A-Z')).toEqual({ code: 0, stdout: 'HELLO\n', stderr: '' });
  });

  it('a longer pipeline over a file', async () => {
    expect((await sh('cat words.txt | sort | uniq -c | sort -rn | head -n 1')).stdout).toBe(
      '      2 apple\n',
    );
  });

  it('an endless producer ends when its reader is done', async () => {
    expect(await sh('yes | head -n 3')).toEqual({ code: 0, stdout: 'y\ny\ny\n', stderr: '' });
  });

  it('a compound stage runs in a child shell; the last stage runs in this shell', async () => {
    const r = await sh(
      'for i in 3 1 2; do echo $i; done | sort | while read n; do last=$n; echo "n=$n"; done; echo "last=$last"',
    );
    expect(r.stdout).toBe('n=1\nn=2\nn=3\nlast=3\n');
  });

  it('the pipeline status is the last stage', async () => {
    expect((await sh('true | false; echo $?; false | true; echo $?')).stdout).toBe('1\n0\n');
  });

  it('external programs run through PATH, with redirections', async () => {
    const r = await sh('/bin/cat words.txt | /bin/echo external; sh -c "exit 5"; echo $?');
    expect(r.stdout).toBe('external\n5\n');
  });

  it('xargs runs an applet for each batch', async () => {
    expect((await sh('echo a b c | xargs -n 1 echo item')).stdout).toBe('item a\nitem b\nitem c\n');
  });

  it('background jobs and wait', async () => {
    const r = await sh('(sleep 0.2; echo late) & echo early; wait; echo done');
    expect(r.stdout).toBe('early\nlate\ndone\n');
  });

  it('stdin flows into the first stage', async () => {
    expect((await sh('cat | wc -l', 'a\nb\nc\n')).stdout).toBe('3\n');
  });
});
