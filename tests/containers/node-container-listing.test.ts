// The listing index (runtime/containers/node-container-listing.ts): `listSummaries()` reads one
// file when it is current and never returns a stale record — across store instances, parallel
// processes, writers killed with -9 in the middle of a change, and changes that share an mtime
// with the one an index was built at. (SizeRw is the counter the tests change: a field the
// summaries keep.)

import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  type ContainerRecord,
  type ContainerSummary,
  summarize,
} from '../../runtime/containers/container-record.ts';
import { NodeContainerListing, QUIET_MS } from '../../runtime/containers/node-container-listing.ts';
import { NodeContainerStore } from '../../runtime/containers/node-container-store.ts';
import { bundleScript, runScript } from '../content/bundle-script.ts';
import { record } from './record-fixture.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-listing-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const containers = () => join(root, 'containers');
const listing = () => join(containers(), '.listing');
/** The index files (one per mtime of containers/; older ones are removed). */
const indexes = () => readdirSync(listing()).filter((f) => f.startsWith('index-'));
const recordFile = (id: string) => join(containers(), id, 'config.v2.json');
/** What the record files say, bypassing the store. */
const onDisk = (id: string) => JSON.parse(readFileSync(recordFile(id), 'utf8')) as ContainerRecord;
const byName = (recs: ContainerSummary[]) =>
  Object.fromEntries(recs.map((r) => [r.Name, r.SizeRw] as const).sort());
