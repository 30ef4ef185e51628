// Go's text/tabwriter as Docker configures it (minwidth 10, padding 3, spaces): every cell but the
// last of a line is padded to max(10, widest cell + 3). Matches `docker ps` byte for byte.

const MIN_WIDTH = 10;
const PADDING = 3;

const width = (s: string): number => [...s].length;

export function renderTabs(lines: string[]): string {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      widths[i] = Math.max(widths[i] ?? 0, Math.max(MIN_WIDTH, width(row[i]!) + PADDING));
    }
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell))))
        .join(''),
    )
    .map((l) => `${l}\n`)
    .join('');
}
