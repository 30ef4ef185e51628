import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { describe, expect, it } from 'vitest';
import { root } from './berthbox-harness.ts';

describe('hello-world image', () => {
  it('explains what berth just did, and stays tiny', () => {
    const bytes = readFileSync(join(root, 'images/hello-world/hello-world.wasm'));
    expect(bytes.length).toBeLessThan(4096);
    const dir = mkdtempSync(join(tmpdir(), 'hello-world-'));
    const out = openSync(join(dir, 'out'), 'w');
    const wasi = new WASI({ version: 'preview1', args: ['hello'], env: {}, stdout: out, returnOnExit: true });
    const code = wasi.start(
      new WebAssembly.Instance(new WebAssembly.Module(bytes), wasi.getImportObject() as WebAssembly.Imports),
    );
    closeSync(out);
    const text = readFileSync(join(dir, 'out'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(text.startsWith('\nHello from berth!\n')).toBe(true);
    expect(text).toContain('union in-memory filesystem');
    expect(text).toContain('WebAssembly (WASI) program in a sandbox, inside the berth process');
    expect(text).toContain(' $ berth run -it berthbox sh\n');
  });
});
