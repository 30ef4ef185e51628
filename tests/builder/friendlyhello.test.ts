// The seed's `build --tag=friendlyhello .` through the real CLI: build, list, a fully cached
// rebuild, a rebuild after one copied file changed, and the image as a valid OCI image.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Berth, copyExample } from './cli-harness.ts';

const berth = new Berth();
const dir = copyExample('friendlyhello');

/** `#N [i/n] NAME` vertices of the plain progress, each with how it ended. */
function steps(stderr: string): { name: string; status: string }[] {
  const names = new Map<string, string>();
  const status = new Map<string, string>();
  for (const line of stderr.split('\n')) {
    const start = /^#(\d+) (\[\d+\/\d+\] .*)$/.exec(line);
    if (start) names.set(start[1]!, start[2]!);
    const end = /^#(\d+) (CACHED|DONE [\d.]+s|ERROR.*)$/.exec(line);
    if (end) status.set(end[1]!, end[2]!.split(' ')[0]!);
  }
  return [...names].map(([id, name]) => ({ name, status: status.get(id) ?? 'none' }));
}

describe('berth build (examples/friendlyhello)', () => {
  test('builds, lists, and runs the RUN step in berthbox sh', () => {
    const r = berth.run(['build', '--progress=plain', '--tag=friendlyhello', '.'], dir);
    expect(r.stderr).toContain('friendlyhello built ');
    expect(r.code).toBe(0);
    const s = steps(r.stderr);
    expect(s.map((x) => x.name)).toEqual([
      '[1/4] FROM docker.io/library/berthbox:latest',
      '[2/4] WORKDIR /app',
      '[3/4] COPY . /app',
      expect.stringMatching(/^\[4\/4\] RUN test -f app.wasm/),
    ]);
    expect(s.slice(1).every((x) => x.status === 'DONE')).toBe(true);
    const ls = berth.run(['image', 'ls'], dir);
    expect(ls.stdout).toMatch(/^friendlyhello\s+latest\s+[0-9a-f]{12}\s/m);
    const inspect = JSON.parse(berth.run(['image', 'inspect', 'friendlyhello'], dir).stdout)[0];
    expect(inspect.Config.Cmd).toEqual(['/app/app.wasm']);
    expect(inspect.Config.Env).toContain('NAME=World');
    expect(inspect.Config.WorkingDir).toBe('/app');
    expect(Object.keys(inspect.Config.ExposedPorts)).toEqual(['80/tcp']);
  });

  test('the built image serves "Hello World!" to curl through -p', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const cli = join(import.meta.dirname, '../../bin/berth.js');
    const child = spawn(process.execPath, [cli, 'run', '--rm', '-p', `${port}:80`, 'friendlyhello'], {
      cwd: dir,
      env: { ...process.env, BERTH_ROOT: berth.root },
      stdio: 'ignore',
    });
    try {
      let page = '';
      for (let i = 0; i < 100 && !page.includes('Hello'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        page = spawnSync('curl', ['-s', '--max-time', '2', `http://127.0.0.1:${port}/`], {
          encoding: 'utf8',
        }).stdout;
      }
      expect(page).toContain('<h3>Hello World!</h3>');
      expect(page).toMatch(/<b>Hostname:<\/b> [0-9a-f]{12}<br\/>/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('an unchanged rebuild is all cache hits and gives the same image', () => {
    const id = berth.run(['images', '-q', 'friendlyhello'], dir).stdout.trim();
    const r = berth.run(['build', '--progress=plain', '--tag=friendlyhello', '.'], dir);
    expect(r.code).toBe(0);
    const s = steps(r.stderr);
    expect(s).toHaveLength(4);
    expect(s.every((x) => x.status === 'CACHED')).toBe(true);
    expect(berth.run(['images', '-q', 'friendlyhello'], dir).stdout.trim()).toBe(id);
    console.log(`cached rebuild: ${r.ms.toFixed(0)} ms for the whole CLI process`);
  });

  test('changing one copied file rebuilds from the COPY step on', () => {
    writeFileSync(join(dir, 'README.md'), `${readFileSync(join(dir, 'README.md'), 'utf8')}\nchanged\n`);
    const r = berth.run(['build', '--progress=plain', '--tag=friendlyhello', '.'], dir);
    expect(r.code).toBe(0);
    expect(steps(r.stderr).map((x) => x.status)).toEqual(['CACHED', 'CACHED', 'DONE', 'DONE']);
    const cat = berth.run(
      ['run', '--rm', '--entrypoint', '/bin/cat', 'friendlyhello', '/app/README.md'],
      dir,
    );
    expect(cat.stdout).toContain('changed');
  });

  test('the saved image reads as OCI (skopeo) and its layers as tars', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'berth-save-')), 'fh.tar');
    expect(berth.run(['save', '-o', out, 'friendlyhello'], dir).code).toBe(0);
    const sk = spawnSync('skopeo', ['inspect', `oci-archive:${out}`], { encoding: 'utf8' });
    expect(sk.stderr).toBe('');
    const info = JSON.parse(sk.stdout);
    expect(info.Os).toBe('wasi');
    expect(info.Layers.length).toBe(4);
    const x = mkdtempSync(join(tmpdir(), 'berth-save-x-'));
    expect(spawnSync('tar', ['-xf', out, '-C', x]).status).toBe(0);
    const names: string[] = [];
    for (const layer of info.Layers as string[]) {
      const t = spawnSync('tar', ['-tf', join(x, 'blobs', 'sha256', layer.slice(7))], { encoding: 'utf8' });
      expect(t.status).toBe(0);
      names.push(...t.stdout.split('\n'));
    }
    expect(names).toContain('bin/berthbox');
    expect(names).toContain('app/app.wasm');
    expect(names).toContain('app/BUILD-INFO');
  });
});
