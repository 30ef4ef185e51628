#!/usr/bin/env node
// `npm run bench [-- filter...]`: runs every bench/*.bench.js whose name contains a filter, each
// in a child process of its own (--expose-gc, a clean heap and pool), prints one table per
// benchmark and writes all rows to bench/results/latest.json.
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { load, printTable } from './lib/report.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
// Where NODE_EXTRA_CA_CERTS names the whole system bundle (as on our dev machines), every Node
// process parses it at start: ~100 ms of CPU before any code runs, for berth and for the node:wasi
// peers alike, but not for Go peers (podman, skopeo). Measure without it unless told to keep it;
// the tables say which. berth itself never needs it for loopback registries.
const caNote = process.env.NODE_EXTRA_CA_CERTS
  ? process.env.BENCH_KEEP_EXTRA_CA
    ? `NODE_EXTRA_CA_CERTS kept (${process.env.NODE_EXTRA_CA_CERTS})`
    : 'NODE_EXTRA_CA_CERTS removed for every measured command (set BENCH_KEEP_EXTRA_CA=1 to keep it)'
  : 'NODE_EXTRA_CA_CERTS not set';
if (!process.env.BENCH_KEEP_EXTRA_CA) delete process.env.NODE_EXTRA_CA_CERTS;
process.stdout.write(`bench: node ${process.version}, ${cpus().length} cores; ${caNote}\n`);
const filters = process.argv.slice(2);
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (modules.length === 0) {
  process.stderr.write(`bench: nothing matches ${filters.join(' ')}\n`);
  process.exit(2);
}

function runModule(file) {
  return new Promise((resolve) => {
    const child = fork(`${dir}lib/child.js`, [file], { execArgv: ['--expose-gc'], stdio: 'inherit' });
    let result;
    child.on('message', (m) => {
      result = m;
    });
    child.on('exit', (code) => resolve(result ?? { error: `exited with ${code} before reporting` }));
  });
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadBefore: load(),
  environment: caNote,
  benchmarks: {},
};
let failed = 0;
for (const file of modules) {
  const name = file.replace(/\.bench\.js$/, '');
  const r = await runModule(file);
  if (r.error) {
    failed++;
    process.stdout.write(`\n## ${name}: FAILED — ${r.error}\n`);
  } else {
    printTable(r.title, r.rows);
  }
  results.benchmarks[name] = { ...r, loadAfter: load() };
}
mkdirSync(`${dir}results`, { recursive: true });
writeFileSync(`${dir}results/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`\nresults: bench/results/latest.json\n`);
process.exitCode = failed ? 1 : 0;
