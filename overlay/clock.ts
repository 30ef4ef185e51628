// Wall-clock nanoseconds for 'now' timestamps, without node:* (works in workers and browsers).
// Node's process.hrtime where there is one: touching `performance` makes Node load its whole
// perf_hooks module, milliseconds of a cold start.

const hrtime = (globalThis as { process?: { hrtime?: { bigint?: () => bigint } } }).process?.hrtime?.bigint;

let origin: bigint | undefined;

export const nowNs: () => bigint = hrtime
  ? () => {
      origin ??= BigInt(Date.now()) * 1_000_000n - hrtime();
      return origin + hrtime();
    }
  : () => {
      origin ??= BigInt(Math.round(performance.timeOrigin * 1e3)) * 1000n;
      return origin + BigInt(Math.round(performance.now() * 1e6));
    };
