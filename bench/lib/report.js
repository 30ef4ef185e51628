// Rows, medians and the printed table of one benchmark. A row compares berth with its peer(s)
// measured in the same run; `ratio` is berth / the named peer, `met` says whether the goal holds.
import { loadavg } from 'node:os';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const fmt = (v, unit) => {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'string') return v;
  const a = Math.abs(v);
  const text =
    a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.1 || a === 0 ? v.toFixed(2) : v.toPrecision(2);
  return `${text}${unit ? ` ${unit}` : ''}`;
};

/**
 * One table row. `peers` maps a peer's name to its value; `ratioTo` names the peer the ratio is
 * taken against; `goal` is printed as is and `met` decided by the caller (null: not applicable).
 */
export function row({ name, unit, berth, peers = {}, ratioTo, goal = '-', met = null, note }) {
  const base = ratioTo ? peers[ratioTo] : undefined;
  const ratio = base ? berth / base : undefined;
  return { name, unit, berth, peers, ratioTo, ratio, goal, met, ...(note ? { note } : {}) };
}

export function printTable(title, rows) {
  const header = ['name', 'berth', 'peer(s)', 'ratio', 'goal', 'met?'];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.berth, r.unit),
    Object.entries(r.peers)
      .map(([k, v]) => `${k} ${fmt(v, r.unit)}`)
      .join('; ') || '-',
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x ${r.ratioTo}`,
    r.goal,
    r.met === null ? '-' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = [
    `\n## ${title}   (load average ${load()})`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(line),
  ];
  for (const r of rows) if (r.note) out.push(`  ${r.name}: ${r.note}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
