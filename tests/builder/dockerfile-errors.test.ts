// Bad Dockerfiles through the real CLI: `berth: Dockerfile:LINE: …`, exit 1, nothing tagged and
// no blob added to the image store.
import { describe, expect, test } from 'vitest';
import { Berth, copyExample, tempDir } from './cli-harness.ts';

const berth = new Berth();
// The base image exists before any failing build, so "no new blob" is about the build alone.
berth.run(['image', 'inspect', 'berthbox'], '/');

const cases: {
  name: string;
  dockerfile: string;
  line: number;
  message: RegExp;
  files?: Record<string, string>;
}[] = [
  {
    name: 'unknown instruction',
    dockerfile: 'FROM berthbox\nRUNN echo hi\n',
    line: 2,
    message: /unknown instruction: RUNN/,
  },
  { name: 'no FROM', dockerfile: 'RUN echo hi\n', line: 1, message: /before any FROM/ },
  { name: 'empty file', dockerfile: '# nothing\n', line: 1, message: /no FROM/ },
  {
    name: 'COPY of a missing path',
    dockerfile: 'FROM berthbox\nWORKDIR /app\nCOPY missing.txt /app/\n',
    line: 3,
    message: /"missing.txt" not found/,
  },
  {
    name: 'COPY from outside the context',
    dockerfile: 'FROM berthbox\nCOPY ../secret /x\n',
    line: 2,
    message: /outside the build context/,
  },
  {
    name: 'ARG with two names',
    dockerfile: 'FROM berthbox\nARG A B\n',
    line: 2,
    message: /ARG requires exactly one argument/,
  },
  {
    name: 'bad ARG name',
    dockerfile: 'ARG 1x=2\nFROM berthbox\n',
    line: 1,
    message: /ARG name "1x" is not valid/,
  },
  {
    name: 'ENV without a value',
    dockerfile: 'FROM berthbox\nENV ONLYNAME\n',
    line: 2,
    message: /ENV must have two arguments/,
  },
  { name: 'ENV bad substitution', dockerfile: 'FROM berthbox\nENV A=${B\n', line: 2, message: /missing '}'/ },
  {
    name: 'a RUN that fails',
    dockerfile: 'FROM berthbox\nCOPY a.txt /a.txt\nRUN echo to-stdout; echo to-stderr >&2; exit 3\n',
    line: 3,
    message: /did not complete successfully: exit code: 3/,
    files: { 'a.txt': 'a\n' },
  },
];

describe('bad Dockerfiles', () => {
  for (const c of cases) {
    test(c.name, () => {
      const dir = tempDir({ Dockerfile: c.dockerfile, ...(c.files ?? {}) });
      const before = berth.blobs();
      const r = berth.run(['build', '--progress=plain', '-t', 'bad:latest', '.'], dir);
      expect(r.code).toBe(1);
      const last = r.stderr.trimEnd().split('\n').at(-1)!;
      expect(last).toMatch(new RegExp(`^berth: Dockerfile:${c.line}: `));
      expect(last).toMatch(c.message);
      expect(berth.run(['image', 'inspect', 'bad:latest'], dir).code).not.toBe(0);
      expect(berth.blobs()).toEqual(before);
    });
  }

  test('a failing RUN shows its output', () => {
    const dir = tempDir({ Dockerfile: 'FROM berthbox\nRUN echo out-here; echo err-here >&2; exit 4\n' });
    const r = berth.run(['build', '--progress=plain', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^#\d+ [\d.]+ out-here$/m);
    expect(r.stderr).toMatch(/^#\d+ [\d.]+ err-here$/m);
    const q = berth.run(['build', '-q', '.'], dir);
    expect(q.stderr).toContain('out-here');
    expect(q.stderr).toMatch(/berth: Dockerfile:2: .*exit code: 4/);
  });
});

describe('examples/multi-stage', () => {
  test('builds only what the final stage needs and runs', () => {
    const dir = copyExample('multi-stage');
    const r = berth.run(['build', '--progress=plain', '--build-arg', 'GREETING=hi', '-t', 'multi', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[build 4\/4\] RUN echo/);
    const run = berth.run(['run', '--rm', 'multi'], dir);
    expect(run.stdout).toBe('hi from the build stage\nbuilt by berth\n');
    const target = berth.run(
      ['build', '--progress=plain', '--target', 'build', '-t', 'multi-build', '.'],
      dir,
    );
    expect(target.code).toBe(0);
    expect(target.stderr).not.toMatch(/\[stage-1/);
  });
});
