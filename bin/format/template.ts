// The subset of Go's text/template that Docker users write in --format: fields (.A.B), `json`,
// `join`, `upper`, `lower`, `title`, `index`, `len`, `println`, pipes, `if/else`, `range`, `with`,
// and `{{- -}}` trimming. Values print the way Go prints them.

type Node =
  | { kind: 'text'; text: string }
  // `field` is set when the action is a bare field path (.A.B): run() reads it without re-parsing.
  | { kind: 'action'; expr: string; field?: string[] }
  | { kind: 'if' | 'with'; expr: string; yes: Node[]; else: Node[] }
  | { kind: 'range'; expr: string; body: Node[]; else: Node[] };

export class TemplateError extends Error {
  readonly code = 'BERTH_TEMPLATE' as const;
}

function tokenize(src: string): Array<{ text?: string; action?: string }> {
  const out: Array<{ text?: string; action?: string }> = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && src[start + 1] === ' ') {
      text = text.trimEnd();
      start++;
    }
    const close = src.indexOf('}}', start);
    if (close < 0) throw new TemplateError(`template: unclosed action in ${JSON.stringify(src)}`);
    let end = close;
    let next = close + 2;
    if (src[close - 1] === '-' && src[close - 2] === ' ') {
      end = close - 1;
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    if (text) out.push({ text });
    out.push({ action: src.slice(start, end).trim() });
    i = next;
  }
  return out;
}

function parse(src: string): Node[] {
  const tokens = tokenize(src);
  let pos = 0;
  const block = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++]!;
      if (t.text !== undefined) {
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      const a = t.action!;
      const word = a.split(/\s+/)[0]!;
      if (stopAt.includes(word)) return { nodes, stop: word };
      if (word === 'if' || word === 'with' || word === 'range') {
        const body = block(['else', 'end']);
        const other = body.stop === 'else' ? block(['end']).nodes : [];
        const expr = a.slice(word.length).trim();
        nodes.push(
          word === 'range'
            ? { kind: 'range', expr, body: body.nodes, else: other }
            : { kind: word, expr, yes: body.nodes, else: other },
        );
      } else if (a.startsWith('/*')) {
        // comment
      } else
        nodes.push({ kind: 'action', expr: a, ...(/^\.[\w.]*$/.test(a) ? { field: fieldNames(a) } : {}) });
    }
    if (stopAt.length) throw new TemplateError('template: unexpected EOF (missing {{end}})');
    return { nodes, stop: '' };
  };
  return block([]).nodes;
}

function splitArgs(expr: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    out.push(
      m[1] !== undefined
        ? JSON.stringify(JSON.parse(`"${m[1]}"`))
        : m[2] !== undefined
          ? JSON.stringify(m[2])
          : m[3]!,
    );
  }
  return out;
}

const titleCase = (s: string) => s.replace(/\b\w/g, (c) => c.toUpperCase());

const functions: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => JSON.stringify(v ?? null),
  join: (v, sep) => (Array.isArray(v) ? v.map(goString).join(String(sep)) : goString(v)),
  upper: (v) => goString(v).toUpperCase(),
  lower: (v) => goString(v).toLowerCase(),
  title: (v) => titleCase(goString(v)),
  len: (v) =>
    Array.isArray(v) || typeof v === 'string'
      ? v.length
      : v && typeof v === 'object'
        ? Object.keys(v).length
        : 0,
  index: (v, ...keys) =>
    keys.reduce((o: unknown, k) => (o == null ? undefined : (o as Record<string, unknown>)[String(k)]), v),
  println: (...vs) => `${vs.map(goString).join(' ')}\n`,
  print: (...vs) => vs.map(goString).join(''),
  split: (v, sep) => goString(v).split(String(sep)),
  truncate: (v, n) => goString(v).slice(0, Number(n)),
  pad: (v, l, r) => `${' '.repeat(Number(l))}${goString(v)}${' '.repeat(Number(r))}`,
};

/** Go's %v formatting of JSON-like values. */
export function goString(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** '.A.B' -> ['A', 'B']; '.' -> []. */
const fieldNames = (path: string): string[] => (path === '.' ? [] : path.split('.').slice(1));

function field(dot: unknown, path: string): unknown {
  return fieldOf(dot, fieldNames(path));
}

function fieldOf(dot: unknown, names: string[]): unknown {
  let v = dot;
  for (const name of names) {
    if (v == null || typeof v !== 'object') {
      throw new TemplateError(`template: can't evaluate field ${name} in type ${typeof v}`);
    }
    if (!(name in (v as object))) throw new TemplateError(`template: can't evaluate field ${name}`);
    v = (v as Record<string, unknown>)[name];
  }
  return v;
}

function operand(token: string, dot: unknown): unknown {
  if (token.startsWith('"')) return JSON.parse(token);
  if (/^-?\d+$/.test(token)) return Number(token);
  if (token === 'true' || token === 'false') return token === 'true';
  if (token.startsWith('.')) return field(dot, token);
  if (token in functions) return functions[token]!();
  throw new TemplateError(`template: function "${token}" not defined`);
}

function evaluate(expr: string, dot: unknown): unknown {
  let piped: unknown;
  let first = true;
  for (const stage of expr.split(/\s+\|\s+/)) {
    const [head, ...rest] = splitArgs(stage);
    if (head === undefined) throw new TemplateError('template: missing value for command');
    const args = rest.map((t) => operand(t, dot));
    if (!first) args.push(piped);
    if (head in functions) piped = functions[head]!(...args);
    else if (args.length > 0)
      throw new TemplateError(`template: can't give argument to non-function ${head}`);
    else piped = operand(head, dot);
    first = false;
  }
  return piped;
}

const truthy = (v: unknown) =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && Object.keys(v as object).length === 0)
  );

function run(nodes: Node[], dot: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'action')
      out += goString(n.field !== undefined ? fieldOf(dot, n.field) : evaluate(n.expr, dot));
    else if (n.kind === 'if' || n.kind === 'with') {
      const v = evaluate(n.expr, dot);
      out += truthy(v) ? run(n.yes, n.kind === 'with' ? v : dot) : run(n.else, dot);
    } else if (n.kind === 'range') {
      const v = evaluate(n.expr, dot);
      const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
      out += items.length ? items.map((item) => run(n.body, item)).join('') : run(n.else, dot);
    }
  }
  return out;
}

export type CompiledTemplate = (dot: unknown) => string;

export function compileTemplate(src: string): CompiledTemplate {
  const nodes = parse(src);
  return (dot) => run(nodes, dot);
}
