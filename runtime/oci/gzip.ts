// gzip through the platform's CompressionStream/DecompressionStream: native zlib in Node 20 and
// in every browser, so runtime/ needs no node:zlib and no JS inflater. It is async and streaming,
// which suits pulls and archives; the run hot path never gunzips (layers are cached uncompressed
// by diffID in the content store).

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
}

export function isZstd(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd
  );
}

async function pipe(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  // One chunk in: measured about twice as fast as Blob.stream()'s 64 KiB pieces.
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const out = input.pipeThrough(transform as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

export function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipe(bytes, new DecompressionStream('gzip'));
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipe(bytes, new CompressionStream('gzip'));
}

/** Decompresses a stream of gzip chunks as they arrive (pulls). */
export function gunzipStream(input: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return input.pipeThrough(
    new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
}