/** Waits until the last change to containers/ is older than the quiet period: an index may be built. */
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS + 30));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    await quiet();
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0 });
    expect(indexes()).toEqual([`index-v3-${statSync(containers(), { bigint: true }).mtimeNs}.json`]);
    // A record file changed behind the store's back, in place, is not seen: the index answered.
    writeFileSync(recordFile(a.Id), JSON.stringify({ ...a, SizeRw: 9 }));
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0 });
    // A container directory removed behind its back is: the mtime (and the entries) changed.
    rmSync(join(containers(), a.Id), { recursive: true });
    expect(await s.listSummaries()).toEqual([]);
  });

  test('no index is written while containers/ changed within the quiet period', async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    for (let i = 1; i <= 3; i++) {
      await s.save({ ...a, SizeRw: i });
      expect(byName(await s.listSummaries())).toEqual({ '/a': i });
      expect(indexes()).toEqual([]);
    }
    await quiet();
    expect(byName(await s.listSummaries())).toEqual({ '/a': 3 });
    expect(indexes()).toHaveLength(1);
  });

  test('a change that shares the mtime of a scan within the quiet period is never served stale', async () => {
    // Kernel timestamps are coarse: two changes in one tick get one mtime. Set it by hand to
    // make that certain: the scan sees SizeRw 1, the next change (2) leaves the same mtime.
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    const tick = new Date();
    await s.save({ ...a, SizeRw: 1 });
    utimesSync(containers(), tick, tick);
    const stamp = statSync(containers(), { bigint: true }).mtimeNs;
    expect(byName(await s.listSummaries())).toEqual({ '/a': 1 });
    writeFileSync(recordFile(a.Id), JSON.stringify({ ...a, SizeRw: 2 }));
    utimesSync(containers(), tick, tick);
    expect(statSync(containers(), { bigint: true }).mtimeNs).toBe(stamp);
    await quiet();
    expect(byName(await s.listSummaries())).toEqual({ '/a': 2 });
    expect(byName(await s.listSummaries())).toEqual({ '/a': 2 }); // and from the index built now
    expect(indexes()).toEqual([`index-v3-${stamp}.json`]);
  });

  test('a change made during a scan keeps that scan from being written as an index', async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    await quiet();
    const before = statSync(containers(), { bigint: true }).mtimeNs;
    const list = new NodeContainerListing<number>(containers(), listing());
    const entries = () => readdirSync(containers()).filter((e) => e.length === 64);
    const scanned = list.read(entries, (ids) => {
      const out = ids.map((id) => onDisk(id).SizeRw);
      void s.save({ ...a, SizeRw: 7 }); // synchronous up to its end: no await inside
      return out;
    });
    expect(scanned).toEqual([0]);
    expect(statSync(containers(), { bigint: true }).mtimeNs).not.toBe(before);
    expect(indexes()).toEqual([]);
    expect(byName(await s.listSummaries())).toEqual({ '/a': 7 });
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
    await quiet();
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

  test('every change from another store (another process) is seen, with an index built before it', async () => {
    const a = new NodeContainerStore(root);
    const b = new NodeContainerStore(root);
    const x = record('x');
    const y = record('y');
    /** Lets b build an index of what is there now, so a stale index would answer next. */
    const indexed = async () => {
      await quiet();
      await b.listSummaries();
      expect(indexes()).toHaveLength(1);
    };
    await a.create(x);
    expect(byName(await b.listSummaries())).toEqual({ '/x': 0 });
    await indexed();
    await a.create(y);
    expect(byName(await b.listSummaries())).toEqual({ '/x': 0, '/y': 0 });
    await indexed();
    await a.save({ ...x, SizeRw: 1 });
    expect(byName(await b.listSummaries())).toEqual({ '/x': 1, '/y': 0 });
    await indexed();
    await a.rename({ ...y }, 'z');
    expect(byName(await b.listSummaries())).toEqual({ '/x': 1, '/z': 0 });
    await indexed();
    await a.remove(x.Id);
    expect(byName(await b.listSummaries())).toEqual({ '/z': 0 });
    expect(byName(await a.listSummaries())).toEqual({ '/z': 0 });
    expect(readdirSync(containers()).filter((e) => e.startsWith('.tmp-'))).toEqual([]);
  });

  test('temp files of killed writers are no containers, and are removed once old', async () => {
    const s = new NodeContainerStore(root);
    const a = record('a');
    await s.create(a);
    const dead = deadPid();
    const old = new Date(Date.now() - 120_000);
    const leftovers = {
      oldTemp: `.tmp-${a.Id}-${dead}-0`,
      newTemp: `.tmp-${a.Id}-${dead}-1`,
      liveTemp: `.tmp-${a.Id}-${process.pid}-0`,
      oldRemoving: `.${a.Id.replace(/./, 'b')}.removing.${dead}`,
    };
    for (const name of Object.values(leftovers)) {
      const path = join(containers(), name);
      if (name.includes('removing')) {
        mkdirSync(path);
        writeFileSync(join(path, 'config.v2.json'), JSON.stringify(record('gone')));
      } else writeFileSync(path, JSON.stringify({ ...a, SizeRw: 3 }));
      if (name !== leftovers.newTemp) utimesSync(path, old, old);
    }
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0 });
    expect((await s.list()).map((r) => r.Name)).toEqual(['/a']);
    const left = readdirSync(containers()).filter((e) => e.startsWith('.') && e !== '.listing');
    expect(left.sort()).toEqual([leftovers.liveTemp, leftovers.newTemp].sort());
  });

  test('a store from before, a lost index and an older format still list every record', async () => {
    const s = new NodeContainerStore(root);
    await s.create(record('a'));
    await s.create(record('b'));
    rmSync(listing(), { recursive: true });
    expect(byName(await new NodeContainerStore(root).listSummaries())).toEqual({ '/a': 0, '/b': 0 });
    rmSync(listing(), { recursive: true });
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0, '/b': 0 });
    await s.create(record('c'));
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0, '/b': 0, '/c': 0 });
    // What the marker-and-generation berth left: removed with the first index written.
    mkdirSync(join(listing(), 'writers'), { recursive: true });
    writeFileSync(join(listing(), 'writers', `${process.pid}-1-0`), '');
    writeFileSync(join(listing(), 'generation'), 'abc');
    writeFileSync(join(listing(), 'index-v1-abc.json'), '{"entries":[],"records":[]}');
    await quiet();
    expect(byName(await s.listSummaries())).toEqual({ '/a': 0, '/b': 0, '/c': 0 });
    expect(readdirSync(listing())).toEqual(indexes());
    expect(indexes()).toHaveLength(1);
    expect(indexes()[0]).toMatch(/^index-v3-\d+\.json$/);
  });
});

