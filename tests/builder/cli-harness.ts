// Runs the real `berth` CLI as a subprocess with its own temporary BERTH_ROOT.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const repo = resolve(import.meta.dirname, '../..');
const berthJs = join(repo, 'bin', 'berth.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export class Berth {
  readonly root = mkdtempSync(join(tmpdir(), 'berth-build-test-'));

  run(args: string[], cwd: string, input?: string): CliResult {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [berthJs, ...args], {
      cwd,
      env: { ...process.env, BERTH_ROOT: this.root },
      encoding: 'utf8',
      input: input ?? '',
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
  }

  /** Every blob in the image store. */
  blobs(): string[] {
    const dir = join(this.root, 'blobs', 'sha256');
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  }
}

export function copyExample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `berth-example-${name}-`));
  cpSync(join(repo, 'examples', name), dir, { recursive: true });
  return dir;
}

export function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}
