// Renders a list the way Docker's formatter does: a default `table …` layout, `-q` (ids only),
// `--format` with a Go template (`table` prefix adds the header row and tab alignment, `json` is
// `{{json .}}`). Escaped \t and \n in a format become real ones, as Docker does.

import { renderTabs } from './table.ts';
import { compileTemplate } from './template.ts';

export interface ListFormat {
  format?: string;
  quiet?: boolean;
  /** The layout without --format, e.g. 'table {{.ID}}\t{{.Image}}'. */
  defaultTable: string;
  /** Field name -> column header ('ID' -> 'CONTAINER ID'); missing ones are upper-cased. */
  headers: Record<string, string>;
  quietField: string;
}

const unescapeTabs = (f: string) => f.replace(/\\t/g, '\t').replace(/\\n/g, '\n');

function headerRow(template: string, headers: Record<string, string>, sample: object): string {
  const keys = new Set([...Object.keys(headers), ...Object.keys(sample)]);
  const dot = Object.fromEntries([...keys].map((k) => [k, headers[k] ?? k.toUpperCase()]));
  return compileTemplate(template)(dot);
}

export function renderList(rows: object[], f: ListFormat): string {
  if (f.quiet) return rows.map((r) => `${(r as Record<string, unknown>)[f.quietField]}\n`).join('');
  let format = f.format?.trim() || f.defaultTable;
  if (format === 'json') format = '{{json .}}';
  if (format === 'table') format = f.defaultTable;
  if (format.startsWith('table ') || format.startsWith('table\t')) {
    const body = unescapeTabs(format.slice(6).trim());
    const render = compileTemplate(body);
    const lines = [headerRow(body, f.headers, rows[0] ?? {}), ...rows.map((r) => render(r))];
    return renderTabs(lines.flatMap((l) => l.split('\n')).filter((l, i) => i === 0 || l !== ''));
  }
  const render = compileTemplate(unescapeTabs(format));
  return rows.map((r) => `${render(r)}\n`).join('');
}

/** `inspect --format`: one rendered line per object; without a format, Docker's indented JSON array. */
export function renderInspect(objects: object[], format?: string): string {
  if (!format) return `${JSON.stringify(objects, null, 4)}\n`;
  const render = compileTemplate(unescapeTabs(format === 'json' ? '{{json .}}' : format));
  return objects.map((o) => `${render(o)}\n`).join('');
}

export { renderTabs as renderTabsLines } from './table.ts';
