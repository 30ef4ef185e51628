// Several berth processes changing the same store at once: every update must survive and the
// index must stay a whole, valid document.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleScript, runScript } from '../content/bundle-script.ts';
import { type TestStore, testStore } from './fixtures.ts';

let t: TestStore;
afterEach(() => t?.cleanup());

describe('concurrent image store updates', () => {
  it('many tag/untag/rmi in parallel processes never lose an update or corrupt the index', async () => {
    t = testStore();
    const img = await t.store.resolve('hello-world');
    const script = await bundleScript(
      `import { openNodeImageStore } from '../../runtime/images/node-image-store.ts';
       const [root, worker, n] = process.argv.slice(2);
       const store = openNodeImageStore(root, { builtins: false });
       for (let i = 0; i < Number(n); i++) {
         await store.tag(\`w\${worker}/keep:\${i}\`, 'hello-world');
         await store.tag(\`w\${worker}/drop:\${i}\`, 'hello-world');
         await store.untag(\`w\${worker}/drop:\${i}\`);
         await store.tag(\`w\${worker}/rmi:\${i}\`, 'hello-world');
         await store.remove(\`w\${worker}/rmi:\${i}\`);
         await store.resolve(\`w\${worker}/keep:\${i}\`);
       }`,
      import.meta.dirname,
    );
    const workers = 6;
    const each = 12;
    const results = await Promise.all(
      Array.from({ length: workers }, (_, w) => runScript(script, [t.root, String(w), String(each)])),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const index = JSON.parse(readFileSync(`${t.root}/images.json`, 'utf8'));
    const expected = ['docker.io/library/hello-world:latest'];
    for (let w = 0; w < workers; w++)
      for (let i = 0; i < each; i++) expected.push(`docker.io/w${w}/keep:${i}`);
    expect(Object.keys(index.tags).sort()).toEqual(expected.sort());
    expect(Object.values(index.tags).every((d) => d === img.manifestDigest)).toBe(true);
    expect((await t.store.resolve('hello-world')).repoTags).toHaveLength(1 + workers * each);
  });
});
