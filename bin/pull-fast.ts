// `berth pull [-q] NAME` without the rest of the CLI: bin/berth.cjs loads this bundle (dist/pull.cjs)
// for that plain shape, as dist/run.cjs for `run`: the same `pull` handler as the full CLI's
// (bin/commands/registry.ts) with commander's defaults, without the argument parser and the
// other commands' code. Any other flag (-a, --platform, --help) takes the full CLI. The engine
// is left out of this bundle (scripts/build.js): a pull never opens it.

import { reportError } from './commands/context.ts';
import { pull } from './commands/registry.ts';

export interface PlainPull {
  readonly name: string;
  readonly quiet: boolean;
}

export async function main(plain: PlainPull): Promise<void> {
  try {
    const code = await pull([plain.name], plain.quiet ? { quiet: true } : {});
    if (code !== undefined) process.exitCode = code;
  } catch (e) {
    process.exitCode = reportError(e);
  }
  // Done: a pull has stored all it stores (or kept its partial downloads) before it returns.
  // Exiting once the output is flushed skips tearing down the heap, the event loop's handles
  // and the helper threads; 'exit' listeners (the code cache) still run.
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}
