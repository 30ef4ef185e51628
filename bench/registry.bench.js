// Registry pull and push: a 50 MB image in 5 layers of random (incompressible) bytes, on the
// real docker-registry at 127.0.0.1. Cold pull: `berth pull` into a fresh BERTH_ROOT vs
// `skopeo copy docker://… oci:DIR` into a fresh dir. Push: `berth push` vs `skopeo copy oci:… docker://…`
// to a fresh registry each time (so neither side can mount a blob it already pushed).
// Wall time of the whole command, median of 5. Goal: berth <= 1.0x skopeo. The pull also runs a
// second peer, bench/peers/node-pull-floor.cjs: the least a Node program does to pull (no CLI, no
// store), which shows how much of the gap to skopeo is Node's own.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startRegistry } from './lib/registry-server.js';
import { median, printTable, row } from './lib/report.js';

export const title = 'registry: 50 MB image, 5 layers, wall ms (median of 5)';

const RUNS = 5;
const LAYERS = 5;
const LAYER_BYTES = 10 * 1000 * 1000;
const launcher = fileURLToPath(new URL('../bin/berth.cjs', import.meta.url));
const floor = fileURLToPath(new URL('./peers/node-pull-floor.cjs', import.meta.url));

const sha256 = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-file ustar archive: 512-byte header, the data, padding, two zero blocks. */
function tarOf(name, data) {
  const header = Buffer.alloc(512);
  const field = (off, len, value) => header.write(value, off, len, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${data.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, '00000000000\0');
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

/** An OCI image layout with one tagged (`latest`) wasi/wasm image of gzip layers. */
export function writeLayout(dir) {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes) => {
    const digest = sha256(bytes);
    writeFileSync(join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const layers = [];
  const diffIds = [];
  for (let i = 0; i < LAYERS; i++) {
    const tar = tarOf(`layer${i}.bin`, randomBytes(LAYER_BYTES));
    diffIds.push(sha256(tar));
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      ...put(gzipSync(tar, { level: 1 })),
    });
  }
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'wasm',
        os: 'wasi',
        config: { Entrypoint: ['/layer0.bin'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
      }),
    ),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers,
    }),
  );
  const m = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...m,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
}

function exec(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const NO_PROXY_ENV = { HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' };

export async function benchRegistry() {
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-reg-'));
  const source = await startRegistry();
  const fresh = (name) => mkdtempSync(join(work, `${name}-`));
  const berthEnv = (root) => ({ ...NO_PROXY_ENV, BERTH_ROOT: root, XDG_CONFIG_HOME: join(root, 'config') });
  const berth = (root, args) => exec(process.execPath, [launcher, ...args], berthEnv(root));
  // Per operation: berth's samples and each peer's, by the name the table prints.
  const samples = { pull: { berth: [], skopeo: [], 'node floor': [] }, push: { berth: [], skopeo: [] } };
  try {
    const layout = join(work, 'layout');
    writeLayout(layout);
    const image = `${source.host}/bench/big:latest`;
    await exec('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, `docker://${image}`]);

    let pushRoot;
    for (let i = 0; i < RUNS; i++) {
      const root = fresh('berth-pull');
      samples.pull.berth.push(await timed(() => berth(root, ['pull', '-q', image])));
      pushRoot ??= root;
      const dir = fresh('skopeo-pull');
      samples.pull.skopeo.push(
        await timed(() =>
          exec('skopeo', ['copy', '--src-tls-verify=false', `docker://${image}`, `oci:${dir}:latest`]),
        ),
      );
      const floorDir = fresh('node-floor-pull');
      samples.pull['node floor'].push(
        await timed(() =>
          exec(process.execPath, [floor, source.host, 'bench/big', 'latest', floorDir], NO_PROXY_ENV),
        ),
      );
    }
    // A fresh registry per push: skopeo's blob-info cache would otherwise mount blobs it pushed
    // to an earlier repository of the same registry instead of uploading them.
    for (let i = 0; i < RUNS; i++) {
      const target = await startRegistry();
      try {
        const name = `${target.host}/bench/berth-push:latest`;
        await berth(pushRoot, ['tag', image, name]);
        samples.push.berth.push(await timed(() => berth(pushRoot, ['push', '-q', name])));
        const dest = `docker://${target.host}/bench/skopeo-push:latest`;
        samples.push.skopeo.push(
          await timed(() =>
            exec('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, dest]),
          ),
        );
      } finally {
        await target.stop();
      }
    }
  } finally {
    await source.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return ['pull', 'push'].map((op) => {
    const { berth: berthSamples, ...peerSamples } = samples[op];
    const b = median(berthSamples);
    const peers = Object.fromEntries(Object.entries(peerSamples).map(([name, xs]) => [name, median(xs)]));
    const s = peers.skopeo;
    const list = (name, xs) => `${name} ${xs.map((x) => x.toFixed(0)).join(', ')}`;
    return {
      ...row({
        name: `${op} 50 MB / 5 layers (cold)`,
        unit: 'ms',
        berth: b,
        peers,
        ratioTo: 'skopeo',
        goal: '<= 1.0x skopeo',
        met: b <= s,
        note: Object.entries(samples[op])
          .map(([name, xs]) => list(name, xs))
          .join('; '),
      }),
      peer: s,
    };
  });
}

export const run = benchRegistry;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(title, await benchRegistry());
}
