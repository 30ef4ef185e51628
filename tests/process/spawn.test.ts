import { afterAll, describe, expect, it } from 'vitest';
import { Layer } from '../../overlay/layer.ts';
import { writeTar } from '../../overlay/tar-write.ts';
import { type Mount, runWasm } from '../../runtime/run-wasm.ts';
import { collector, guest, processRuntime } from './guest.ts';

const runtime = processRuntime(3);
const spawner = guest('process-spawn');
afterAll(() => runtime.pool.close());

const file = (name: string, data?: Uint8Array) => ({
  name,
  type: data ? ('file' as const) : ('dir' as const),
  mode: data ? 0o755 : 0o755,
  uid: 0,
  gid: 0,
  mtimeNs: 0n,
  ...(data ? { data } : {}),
});

async function image(): Promise<Mount> {
  const tar = await writeTar([file('bin'), file('bin/probe', guest('process-probe')), file('tmp')]);
  return { type: 'layers', target: '/', layers: [await Layer.fromTar(tar)] };
}

async function run(command: string, captureUpper = false) {
  const out = collector();
  const err = collector();
  const exit = await runWasm(spawner, {
    runtime,
    args: ['spawner', command],
    mounts: [await image()],
    stdout: out.sink,
    stderr: err.sink,
    captureUpper,
  });
  return { exit, out: out.text(), err: err.text() };
}

describe('berth.proc_spawn and friends', () => {
  it('a parent waits for a child and gets its exit status; a second wait is ECHILD', async () => {
    const r = await run('spawn-exit');
    expect(r.exit.exitCode).toBe(0);
    expect(r.out).toBe('child exited 7\nsecond wait errno 12\n');
  });

  it('pipes: the parent writes into a pipe, a child cats it to the shared stdout', async () => {
    const r = await run('pipeline');
    expect(r.exit.exitCode).toBe(0);
    expect(r.out).toBe('through the pipe\ncat exited 0\n');
    expect(r.err).toBe('cat: 17 bytes\n');
  });

  it('a child shares its parent’s filesystem, and the upper layer comes back', async () => {
    const r = await run('shared-fs', true);
    expect(r.exit.exitCode).toBe(0);
    expect(r.out).toBe('parent read: written by the child\n');
    expect(new TextDecoder().decode(r.exit.upper)).toContain('written by the child');
  });

  it('kills a child in an endless loop (proc_kill) and reports the signal', async () => {
    const r = await run('kill');
    expect(r.exit.exitCode).toBe(0);
    expect(r.out).toBe('nohang pid 0\nsignaled 1 sig 9\n');
  });

  it('fd_dup gives a second number for the same stdout', async () => {
    const r = await run('dup');
    expect(r.out).toBe('via dup\n');
  });

  it('when the first process exits, the container’s other processes are killed', async () => {
    const r = await run('orphan');
    expect(r.exit.exitCode).toBe(9);
    expect(r.out).toBe('leaving a child behind\n');
  });
});
