// Tar streams for image archives and the small layers berth synthesises, over tar-stream.
// Written tars are deterministic: mtime 0, uid/gid 0, no user names, modes fixed by the caller,
// entries in the order given (callers sort), so the same images always give the same bytes.

export interface ArchiveEntry {
  /** Relative path; directories end without '/'. */
  path: string;
  type: 'file' | 'directory';
  mode?: number;
  /** File contents, produced when the entry is written (so big blobs stream one at a time). */
  data?: Uint8Array | (() => Promise<Uint8Array>);
}

export interface ReadArchiveEntry {
  /** Normalised: no leading './' or '/', no trailing '/'. */
  path: string;
  type: string;
  data: Uint8Array;
  linkname?: string;
}

const EPOCH = new Date(0);

/** Tar bytes as they are produced. */
export async function* packArchive(entries: Iterable<ArchiveEntry>): AsyncGenerator<Uint8Array> {
  const { pack } = await import('tar-stream'); // loaded when an archive is first written
  const p = pack();
  const produce = (async () => {
    for (const e of entries) {
      const data =
        e.type === 'file'
          ? typeof e.data === 'function'
            ? await e.data()
            : (e.data ?? new Uint8Array(0))
          : undefined;
      const header = {
        name: e.type === 'directory' ? `${e.path}/` : e.path,
        type: e.type,
        mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644),
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        mtime: EPOCH,
        size: data?.byteLength ?? 0,
      };
      await new Promise<void>((resolve, reject) => {
        p.entry(header, (data ?? new Uint8Array(0)) as Buffer, (err) => (err ? reject(err) : resolve()));
      });
    }
    p.finalize();
  })().catch((err: Error) => p.destroy(err));
  for await (const chunk of p as AsyncIterable<Uint8Array>) yield chunk;
  await produce;
}

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of chunks) {
    parts.push(c);
    total += c.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of parts) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export function packArchiveBytes(entries: Iterable<ArchiveEntry>): Promise<Uint8Array> {
  return collect(packArchive(entries));
}

export function normaliseArchivePath(name: string): string {
  let p = name;
  while (p.startsWith('./')) p = p.slice(2);
  while (p.startsWith('/')) p = p.slice(1);
  while (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** Reads a tar from bytes or a stream, one whole entry at a time. */
export async function* readArchive(
  input: Uint8Array | AsyncIterable<Uint8Array>,
): AsyncGenerator<ReadArchiveEntry> {
  const { extract } = await import('tar-stream'); // loaded when an archive is first read
  const ex = extract();
  const feed = (async () => {
    if (input instanceof Uint8Array) {
      ex.end(input as Buffer);
      return;
    }
    for await (const chunk of input) {
      if (!ex.write(chunk as Buffer)) await new Promise<void>((r) => ex.once('drain', () => r()));
    }
    ex.end(new Uint8Array(0) as Buffer);
  })().catch((err: Error) => ex.destroy(err));
  for await (const entry of ex) {
    const parts: Uint8Array[] = [];
    for await (const c of entry as AsyncIterable<Uint8Array>) parts.push(c);
    const data = parts.length === 1 ? parts[0]! : await collect(toAsync(parts));
    const out: ReadArchiveEntry = {
      path: normaliseArchivePath(entry.header.name),
      type: entry.header.type ?? 'file',
      data,
    };
    if (entry.header.linkname) out.linkname = entry.header.linkname;
    yield out;
  }
  await feed;
}

async function* toAsync(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* parts;
}
