import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { openNodeImageStore } from '../../runtime/images/node-image-store.ts';
import { nodeBuildDeps } from '../../runtime/builder/node-builder.ts';
import { build } from '../../runtime/builder/builder.ts';
import { contextFromDirectory } from '../../runtime/builder/node-build-context.ts';
import { plainRenderer } from '../../runtime/builder/progress.ts';

test('smoke', async () => {
  const root = mkdtempSync(join(tmpdir(), 'bsmoke-'));
  const images = openNodeImageStore(root);
  for (let i = 0; i < 2; i++) {
    const r = plainRenderer();
    let out = '';
    const t0 = Date.now();
    try {
      const res = await build(nodeBuildDeps(root, images), {
        dockerfile: readFileSync('/tmp/bb/ctx/Dockerfile', 'utf8'),
        context: await contextFromDirectory('/tmp/bb/ctx'),
        tags: ['smoke:latest'],
      }, (e) => { out += r(e); });
      console.log(out, res, Date.now() - t0, 'ms');
    } catch (e) { console.log(out, 'ERR', e); }
  }
}, 60000);
