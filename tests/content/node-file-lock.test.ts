import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lock, tryLock, withLock } from '../../runtime/content/node-file-lock.ts';
import { ConflictError } from '../../runtime/errors.ts';
import { bundleScript, runScript } from './bundle-script.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'berth-lock-')));

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('node file lock', () => {
  it('is exclusive within a process and released after use', async () => {
    const path = join(fresh(), 'x.lock');
    const held = await tryLock(path);
    expect(held).toBeDefined();
    expect(await tryLock(path)).toBeUndefined();
    await held!.release();
    const again = await tryLock(path);
    expect(again).toBeDefined();
    await again!.release();
  });

  it('breaks a lock left by a killed process at once', async () => {
    const path = join(fresh(), 'x.lock');
    writeFileSync(
      path,
      JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead', time: Date.now() }),
    );
    const started = Date.now();
    const held = await lock(path, { timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    await held.release();
  });

  it('waits for a live holder and times out with a clear error', async () => {
    const path = join(fresh(), 'x.lock');
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, host: hostname(), token: 'live', time: Date.now() }),
    );
    const err = await lock(path, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toContain(`held by pid ${process.pid}`);
    // An old lock is stale even when its pid is alive (the pid may have been reused).
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, host: hostname(), token: 'old', time: Date.now() - 10_000 }),
    );
    const held = await lock(path, { timeoutMs: 1000, staleMs: 5000 });
    await held.release();
  });

  it('serialises read-modify-write across processes (no lost update)', async () => {
    const root = fresh();
    const counter = join(root, 'counter');
    writeFileSync(counter, '0');
    const script = await bundleScript(
      `import { readFileSync, writeFileSync } from 'node:fs';
       import { withLock } from '../../runtime/content/node-file-lock.ts';
       const [counter, lockPath, n] = process.argv.slice(2);
       for (let i = 0; i < Number(n); i++) {
         await withLock(lockPath, async () => {
           const v = Number(readFileSync(counter, 'utf8'));
           await new Promise((r) => setImmediate(r));
           writeFileSync(counter, String(v + 1));
         });
       }`,
      import.meta.dirname,
    );
    const procs = 6;
    const each = 40;
    const results = await Promise.all(
      Array.from({ length: procs }, () => runScript(script, [counter, join(root, 'c.lock'), String(each)])),
    );
    for (const r of results) expect(r.stderr).toBe('');
    expect(Number(readFileSync(counter, 'utf8'))).toBe(procs * each);
    await withLock(join(root, 'c.lock'), async () => {}); // and it is free again
  });
});
