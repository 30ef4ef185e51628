// Parses `WWW-Authenticate` (RFC 7235): `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.

export interface AuthChallenge {
  /** Lower-cased: 'bearer', 'basic', … */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseAuthChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let s = header.trim();
  let current: { scheme: string; params: Record<string, string> } | undefined;
  while (s.length > 0) {
    s = s.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(s)?.[0];
    if (!name) break;
    s = s.slice(name.length);
    const afterSpaces = s.replace(/^\s+/, '');
    if (afterSpaces.startsWith('=') && current) {
      // key=value parameter of the current challenge
      s = afterSpaces.slice(1).replace(/^\s+/, '');
      let value: string;
      if (s.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        s = s.slice(i + 1);
      } else {
        value = /^[^,\s]*/.exec(s)?.[0] ?? '';
        s = s.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      s = afterSpaces;
    }
  }
  return out;
}
