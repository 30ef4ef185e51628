import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SabPipe } from '../../shims/process/sab-pipe.ts';

describe('SabPipe', () => {
  it('delivers bytes in order across wrap-around, never more than its capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(40))), (steps) => {
        const pipe = new SabPipe(undefined, 32);
        const written: number[] = [];
        const read: number[] = [];
        for (const [data, want] of steps) {
          const n = pipe.write(data);
          expect(n).toBe(Math.min(data.length, 32 - written.length + read.length));
          written.push(...data.subarray(0, n));
          const into = new Uint8Array(want);
          const m = pipe.read(into);
          read.push(...into.subarray(0, m));
          expect(pipe.available()).toBe(written.length - read.length);
        }
        expect(read).toEqual(written.slice(0, read.length));
      }),
    );
  });

  it('shares state through its transfer and keeps close flags per end', () => {
    const a = new SabPipe(undefined, 16);
    const b = new SabPipe(a.transfer());
    a.write(new Uint8Array([1, 2, 3]));
    expect(b.readChunk()).toEqual(new Uint8Array([1, 2, 3]));
    expect(b.readChunk()).toBeUndefined();
    a.closeWriter();
    expect(b.writerClosed).toBe(true);
    expect(b.readerClosed).toBe(false);
    expect(() => new SabPipe(undefined, 24)).toThrow(RangeError);
  });
});
