// Docker's variable substitution in Dockerfile words: $VAR, ${VAR}, ${VAR:-word}, ${VAR-word},
// ${VAR:+word}, ${VAR+word}; the esc character protects `$`; single quotes stop expansion.

export class SubstitutionError extends Error {
  readonly code = 'BERTH_SUBSTITUTION' as const;
}

export type Vars = ReadonlyMap<string, string>;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

interface Scan {
  text: string;
  at: number;
}

function readVariable(s: Scan, vars: Vars, esc: string): string {
  // s.at is just past '$'
  const c = s.text[s.at];
  if (c === '{') {
    s.at++;
    let name = '';
    while (s.at < s.text.length && NAME_CHAR.test(s.text[s.at]!)) name += s.text[s.at++];
    if (name === '') throw new SubstitutionError(`bad substitution: \${${s.text.slice(s.at, s.at + 10)}`);
    let op = '';
    if (s.text.startsWith(':-', s.at) || s.text.startsWith(':+', s.at)) {
      op = s.text.slice(s.at, s.at + 2);
      s.at += 2;
    } else if (s.text[s.at] === '-' || s.text[s.at] === '+') op = s.text[s.at++]!;
    let word = '';
    if (op) word = readUntilBrace(s, vars, esc);
    if (s.text[s.at] !== '}') throw new SubstitutionError(`missing '}' in \${${name}`);
    s.at++;
    const value = vars.get(name);
    switch (op) {
      case ':-':
        return value === undefined || value === '' ? word : value;
      case '-':
        return value === undefined ? word : value;
      case ':+':
        return value === undefined || value === '' ? '' : word;
      case '+':
        return value === undefined ? '' : word;
      default:
        return value ?? '';
    }
  }
  if (c !== undefined && NAME_START.test(c)) {
    let name = '';
    while (s.at < s.text.length && NAME_CHAR.test(s.text[s.at]!)) name += s.text[s.at++];
    return vars.get(name) ?? '';
  }
  return '$';
}

function readUntilBrace(s: Scan, vars: Vars, esc: string): string {
  let out = '';
  while (s.at < s.text.length && s.text[s.at] !== '}') {
    const c = s.text[s.at++]!;
    if (c === esc && s.at < s.text.length) out += s.text[s.at++];
    else if (c === '$') out += readVariable(s, vars, esc);
    else out += c;
  }
  return out;
}

/** Expands variables in one value that has no quotes left to process (ENV/LABEL/ARG values). */
export function expandValue(text: string, vars: Vars, esc = '\\'): string {
  const s: Scan = { text, at: 0 };
  let out = '';
  while (s.at < text.length) {
    const c = text[s.at++]!;
    if (c === esc && text[s.at] === '$') out += text[s.at++];
    else if (c === '$') out += readVariable(s, vars, esc);
    else out += c;
  }
  return out;
}

/** Splits shell-like words (quotes removed) with variables expanded: COPY/ADD/WORKDIR/… arguments. */
export function expandWords(text: string, vars: Vars, esc = '\\'): string[] {
  const s: Scan = { text, at: 0 };
  const words: string[] = [];
  let word: string | undefined;
  while (s.at < text.length) {
    const c = text[s.at++]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (c === esc && s.at < text.length) word += text[s.at++];
    else if (c === "'") {
      const end = text.indexOf("'", s.at);
      if (end < 0)
        throw new SubstitutionError('unexpected end of statement while looking for matching single-quote');
      word += text.slice(s.at, end);
      s.at = end + 1;
    } else if (c === '"') {
      while (s.at < text.length && text[s.at] !== '"') {
        const d = text[s.at++]!;
        if (d === esc && (text[s.at] === '"' || text[s.at] === '$' || text[s.at] === esc))
          word += text[s.at++];
        else if (d === '$') word += readVariable(s, vars, esc);
        else word += d;
      }
      if (text[s.at] !== '"')
        throw new SubstitutionError('unexpected end of statement while looking for matching double-quote');
      s.at++;
    } else if (c === '$') word += readVariable(s, vars, esc);
    else word += c;
  }
  if (word !== undefined) words.push(word);
  return words;
}