describe('listing index with real processes', () => {
  const storeUrl = new URL('../../runtime/containers/node-container-store.ts', import.meta.url).pathname;
  // Saves SizeRw 1, 2, 3 … into the containers named on the command line, forever or `n` times;
  // with `pause`, rests a little longer than the quiet period every 40 saves, so readers build
  // indexes and then meet the changes that follow.
  const writer = `
    import { NodeContainerStore } from ${JSON.stringify(storeUrl)};
    const [root, n, pause, ...ids] = process.argv.slice(2);
    const s = new NodeContainerStore(root);
    const recs = await Promise.all(ids.map((id) => s.get(id)));
    for (let i = 1; Number(n) === 0 || i <= Number(n); i++) {
      for (const r of recs) await s.save({ ...r, SizeRw: i });
      if (i === 1) process.stdout.write('saving\\n');
      if (pause === 'pause' && i % 40 === 0) await new Promise((r) => setTimeout(r, 110 + Math.random() * 60));
    }
  `;
  // Lists until told to stop; fails when a container's SizeRw ever goes back. Prints how many
  // lists it made and how many of them an index could have answered (one was there to read).
  const reader = `
    import { existsSync, readdirSync, statSync } from 'node:fs';
    import { NodeContainerStore } from ${JSON.stringify(storeUrl)};
    const [root, stop] = process.argv.slice(2);
    const s = new NodeContainerStore(root);
    const seen = new Map();
    let lists = 0;
    let indexed = 0;
    while (!existsSync(stop)) {
      const stamp = statSync(root + '/containers', { bigint: true }).mtimeNs;
      if (readdirSync(root + '/containers/.listing').includes('index-v3-' + stamp + '.json')) indexed++;
      for (const r of await s.listSummaries()) {
        if ((seen.get(r.Id) ?? 0) > r.SizeRw) throw new Error('went back: ' + r.Name);
        seen.set(r.Id, r.SizeRw);
      }
      lists++;
    }
    process.stdout.write(lists + ' ' + indexed);
  `;

  test('two writers and two readers at once: readers never see a record go back', async () => {
    const [w, r] = await Promise.all([bundleScript(writer, root), bundleScript(reader, root)]);
    const s = new NodeContainerStore(root);
    const recs = ['a', 'b', 'c', 'd'].map(record);
    for (const rec of recs) await s.create(rec);
    const stop = join(root, 'stop');
    const readers = [runScript(r, [root, stop]), runScript(r, [root, stop])];
    const writers = [
      runScript(w, [root, '150', 'pause', recs[0]!.Id, recs[1]!.Id]),
      runScript(w, [root, '150', 'pause', recs[2]!.Id, recs[3]!.Id]),
    ];
    for (const done of await Promise.all(writers)) expect(done.stderr).toBe('');
    // The readers go on a while after the last write: the writers' pauses overlap only by chance
    // on a busy machine, this quiet spell always lets an index be built and then used.
    await sleep(QUIET_MS * 4);
    writeFileSync(stop, '');
    for (const done of await Promise.all(readers)) {
      expect(done.stderr).toBe('');
      const [lists, indexed] = done.stdout.split(' ').map(Number);
      expect(lists).toBeGreaterThan(0);
      expect(indexed).toBeGreaterThan(0);
    }
    expect(byName(await s.listSummaries())).toEqual({ '/a': 150, '/b': 150, '/c': 150, '/d': 150 });
  }, 60_000);

  test('writers killed with -9 at random moments: listSummaries() always agrees with the record files', async () => {
    const w = await bundleScript(writer, root);
    const s = new NodeContainerStore(root);
    const recs = ['a', 'b', 'c'].map(record);
    for (const rec of recs) await s.create(rec);
    for (let round = 0; round < 8; round++) {
      await quiet();
      await s.listSummaries(); // an index at the current mtime, so a stale one would show
      expect(indexes()).toHaveLength(1);
      const child = spawn(process.execPath, [w, root, '0', 'no-pause', ...recs.map((x) => x.Id)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 40));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const truth = Object.fromEntries(recs.map((x) => [x.Name, onDisk(x.Id).SizeRw]));
      expect(byName(await s.listSummaries())).toEqual(truth);
      expect(byName(await new NodeContainerStore(root).listSummaries())).toEqual(truth);
      await sleep(Math.random() * QUIET_MS * 2); // and once the index may be rebuilt
      expect(byName(await s.listSummaries())).toEqual(truth);
      expect(byName(await s.listSummaries())).toEqual(truth);
    }
  }, 60_000);
});
