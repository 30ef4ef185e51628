// Test helper: bundles a small TypeScript program (importing our sources) into one .mjs file so
// tests can run it in separate Node processes — real concurrency, real kill -9.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function bundleScript(source: string, resolveDir: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'berth-script-')), 'script.mjs');
  await build({
    stdin: { contents: source, resolveDir, loader: 'ts', sourcefile: 'script.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return out;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
