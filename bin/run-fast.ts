// `berth run [--rm] IMAGE [COMMAND [ARG...]]` without the rest of the CLI: bin/berth.cjs loads this
// bundle (dist/run.cjs) instead of dist/cli.cjs when the command line has that plain shape, so the
// commonest cold start reads, deserialises and initialises only what `run` uses — no argument
// parser, no other command's modules. It is the same `run` as the full CLI's (bin/commands/run.ts)
// with the same defaults; any other flag goes through the full CLI, help and errors included, and
// so does an image that must be pulled first. scripts/build.js leaves the registry client and the
// engine client out of this bundle (they answer with an error if ever reached).

import { engine, reportError } from './commands/context.ts';
import { run } from './commands/run.ts';

export interface PlainRun {
  readonly image: string;
  readonly cmd: readonly string[];
  readonly rm: boolean;
}

/** The options commander gives `run` when no flag but --rm is set (bin/cli.ts runOptions). */
function defaults(rm: boolean): Record<string, unknown> {
  return {
    ...(rm ? { rm: true } : {}),
    env: [],
    envFile: [],
    volume: [],
    publish: [],
    label: [],
    attach: [],
    networkAlias: [],
    addHost: [],
    restart: 'no',
    pull: 'missing',
  };
}

/**
 * Runs it, or calls `fallback` (the full CLI, before anything was changed) when the image is not
 * in the store: pulling is the registry client's, which this bundle leaves out.
 */
export async function main(plain: PlainRun, fallback: () => void): Promise<void> {
  try {
    const e = await engine();
    let local: boolean;
    try {
      local = (await e.images.resolve(plain.image)) !== undefined;
    } catch {
      local = false; // a bad reference: the full CLI words the error
    }
    if (!local) {
      fallback();
      return;
    }
    const code = await run([plain.image, ...plain.cmd], defaults(plain.rm));
    if (code !== undefined) process.exitCode = code;
  } catch (e) {
    process.exitCode = reportError(e);
  }
  // Done: the container is gone or recorded, its output written with blocking writes. Exiting
  // now skips tearing down the heap and the event loop's handles (~4 ms of system time), and
  // 'exit' listeners (the code cache) still run.
  process.exit();
}
