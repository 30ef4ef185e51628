// The least a Node program must do to pull an image from a plain-HTTP registry, as a second peer
// for berth's cold pull: what Node itself costs, apart from berth. It GETs the manifest, then the
// config and every layer at once (raw HTTP/1.1 on node:net, each body read into one buffer),
// checks each blob's SHA-256 on libuv's thread pool (crypto.subtle, so the layers hash on all
// cores without a worker's boot; hashing as the bytes arrive on the main thread measured slower),
// writes it, fsyncs it and renames it into DIR/blobs/. No CLI, store, locks, progress, auth,
// resume or index handling. Usage: node node-pull-floor.cjs HOST:PORT REPOSITORY TAG DIR
'use strict';
const net = require('node:net');
const fs = require('node:fs');
const { join } = require('node:path');

const [hostPort, repository, tag, dir] = process.argv.slice(2);
const [host, port] = hostPort.split(':');
const ACCEPT =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

/** One GET on a fresh connection: resolves with the body (a 200 with a Content-Length only). */
function get(path) {
  return new Promise((resolve, reject) => {
    const headBuf = Buffer.allocUnsafe(64 * 1024);
    let head = Buffer.alloc(0);
    let body;
    let at = 0;
    const socket = net.connect({
      host,
      port: Number(port),
      onread: {
        buffer: () => (body ? body.subarray(at) : headBuf),
        callback: (n) => {
          if (body) at += n;
          else {
            head = Buffer.concat([head, headBuf.subarray(0, n)]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) return;
            const text = head.toString('latin1', 0, end);
            const length = /\r\ncontent-length: *(\d+)/i.exec(text);
            if (!text.startsWith('HTTP/1.1 200') || !length) {
              socket.destroy();
              reject(new Error(`${path}: ${text.split('\r\n')[0]}`));
              return;
            }
            body = Buffer.allocUnsafe(Number(length[1]));
            at = head.copy(body, 0, end + 4);
          }
          if (at === body?.length) {
            socket.destroy();
            resolve(body);
          }
        },
      },
    });
    socket.on('connect', () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostPort}\r\nAccept: ${ACCEPT}\r\nConnection: close\r\n\r\n`,
      ),
    );
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`${path}: connection closed early`)));
  });
}

/** Verifies, writes, syncs and renames one blob into place. */
async function store(digest, bytes) {
  const hex = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
  if (`sha256:${hex}` !== digest) throw new Error(`${digest}: digest mismatch`);
  const temp = join(dir, 'blobs', `${hex}.tmp`);
  const fd = await fs.promises.open(temp, 'w');
  await fd.writeFile(bytes);
  await fd.sync();
  await fd.close();
  await fs.promises.rename(temp, join(dir, 'blobs', hex));
}

async function main() {
  fs.mkdirSync(join(dir, 'blobs'), { recursive: true });
  const manifestBytes = await get(`/v2/${repository}/manifests/${tag}`);
  const manifest = JSON.parse(manifestBytes.toString());
  const blobs = [manifest.config, ...manifest.layers];
  await Promise.all(
    blobs.map(async (b) => store(b.digest, await get(`/v2/${repository}/blobs/${b.digest}`))),
  );
  fs.writeFileSync(join(dir, 'manifest.json'), manifestBytes);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`node-pull-floor: ${e.message}\n`);
    process.exit(1);
  },
);
