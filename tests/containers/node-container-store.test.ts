import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { NodeContainerStore } from '../../runtime/containers/node-container-store.ts';
import { record } from './record-fixture.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('NodeContainerStore', () => {
  test('a record written by one store is seen by another (another process)', async () => {
    const a = new NodeContainerStore(root);
    const rec = record('web');
    await a.create(rec);
    const b = new NodeContainerStore(root);
    expect((await b.get(rec.Id))?.Name).toBe('/web');
    expect(await b.idForName('web')).toBe(rec.Id);
    await b.save({ ...rec, State: { ...rec.State, Status: 'exited', ExitCode: 3 } });
    expect((await a.get(rec.Id))?.State.ExitCode).toBe(3);
  });

  test('names are unique, and free again after remove', async () => {
    const s = new NodeContainerStore(root);
    const first = record('db');
    await s.create(first);
    await expect(s.create(record('db'))).rejects.toMatchObject({ code: 'BERTH_CONFLICT' });
    expect((await s.list()).length).toBe(1);
    await s.remove(first.Id);
    await s.create(record('db'));
    expect((await s.list()).map((r) => r.Name)).toEqual(['/db']);
  });

  test('saves leave no temp files and never resurrect a removed container', async () => {
    const s = new NodeContainerStore(root);
    const rec = record('t');
    await s.create(rec);
    for (let i = 0; i < 20; i++) await s.save({ ...rec, RestartCount: i });
    expect(readdirSync(join(root, 'containers', rec.Id))).toEqual(['config.v2.json']);
    await s.remove(rec.Id);
    await s.save(rec);
    expect(await s.get(rec.Id)).toBeUndefined();
  });

  test('logs and control requests round-trip', async () => {
    const s = new NodeContainerStore(root);
    const rec = record('l');
    await s.create(rec);
    s.appendLog(rec.Id, 'stdout', new TextEncoder().encode('a\n'));
    s.appendLog(rec.Id, 'stderr', new TextEncoder().encode('b\n'));
    const { entries, offset } = await s.readLogs(rec.Id);
    expect(entries.map((e) => `${e.stream}:${new TextDecoder().decode(e.bytes)}`)).toEqual([
      'stdout:a\n',
      'stderr:b\n',
    ]);
    expect((await s.readLogs(rec.Id, offset)).entries).toEqual([]);
    await s.sendControl(rec.Id, { action: 'kill', signal: 'SIGKILL' });
    expect(await s.takeControl(rec.Id)).toEqual([{ action: 'kill', signal: 'SIGKILL' }]);
    expect(await s.takeControl(rec.Id)).toEqual([]);
  });
});
