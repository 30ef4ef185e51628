// Docker's human units (github.com/docker/go-units): durations for CREATED/STATUS and decimal
// sizes with three significant digits, so berth's tables read like Docker's.

import { humanDuration } from '../../runtime/containers/container-status-text.ts';

export { humanDuration };

export const timeAgo = (iso: string, now = Date.now()): string =>
  `${humanDuration(now - Date.parse(iso))} ago`;

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSizeWithPrecision(size, 3): '0B', '13.3kB', '1.05MB'. */
export function humanSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < decimalUnits.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(3))}${decimalUnits[unit]}`;
}

const binaryUnits: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker's RAMInBytes: '64m', '1g', '512k', '1024' (bytes); undefined when malformed. */
export function parseMemory(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt])?b?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * binaryUnits[(m[2] ?? 'b').toLowerCase()]!);
}

/** Docker's Go time format in `ps --format {{.CreatedAt}}`: '2024-01-02 15:04:05 +0000 UTC'. */
export function goTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** Docker's Ellipsis: keep `max` characters, the last being '…'. */
export const ellipsis = (s: string, max: number): string =>
  s.length <= max || [...s].length <= max ? s : `${[...s].slice(0, max - 1).join('')}…`;

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
