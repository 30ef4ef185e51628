#!/usr/bin/env node
// Builds the built-in guest images: every images/<name>/ folder with C sources becomes one
// images/<name>/<name>.wasm (all .c files under the folder, recursively, linked together).
// `--check` rebuilds into a temp dir and compares byte-for-byte with the committed .wasm,
// exiting 1 and listing mismatches, so the shipped binaries provably come from the sources.
// Output is reproducible: clang runs from the image folder with relative paths and
// -ffile-prefix-map, and sources are passed in sorted order.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// BERTH_IMAGES_DIR lets the tests point the check at a copy of images/.
const imagesDir = process.env.BERTH_IMAGES_DIR ?? join(root, 'images');
// Folders under images/ that are not images.
const notImages = new Set(['include', 'tests', 'bench']);
// Folders of single-file programs (each x.c -> x.wasm), committed and checked like images.
const programFolders = ['bench'];
const clang = process.env.BERTH_CLANG ?? 'clang';

function cSources(dir, base = dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...cSources(p, base));
    else if (entry.name.endsWith('.c')) out.push(relative(base, p).split(sep).join('/'));
  }
  return out.sort();
}

export function listImages() {
  if (!existsSync(imagesDir)) return [];
  const images = readdirSync(imagesDir)
    .filter((n) => !notImages.has(n) && statSync(join(imagesDir, n)).isDirectory())
    .filter((n) => cSources(join(imagesDir, n)).length > 0);
  const programs = programFolders
    .filter((f) => existsSync(join(imagesDir, f)))
    .flatMap((f) => cSources(join(imagesDir, f)).map((c) => `${f}/${c.replace(/\.c$/, '')}`));
  return [...images, ...programs].sort();
}

/** Where a unit's sources live, which they are, and its committed .wasm. */
function unit(name) {
  if (name.includes('/')) {
    const [folder, stem] = name.split('/');
    const dir = join(imagesDir, folder);
    return { dir, sources: [`${stem}.c`], wasm: join(dir, `${stem}.wasm`) };
  }
  const dir = join(imagesDir, name);
  return { dir, sources: cSources(dir), wasm: join(dir, `${name}.wasm`) };
}

export function buildImage(name, outFile) {
  const { dir, sources } = unit(name);
  const args = [
    '--target=wasm32-wasi',
    '-O2',
    '-Wall',
    '-Wextra',
    '-Wno-unused-parameter',
    `-ffile-prefix-map=${dir}=.`,
    `-ffile-prefix-map=${imagesDir}=..`,
    '-I../include',
    '-Wl,--strip-all',
    ...sources,
    '-o',
    outFile,
  ];
  const r = spawnSync(clang, args, { cwd: dir, encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${clang}: ${r.error.message}`);
  if (r.stderr.trim()) process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`${name}: clang exited with ${r.status}`);
}

function main() {
  const check = process.argv.includes('--check');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = only.length > 0 ? only : listImages();
  const version = execFileSync(clang, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  if (!check) {
    for (const name of names) {
      const out = unit(name).wasm;
      buildImage(name, out);
      console.log(`${name}: ${statSync(out).size} bytes`);
    }
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'berth-images-'));
  const mismatches = [];
  try {
    for (const name of names) {
      const fresh = join(tmp, `${name.replace('/', '-')}.wasm`);
      buildImage(name, fresh);
      const committed = unit(name).wasm;
      const shown = `images/${relative(imagesDir, committed)}`;
      if (!existsSync(committed)) mismatches.push(`${name}: ${shown} is missing`);
      else if (!readFileSync(committed).equals(readFileSync(fresh)))
        mismatches.push(`${name}: ${shown} differs from a fresh build`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (mismatches.length > 0) {
    console.error(`build-images --check (${version}): ${mismatches.length} mismatch(es)`);
    for (const m of mismatches) console.error(`  ${m}`);
    console.error('Run `node scripts/build-images.js` with Debian clang 14 and commit the result.');
    process.exit(1);
  }
  console.log(`build-images --check: ${names.length} image(s) match (${version})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
