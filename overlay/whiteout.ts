// OCI image-spec layer markers: `.wh.<name>` deletes <name> of lower layers; `.wh..wh..opq`
// hides every lower child of its directory. Names with the `.wh..wh.` prefix are reserved.

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
const RESERVED_PREFIX = '.wh..wh.';

export type MarkerKind =
  | { kind: 'opaque' }
  | { kind: 'whiteout'; name: string }
  | { kind: 'reserved' }
  | null;

export function classifyName(name: string): MarkerKind {
  if (!name.startsWith(WHITEOUT_PREFIX)) return null;
  if (name === OPAQUE_MARKER) return { kind: 'opaque' };
  if (name.startsWith(RESERVED_PREFIX)) return { kind: 'reserved' };
  const target = name.slice(WHITEOUT_PREFIX.length);
  return target === '' || target === '.' || target === '..'
    ? { kind: 'reserved' }
    : { kind: 'whiteout', name: target };
}

/** Setuid/setgid from an image give nothing: only permission bits and sticky survive. */
export const sanitizeMode = (mode: number): number => mode & 0o1777;

/** Names a layer cannot hold: a union refuses to create them, or its diff would change meaning. */
export const isMarkerName = (name: string): boolean => name.startsWith(WHITEOUT_PREFIX);
