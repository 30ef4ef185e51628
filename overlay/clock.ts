// Wall-clock nanoseconds for 'now' timestamps, without node:* (works in workers and browsers).

const origin = BigInt(Math.round(performance.timeOrigin * 1e3)) * 1000n;

export const nowNs = (): bigint => origin + BigInt(Math.round(performance.now() * 1e6));
