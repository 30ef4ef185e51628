// Go's text/tabwriter as Docker configures it (minwidth 10, padding 3, spaces): every cell but the
// last of a line is padded to max(10, widest cell + 3). Matches `docker ps` byte for byte.

const MIN_WIDTH = 10;
const PADDING = 3;

const SURROGATE = /[\uD800-\uDFFF]/;
/** Code points, as tabwriter counts runes; the common all-BMP case needs no array (ps of 1,000 rows). */
const width = (s: string): number => (SURROGATE.test(s) ? [...s].length : s.length);

export function renderTabs(lines: string[]): string {
  return renderCells(lines.map((l) => l.split('\t')));
}

/** The same layout from cells already split (`ps` builds its rows as cells). */
export function renderCells(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      widths[i] = Math.max(widths[i] ?? MIN_WIDTH, width(row[i]!) + PADDING);
    }
  }
  let out = '';
  for (const row of rows) {
    const last = row.length - 1;
    for (let i = 0; i < last; i++) out += row[i]!.padEnd(widths[i]! - width(row[i]!) + row[i]!.length);
    out += `${row[last]}\n`;
  }
  return out;
}
