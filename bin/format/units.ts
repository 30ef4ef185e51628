// Docker's human units (github.com/docker/go-units): durations for CREATED/STATUS and decimal
// sizes with three significant digits, so berth's tables read like Docker's.

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

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
