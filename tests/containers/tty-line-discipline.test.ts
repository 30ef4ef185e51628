// The pty berth does not have: raw terminal keys cooked as a kernel line discipline would
// (runtime/containers/tty-line-discipline.ts).

import { describe, expect, test } from 'vitest';
import { cookedInput, onlcr } from '../../runtime/containers/tty-line-discipline.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function cook(keys: string[]) {
  let echoed = '';
  let interrupted = 0;
  const lines: string[] = [];
  async function* typed() {
    for (const k of keys) yield enc.encode(k);
  }
  for await (const line of cookedInput(typed(), {
    echo: (b) => {
      echoed += dec.decode(b);
    },
    interrupt: () => {
      interrupted++;
    },
  }))
    lines.push(dec.decode(line));
  return { lines, echoed, interrupted };
}

describe('cookedInput', () => {
  test('Enter (CR) ends a line as NL; keys are echoed, NL as CR NL', async () => {
    const r = await cook(['ec', 'ho hi\r', 'ls\r']);
    expect(r.lines).toEqual(['echo hi\n', 'ls\n']);
    expect(r.echoed).toBe('echo hi\r\nls\r\n');
  });

  test('Backspace erases a whole UTF-8 character, Ctrl-U the line, Ctrl-W a word', async () => {
    const r = await cook(['abé\x7f\x7fc\r', 'one two\x17three\r', 'gone\x15kept\r']);
    expect(r.lines).toEqual(['ac\n', 'one three\n', 'kept\n']);
    expect(r.echoed).toContain('\b \b\b \b');
  });

  test('Ctrl-D flushes a partial line, ends input on an empty one; Ctrl-C interrupts', async () => {
    expect((await cook(['part\x04', '\x04', 'never\r'])).lines).toEqual(['part']);
    const c = await cook(['sleep 9\r', 'x\x03', 'after\r']);
    expect(c.lines).toEqual(['sleep 9\n']);
    expect(c.interrupted).toBe(1);
    expect(c.echoed.endsWith('x^C\r\n')).toBe(true);
  });

  test('other control keys echo as ^X and reach the program', async () => {
    const r = await cook(['a\x01b\r']);
    expect(r.lines).toEqual(['a\x01b\n']);
    expect(r.echoed).toBe('a^Ab\r\n');
  });
});

test('onlcr turns each NL into CR NL and leaves the rest', () => {
  expect(dec.decode(onlcr(enc.encode('a\nb\n')))).toBe('a\r\nb\r\n');
  const plain = enc.encode('no newline');
  expect(onlcr(plain)).toBe(plain);
});
