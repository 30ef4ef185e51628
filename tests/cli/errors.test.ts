// Each user error: one `berth: …` line (no stack), exit 125 unless Docker says otherwise, and the
// store exactly as before.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { berth, ensureBuilt, newRoot, probeRootfs, removeRoot, snapshot } from './cli-harness.ts';

let root: string;
beforeAll(async () => {
  ensureBuilt();
  root = newRoot();
  expect(
    (
      await berth(root, ['import', '--change', 'ENTRYPOINT ["/probe.wasm"]', '-', 'probe'], {
        input: await probeRootfs(),
      })
    ).code,
  ).toBe(0);
  expect(
    (
      await berth(root, ['import', '--platform', 'linux/amd64', '-', 'amd64img'], {
        input: await probeRootfs(),
      })
    ).code,
  ).toBe(0);
  expect((await berth(root, ['create', '--name', 'taken', 'probe'])).code).toBe(0);
});
afterAll(() => removeRoot(root));

async function expectCleanFailure(args: string[], message: RegExp, code = 125) {
  const before = snapshot(root);
  const r = await berth(root, args);
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  for (const line of r.stderr.split('\n').filter(Boolean)) expect(line).not.toMatch(/^Error/);
  expect(snapshot(root)).toEqual(before);
  return r;
}

describe('user errors', () => {
  test('an image that is not there', async () => {
    const r = await expectCleanFailure(
      ['run', 'nosuch'],
      /^Unable to find image 'nosuch:latest' locally\nberth: .*nosuch/,
    );
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  });

  test('unknown flags', async () => {
    await expectCleanFailure(
      ['run', '--bogus', 'probe'],
      /^berth: unknown flag: --bogus\nSee 'berth run --help'\.\n$/,
    );
    await expectCleanFailure(['ps', '--nope'], /^berth: unknown flag: --nope\n/);
  });

  test('a name in use', async () => {
    await expectCleanFailure(
      ['run', '--name', 'taken', 'probe'],
      /^berth: Conflict\. The container name "\/taken" is already in use by container "[0-9a-f]{64}"/,
    );
  });

  test('removing a running container without -f', async () => {
    const id = (await berth(root, ['run', '-d', 'probe', 'loop'])).stdout.trim();
    // Wait for its one line of output so the store is quiet while we compare.
    while (!(await berth(root, ['logs', id])).stdout.includes('looping'))
      await new Promise((r) => setTimeout(r, 50));
    try {
      await expectCleanFailure(
        ['rm', id],
        /^berth: cannot remove container "\/\w+": container is running: stop the container before removing or force remove\n$/,
      );
    } finally {
      expect((await berth(root, ['rm', '-f', id])).code).toBe(0);
    }
  });

  test('removing an image a container uses', async () => {
    await expectCleanFailure(
      ['rmi', 'probe'],
      /^berth: conflict: unable to remove repository reference "probe" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\n$/,
    );
  });

  test('a non-wasm image on the wasm backend', async () => {
    await expectCleanFailure(['run', 'amd64img'], /^berth: image amd64img is for linux\/amd64, not wasm/);
  });

  test('missing or non-wasm executables: 127 and 126', async () => {
    await expectCleanFailure(
      ['run', '--rm', '--entrypoint', 'nope', 'probe'],
      /executable file not found in \$PATH/,
      127,
    );
    await expectCleanFailure(
      ['run', '--rm', '--entrypoint', '/etc/motd', 'probe'],
      /not a WebAssembly module/,
      126,
    );
  });

  test('a corrupt blob in the store', async () => {
    const blobs = join(root, 'blobs', 'sha256');
    // Corrupt every blob of the probe image that is a layer: find its diff id through inspect.
    const layers = JSON.parse(
      (await berth(root, ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'probe'])).stdout,
    ) as string[];
    const layer = layers[0]!.replace('sha256:', '');
    expect(readdirSync(blobs)).toContain(layer);
    writeFileSync(join(blobs, layer), 'garbage');
    const r = await expectCleanFailure(['run', '--rm', 'probe'], /^berth: .*corrupt/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
