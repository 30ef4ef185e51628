// The listing index (runtime/containers/node-container-listing.ts): `listSummaries()` reads one
// file when it is current and never returns a stale record — across store instances, parallel
// processes and writers killed with -9 in the middle of a change. (SizeRw is the counter the tests
// change: a field the summaries keep.)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { newContainerId } from '../../runtime/containers/container-names.ts';
import {
  type ContainerRecord,
  type ContainerSummary,
  initialState,
  summarize,
} from '../../runtime/containers/container-record.ts';
import { NodeContainerStore } from '../../runtime/containers/node-container-store.ts';
import { bundleScript, runScript } from '../content/bundle-script.ts';

function record(name: string): ContainerRecord {
  return {
    Id: newContainerId(),
    Created: new Date().toISOString(),
    Path: '/x.wasm',
    Args: [],
    State: initialState(),
    Image: 'sha256:00',
    Name: `/${name}`,
    RestartCount: 0,
    Driver: 'overlay',
    Platform: 'wasi/wasm',
    HostConfig: {
      Binds: null,
      AutoRemove: false,
      Memory: 0,
      PortBindings: {},
      NetworkMode: 'bridge',
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
    Mounts: [],
    Config: {
      Hostname: 'h',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: [],
      Cmd: null,
      Image: 'x',
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      Labels: {},
    },
    SizeRw: 0,
  };
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-listing-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const listing = () => join(root, 'containers', '.listing');
/** The index files (one per generation; older ones are removed). */
const indexes = () => readdirSync(listing()).filter((f) => f.startsWith('index-'));
const recordFile = (id: string) => join(root, 'containers', id, 'config.v2.json');
/** What the record files say, bypassing the store. */
const onDisk = (id: string) => JSON.parse(readFileSync(recordFile(id), 'utf8')) as ContainerRecord;
const byName = (recs: ContainerSummary[]) =>
  Object.fromEntries(recs.map((r) => [r.Name, r.SizeRw] as const).sort());

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('listing index', () => {
  test('a current index is what listSummaries() reads', async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0 });
    expect(indexes()).toHaveLength(1);
    // A record file changed behind the store's back is not seen: the index answered.
    writeFileSync(recordFile(a.Id), JSON.stringify({ ...a, SizeRw: 9 }));
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0 });
    // A container directory removed behind its back is: the index names other directories.
    rmSync(join(root, 'containers', a.Id), { recursive: true });
    expect(await s.listSummaries()).toEqual([]);
  });

  test('summaries keep what ps shows; list() still reads full records from their files', async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    a.Config.Labels = { k: 'v' };
    a.Config.Env = ['A=1'];
    a.NetworkSettings = {
      Networks: {},
      Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
    };
    await s.create(a);
    await s.listSummaries();
    const [summary] = await s.listSummaries();
    expect(summary).toEqual(summarize(a));
    expect(summary).toMatchObject({
      Config: { Image: 'x', Labels: { k: 'v' } },
      NetworkSettings: { Ports: { '80/tcp': [{ HostPort: '8080' }] } },
    });
    expect(summary).not.toHaveProperty('Config.Env');
    expect(summary).not.toHaveProperty('NetworkSettings.Networks');
    writeFileSync(recordFile(a.Id), JSON.stringify({ ...a, RestartCount: 4 }));
    expect((await s.list()).map((r) => r.RestartCount)).toEqual([4]);
  });

  test('every change from another store (another process) is seen', async () => {
    const a = new NodeContainerStore(root);
    const b = new NodeContainerStore(root);
    const x = record('x');
    const y = record('y');
    await a.create(x);
    expect(byName(await b.listSummaries())).toEqual({ '/x': 0 });
    await a.create(y);
    expect(byName(await b.listSummaries())).toEqual({ '/x': 0, '/y': 0 });
    await a.save({ ...x, SizeRw: 1 });
    expect(byName(await b.listSummaries())).toEqual({ '/x': 1, '/y': 0 });
    await a.rename({ ...y }, 'z');
    expect(byName(await b.listSummaries())).toEqual({ '/x': 1, '/z': 0 });
    await a.remove(x.Id);
    expect(byName(await b.listSummaries())).toEqual({ '/z': 0 });
    expect(byName(await a.listSummaries())).toEqual({ '/z': 0 });
  });

  test('a writer killed mid-change leaves a marker: no index is trusted until it is cleared', async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    await s.listSummaries(); // index built
    // On disk as after kill -9 between the record's rename and the new generation.
    const marker = join(listing(), 'writers', `${deadPid()}-1-0`);
    writeFileSync(marker, '');
    writeFileSync(recordFile(a.Id), JSON.stringify({ ...a, SizeRw: 5 }));
    expect(byName(await s.listSummaries())).toEqual({ '/a': 5 });
    expect(existsSync(marker)).toBe(false);
    expect(byName(await s.listSummaries())).toEqual({ '/a': 5 }); // rebuilt from the records
    expect(byName(await s.listSummaries())).toEqual({ '/a': 5 }); // and read from the new index
    expect(indexes()).toHaveLength(1);
    const index = JSON.parse(readFileSync(join(listing(), indexes()[0]!), 'utf8'));
    expect(index.records[0].SizeRw).toBe(5);
  });

  test("a live writer's marker is left alone and keeps the index from being rebuilt", async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    await s.listSummaries();
    const indexText = () => indexes().map((f) => readFileSync(join(listing(), f), 'utf8'));
    const before = indexText();
    const start = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19];
    const marker = join(listing(), 'writers', `${process.pid}-${start}-x`);
    writeFileSync(marker, '');
    writeFileSync(recordFile(a.Id), JSON.stringify({ ...a, SizeRw: 2 }));
    expect(byName(await s.listSummaries())).toEqual({ '/a': 2 });
    expect(existsSync(marker)).toBe(true);
    expect(indexText()).toEqual(before); // not rebuilt with the record a live writer is changing
    rmSync(marker);
  });

  test('a store from before the index, and a lost index, still list every record', async () => {
    const s = new NodeContainerStore(root);
    await s.create(record('a'));
    await s.create(record('b'));
    rmSync(listing(), { recursive: true });
    expect(byName(await new NodeContainerStore(root).listSummaries())).toEqual({ '/a': 0, '/b': 0 });
    rmSync(listing(), { recursive: true });
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0, '/b': 0 });
    await s.create(record('c'));
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0, '/b': 0, '/c': 0 });
  });
});

