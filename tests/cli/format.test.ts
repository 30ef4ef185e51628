import { describe, expect, test } from 'vitest';
import { renderList } from '../../bin/format/output.ts';
import { renderTabs } from '../../bin/format/table.ts';
import { compileTemplate } from '../../bin/format/template.ts';
import { ellipsis, humanDuration, humanSize, parseMemory } from '../../bin/format/units.ts';

describe('tables', () => {
  test("Docker's tabwriter: min width 10, padding 3, last column unpadded", () => {
    expect(renderTabs(['CONTAINER ID\tIMAGE\tNAMES', 'abc\thello-world\tx'])).toBe(
      'CONTAINER ID   IMAGE         NAMES\nabc            hello-world   x\n',
    );
  });
  test('table format with headers, -q and {{json .}}', () => {
    const rows = [{ ID: 'abc', Names: 'n1' }];
    const f = {
      defaultTable: 'table {{.ID}}\t{{.Names}}',
      headers: { ID: 'CONTAINER ID', Names: 'NAMES' },
      quietField: 'ID',
    };
    expect(renderList(rows, f)).toBe('CONTAINER ID   NAMES\nabc            n1\n');
    expect(renderList(rows, { ...f, quiet: true })).toBe('abc\n');
    expect(renderList(rows, { ...f, format: '{{json .}}' })).toBe('{"ID":"abc","Names":"n1"}\n');
    expect(renderList(rows, { ...f, format: 'table {{.Names}}\\t{{.ID}}' })).toBe(
      'NAMES     CONTAINER ID\nn1        abc\n',
    );
    expect(renderList([], f)).toBe('CONTAINER ID   NAMES\n');
  });
});

describe('Go templates', () => {
  const dot = {
    State: { Status: 'exited', ExitCode: 0 },
    Config: { Env: ['A=1', 'B=2'], Labels: {} },
    Name: '/x',
  };
  test('fields, json, join, index, len, upper', () => {
    expect(compileTemplate('{{.State.Status}}:{{.State.ExitCode}}')(dot)).toBe('exited:0');
    expect(compileTemplate('{{json .Config.Env}}')(dot)).toBe('["A=1","B=2"]');
    expect(compileTemplate('{{join .Config.Env ","}}')(dot)).toBe('A=1,B=2');
    expect(compileTemplate('{{index .Config.Env 1}} {{len .Config.Env}} {{upper .Name}}')(dot)).toBe(
      'B=2 2 /X',
    );
    expect(compileTemplate('{{.Config.Env}}')(dot)).toBe('[A=1 B=2]');
  });
  test('range, if/else, trim markers', () => {
    expect(compileTemplate('{{range .Config.Env}}[{{.}}]{{end}}')(dot)).toBe('[A=1][B=2]');
    expect(compileTemplate('{{if .Config.Labels}}yes{{else}}no{{end}}')(dot)).toBe('no');
    expect(compileTemplate('a {{- .Name -}} b')(dot)).toBe('a/xb');
  });
  test('an unknown field is an error, as in Docker', () => {
    expect(() => compileTemplate('{{.Nope}}')(dot)).toThrow(/can't evaluate field Nope/);
  });
});

describe('units', () => {
  test('durations as go-units', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(65_000)).toBe('About a minute');
    expect(humanDuration(3 * 3_600_000)).toBe('3 hours');
    expect(humanDuration(3 * 24 * 3_600_000)).toBe('3 days');
  });
  test('sizes and memory flags', () => {
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(13_256)).toBe('13.3kB');
    expect(humanSize(1_840_000)).toBe('1.84MB');
    expect(parseMemory('64m')).toBe(64 * 1024 * 1024);
    expect(parseMemory('1g')).toBe(1024 ** 3);
    expect(parseMemory('12x')).toBeUndefined();
    expect(ellipsis('docker-entrypoint.sh mysqld', 20)).toBe('docker-entrypoint.s…');
  });
});
