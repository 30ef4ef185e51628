// Canonical paths ('/a/b') and the normalisation of untrusted names (tar entries) into the root.

/** Components of a canonical absolute path; '/' has none. */
export const splitPath = (path: string): string[] => (path === '/' ? [] : path.slice(1).split('/'));

export const joinPath = (parts: readonly string[]): string => '/' + parts.join('/');

export const parentPath = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};

export const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export const childPath = (dir: string, name: string): string => (dir === '/' ? '/' + name : dir + '/' + name);

/**
 * Components of an archive name, kept inside the root: leading '/' and './' are dropped, '.'
 * and empty parts skipped, '..' climbs but never above the root. `escaped` tells whether a
 * '..' tried to leave the root (callers refuse such hardlinks).
 */
export function normalizeArchiveName(name: string): { parts: string[]; escaped: boolean } {
  const parts: string[] = [];
  let escaped = false;
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) escaped = true;
      else parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { parts, escaped };
}

/** Bytes of a string in UTF-8, without encoding it. */
export const utf8Length = (s: string): number => {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
};
