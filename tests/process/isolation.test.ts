import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureWorkerBundle, guest, root } from './guest.ts';

describe('isolation from the host', () => {
  it('a guest cannot reach the host’s stdin/stdout/stderr or other fds (built package)', () => {
    ensureWorkerBundle();
    const wasm = join(tmpdir(), `berth-leak-${process.pid}.wasm`);
    writeFileSync(wasm, guest('process-probe'));
    const index = pathToFileURL(join(root, 'dist/index.js')).href;
    const script = `
      import { readFileSync } from 'node:fs';
      import { runWasm, closeProcessPool } from ${JSON.stringify(index)};
      const exit = await runWasm(readFileSync(${JSON.stringify(wasm)}), { args: ['p', 'leak'] });
      const cat = await runWasm(readFileSync(${JSON.stringify(wasm)}), { args: ['p', 'cat'] });
      await closeProcessPool();
      console.log('exit ' + exit.exitCode + ' ' + cat.exitCode);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      input: 'HOST STDIN MUST NOT BE READ\n',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('exit 0 0\n');
  });
});
