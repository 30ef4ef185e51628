// Runs in its own Node process (see host-fds.test.ts) so the test can see this process's REAL
// stdout and stderr: a guest must never reach them, nor any other host fd.
// argv: <berth dist/index.js> <guest.wasm> <host file to hold open> <mode: capture|discard|spew> [guest args...]
import { openSync, readFileSync } from 'node:fs';

const [berthEntry, guestPath, hostFile, mode, ...guestArgs] = process.argv.slice(2);
const { runWasm, closeProcessPool } = await import(berthEntry);

// A host fd the guest could try to guess: its number goes to the guest as an argument.
const hostFd = openSync(hostFile, 'r+');
const args = guestArgs.map((a) => a.replaceAll('HOSTFD', String(hostFd)));
const module = readFileSync(guestPath);

let stdoutBytes = 0;
let stdoutHead = '';
const stderrChunks = [];
const keepHead = (chunk) => {
  stdoutBytes += chunk.length;
  if (stdoutHead.length < 65536) stdoutHead += Buffer.from(chunk).toString('utf8');
};
const exit = await runWasm(module, {
  args: ['proof-sandbox', ...args],
  mounts: [{ type: 'tmpfs', target: '/' }],
  ...(mode === 'discard' ? {} : { stdout: keepHead, stderr: (c) => stderrChunks.push(Buffer.from(c)) }),
});
await closeProcessPool();
const usage = process.resourceUsage();
const report = {
  exit,
  stdoutBytes,
  stdoutHead: stdoutHead.slice(0, 65536),
  stderr: Buffer.concat(stderrChunks).toString('utf8'),
  hostFileAfter: readFileSync(hostFile, 'utf8'),
  maxRssMiB: Math.round(usage.maxRSS / 1024),
  hostFd,
};
process.stdout.write(`HOST-REPORT ${JSON.stringify(report)}\n`);
