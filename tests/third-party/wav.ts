// Reads a RIFF/WAVE file's structure, checking that every size field agrees with the bytes.

export interface WavInfo {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  /** Largest absolute 16-bit sample: speech is not silence. */
  peak: number;
}

export function parseWav(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 44) throw new Error(`too short for a WAV: ${bytes.length} bytes`);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`not RIFF/WAVE: '${tag(0)}' '${tag(8)}'`);
  const riffSize = view.getUint32(4, true);
  if (riffSize !== bytes.length - 8)
    throw new Error(`RIFF size ${riffSize}, file has ${bytes.length - 8} after it`);
  let at = 12;
  let fmt: Omit<WavInfo, 'dataBytes' | 'peak'> | undefined;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.length) throw new Error(`chunk '${id}' of ${size} bytes runs past the end`);
    if (id === 'fmt ') {
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
      const byteRate = view.getUint32(body + 8, true);
      const blockAlign = view.getUint16(body + 12, true);
      if (blockAlign !== (fmt.channels * fmt.bitsPerSample) / 8) throw new Error(`block align ${blockAlign}`);
      if (byteRate !== fmt.sampleRate * blockAlign) throw new Error(`byte rate ${byteRate}`);
    } else if (id === 'data') {
      if (!fmt) throw new Error("'data' before 'fmt '");
      if (size % ((fmt.channels * fmt.bitsPerSample) / 8) !== 0)
        throw new Error(`data size ${size} not whole frames`);
      let peak = 0;
      if (fmt.bitsPerSample === 16) {
        for (let i = body; i + 1 < body + size; i += 2)
          peak = Math.max(peak, Math.abs(view.getInt16(i, true)));
      }
      return { ...fmt, dataBytes: size, peak };
    }
    at = body + size + (size & 1);
  }
  throw new Error("no 'data' chunk");
}
