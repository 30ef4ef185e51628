import { describe, expect, it } from 'vitest';
import { createProgressRenderer, humanSize, progressBar } from '../../runtime/registry/progress.ts';

describe('progress rendering', () => {
  it('sizes like Docker (decimal units, 4 significant digits)', () => {
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(999)).toBe('999B');
    expect(humanSize(3_146_000)).toBe('3.146MB');
    expect(humanSize(28_500_000)).toBe('28.5MB');
    expect(humanSize(1_234_567_890)).toBe('1.235GB');
  });

  it('draws a 50-wide bar', () => {
    expect(progressBar(0, 100)).toBe(`[>${' '.repeat(49)}]       0B/100B`);
    expect(progressBar(50, 100)).toBe(`[${'='.repeat(25)}>${' '.repeat(24)}]      50B/100B`);
    expect(progressBar(100, 100)).toBe(`[${'='.repeat(50)}]     100B/100B`);
  });

  it('redraws layer lines in place on a TTY', () => {
    let out = '';
    const sink = createProgressRenderer({ isTTY: true, write: (s) => (out += s) });
    sink({ kind: 'message', text: 'latest: Pulling from library/x' });
    sink({ kind: 'layer', id: 'aaaaaaaaaaaa', status: 'Pulling fs layer' });
    sink({ kind: 'layer', id: 'bbbbbbbbbbbb', status: 'Pulling fs layer' });
    out = '';
    sink({ kind: 'layer', id: 'aaaaaaaaaaaa', status: 'Downloading', current: 50, total: 100 });
    expect(out).toBe(`\x1b[2A\x1b[2K\raaaaaaaaaaaa: Downloading ${progressBar(50, 100)}\x1b[2B\r`);
    out = '';
    sink({ kind: 'layer', id: 'bbbbbbbbbbbb', status: 'Pull complete' });
    expect(out).toBe('\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pull complete\x1b[1B\r');
  });

  it('prints plain lines without bars off a TTY, nothing with -q', () => {
    let out = '';
    const sink = createProgressRenderer({ isTTY: false, write: (s) => (out += s) });
    sink({ kind: 'layer', id: 'aaaaaaaaaaaa', status: 'Pulling fs layer' });
    sink({ kind: 'layer', id: 'aaaaaaaaaaaa', status: 'Downloading', current: 5, total: 10 });
    sink({ kind: 'layer', id: 'aaaaaaaaaaaa', status: 'Download complete' });
    expect(out).toBe('aaaaaaaaaaaa: Pulling fs layer\naaaaaaaaaaaa: Download complete\n');
    let quiet = '';
    const q = createProgressRenderer({ isTTY: true, write: (s) => (quiet += s) }, { quiet: true });
    q({ kind: 'message', text: 'x' });
    expect(quiet).toBe('');
  });
});
