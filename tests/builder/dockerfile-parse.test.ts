import { describe, expect, test } from 'vitest';
import { globToRegExp } from '../../runtime/builder/copy-sources.ts';
import { parseDockerfile } from '../../runtime/builder/dockerfile.ts';
import { expandValue, expandWords } from '../../runtime/builder/expand.ts';

describe('parseDockerfile', () => {
  test('stages, continuations, JSON forms, heredocs, flags and the syntax note', () => {
    const df = parseDockerfile(
      '# syntax=docker/dockerfile:1\nARG V=1\nFROM berthbox AS a\nRUN echo a \\\n  b\nCOPY --from=x --chown=1:2 s /d/\n' +
        'RUN <<EOF\necho one\nEOF\nFROM a\nCMD ["x", "y z"]\n',
    );
    expect(df.notes[0]).toMatch(/syntax=docker\/dockerfile:1/);
    expect(df.globalArgs.map((i) => i.pairs)).toEqual([[{ name: 'V', value: '1' }]]);
    expect(df.stages.map((s) => s.name)).toEqual(['a', undefined]);
    const [run, copy, heredoc] = df.stages[0]!.instructions;
    expect(run!.args).toBe('echo a   b');
    expect(copy!.flags.get('from')).toBe('x');
    expect(copy!.flags.get('chown')).toBe('1:2');
    expect(heredoc!.heredocs).toEqual([{ name: 'EOF', content: 'echo one\n', quoted: false }]);
    expect(heredoc!.line).toBe(7);
    expect(df.stages[1]!.instructions[0]!.json).toEqual(['x', 'y z']);
  });
});

describe('expansion', () => {
  const vars = new Map([
    ['A', 'one'],
    ['E', ''],
  ]);
  test('Docker substitution forms', () => {
    expect(expandValue('$A ${A} ${B:-dflt} ${E:-e} ${E-e} ${A:+alt} ${B+x}|', vars)).toBe(
      'one one dflt e  alt |',
    );
    expect(expandValue('\\$A', vars)).toBe('$A');
  });
  test('words keep quoted spaces; single quotes do not expand', () => {
    expect(expandWords(`"$A two" '$A' b\\ c`, vars)).toEqual(['one two', '$A', 'b c']);
  });
});

test('COPY globs are Go filepath.Match: * stops at /', () => {
  expect(globToRegExp('*.txt').test('a.txt')).toBe(true);
  expect(globToRegExp('*.txt').test('d/a.txt')).toBe(false);
  expect(globToRegExp('file[0-9]?').test('file1x')).toBe(true);
});