describe('listing index with real processes', () => {
  const storeUrl = new URL('../../runtime/containers/node-container-store.ts', import.meta.url).pathname;
  // Saves SizeRw 1, 2, 3 … into the containers named on the command line, forever or `n` times.
  const writer = `
    import { NodeContainerStore } from ${JSON.stringify(storeUrl)};
    const [root, n, ...ids] = process.argv.slice(2);
    const s = new NodeContainerStore(root);
    const recs = await Promise.all(ids.map((id) => s.get(id)));
    for (let i = 1; Number(n) === 0 || i <= Number(n); i++) {
      for (const r of recs) await s.save({ ...r, SizeRw: i });
      if (i === 1) process.stdout.write('saving\\n');
    }
  `;
  // Lists until told to stop; fails when a container's SizeRw ever goes back.
  const reader = `
    import { existsSync } from 'node:fs';
    import { NodeContainerStore } from ${JSON.stringify(storeUrl)};
    const [root, stop] = process.argv.slice(2);
    const s = new NodeContainerStore(root);
    const seen = new Map();
    let lists = 0;
    while (!existsSync(stop)) {
      for (const r of await s.listSummaries()) {
        if ((seen.get(r.Id) ?? 0) > r.SizeRw) throw new Error('went back: ' + r.Name);
        seen.set(r.Id, r.SizeRw);
      }
      lists++;
    }
    process.stdout.write(String(lists));
  `;

  test('two writers and two readers at once: readers never see a record go back', async () => {
    const [w, r] = await Promise.all([bundleScript(writer, root), bundleScript(reader, root)]);
    const s = new NodeContainerStore(root);
    const recs = ['a', 'b', 'c', 'd'].map(record);
    for (const rec of recs) await s.create(rec);
    const stop = join(root, 'stop');
    const readers = [runScript(r, [root, stop]), runScript(r, [root, stop])];
    const writers = [
      runScript(w, [root, '150', recs[0]!.Id, recs[1]!.Id]),
      runScript(w, [root, '150', recs[2]!.Id, recs[3]!.Id]),
    ];
    for (const done of await Promise.all(writers)) expect(done.stderr).toBe('');
    writeFileSync(stop, '');
    for (const done of await Promise.all(readers)) {
      expect(done.stderr).toBe('');
      expect(Number(done.stdout)).toBeGreaterThan(0);
    }
    expect(byName(await s.listSummaries())).toEqual({ '/a': 150, '/b': 150, '/c': 150, '/d': 150 });
  }, 60_000);

  test('writers killed with -9 at random moments: listSummaries() always agrees with the record files', async () => {
    const w = await bundleScript(writer, root);
    const s = new NodeContainerStore(root);
    const recs = ['a', 'b', 'c'].map(record);
    for (const rec of recs) await s.create(rec);
    for (let round = 0; round < 8; round++) {
      await s.listSummaries(); // an index at the current generation, so a stale one would show
      const child = spawn(process.execPath, [w, root, '0', ...recs.map((x) => x.Id)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 40));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const truth = Object.fromEntries(recs.map((x) => [x.Name, onDisk(x.Id).SizeRw]));
      expect(byName(await s.listSummaries())).toEqual(truth);
      expect(byName(await new NodeContainerStore(root).listSummaries())).toEqual(truth);
    }
    expect(readdirSync(join(listing(), 'writers'))).toEqual([]);
  }, 60_000);
});
